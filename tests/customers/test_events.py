"""customer.created / customer.suspended webhooks: one per real change, from every
path that makes it (dashboard service, landing-page purchase, CSV import, bulk
action), for the right organisation only, never for a failed or rolled-back change."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tenancy import tenant
from customers.models import Customer, CustomerImport
from customers.services.customers import (
    customer_create,
    customer_get_or_create_by_phone,
    customer_set_status,
    customers_bulk_set_status,
)
from nettportal.errors import ValidationFailed
from tests.customers.factories import CustomerFactory
from tests.integrations.factories import delivered, run_then_roll_back, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def hooks(org_a, org_b, owner_a, owner_b):
    """Both organisations listen to both customer events."""
    subscribe(org_a, owner_a, "customer.created", "customer.suspended")
    subscribe(org_b, owner_b, "customer.created", "customer.suspended")


def test_creating_a_customer_emits_one_event_without_personal_data(org_a, org_b, hooks):
    with tenant(org_a):
        customer = customer_create(
            organization=org_a, name="Ama Mensah", phone="0244123456", email="ama@example.test"
        )

    [payload] = delivered(org_a, "customer.created")
    assert payload["customer"]["id"] == customer.pk
    assert payload["customer"]["status"] == "active"
    assert payload["customer"]["source"] == Customer.Source.DASHBOARD
    text = json.dumps(payload)
    for personal in ("Ama", "244123456", "ama@example.test"):
        assert personal not in text
    assert delivered(org_b, "customer.created") == []


def test_a_refused_or_rolled_back_creation_emits_nothing(org_a, hooks):
    with tenant(org_a):
        CustomerFactory(organization=org_a, phone="+233244123456")
        with pytest.raises(ValidationFailed):  # the number is taken
            customer_create(organization=org_a, name="Esi", phone="0244123456")
        run_then_roll_back(lambda: customer_create(organization=org_a, name="Kofi"))
        assert not Customer.objects.filter(name="Kofi").exists()
    assert delivered(org_a, "customer.created") == []


def test_the_customer_a_purchase_creates_is_announced_once(org_a, org_b, hooks):
    with tenant(org_a):
        first, created = customer_get_or_create_by_phone(organization=org_a, phone="0201112222")
        again, created_again = customer_get_or_create_by_phone(
            organization=org_a, phone="0201112222"
        )
    assert created and not created_again and again.pk == first.pk
    [payload] = delivered(org_a, "customer.created")
    assert payload["customer"] == {
        "id": first.pk,
        "customer_type": "hotspot",
        "status": "active",
        "source": "portal",
        "created_at": payload["customer"]["created_at"],
    }
    assert "201112222" not in json.dumps(payload)
    assert delivered(org_b, "customer.created") == []


def test_a_csv_import_announces_each_imported_customer(client_a, org_a, org_b, hooks):
    text = "name,phone\nAma,0244123456\nKofi,12345\nYaw,0201112222\n"  # Kofi's phone is bad
    upload = SimpleUploadedFile("customers.csv", text.encode(), content_type="text/csv")
    client_a.post("/customers/import/", {"file": upload})
    with tenant(org_a):
        customer_import = CustomerImport.objects.get()
    client_a.post(f"/customers/import/{customer_import.pk}/run/", {"mode": "valid_rows"})

    with tenant(org_a):
        imported = set(Customer.objects.values_list("pk", flat=True))
    payloads = delivered(org_a, "customer.created")
    assert len(imported) == 2
    assert sorted(p["customer"]["id"] for p in payloads) == sorted(imported)
    assert {p["customer"]["source"] for p in payloads} == {"import"}
    assert delivered(org_b, "customer.created") == []


def test_suspending_emits_once_per_customer_and_only_for_suspension(client_a, org_a, org_b, hooks):
    with tenant(org_a):
        one, two, three = (CustomerFactory(organization=org_a) for _ in range(3))
    with tenant(org_b):
        CustomerFactory(organization=org_b)

    # one customer from its page, then a bulk action over all three
    with tenant(org_a):
        assert customer_set_status(customer=one, status=Customer.Status.SUSPENDED)
    response = client_a.post(
        reverse("customers:bulk"),
        {"action": "suspend", "ids": [one.pk, two.pk, three.pk], "confirmed": "on"},
    )
    assert response.status_code == 302
    with tenant(org_a):
        assert set(Customer.objects.values_list("status", flat=True)) == {"suspended"}
        # suspending again and reactivating announce nothing more
        assert (
            customers_bulk_set_status(
                organization_id=org_a.pk, customer_ids=[one.pk], status=Customer.Status.SUSPENDED
            )
            == []
        )
        customer_set_status(customer=two, status=Customer.Status.ACTIVE)

    payloads = delivered(org_a, "customer.suspended")
    assert sorted(p["customer"]["id"] for p in payloads) == sorted([one.pk, two.pk, three.pk])
    assert {p["customer"]["status"] for p in payloads} == {"suspended"}
    assert delivered(org_b, "customer.suspended") == []


def test_a_rolled_back_suspension_emits_nothing(org_a, hooks):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a)
        run_then_roll_back(
            lambda: customer_set_status(customer=customer, status=Customer.Status.SUSPENDED)
        )
        assert Customer.objects.get(pk=customer.pk).status == "active"
    assert delivered(org_a, "customer.suspended") == []
