import threading

import pytest
from django.db import connection

from accounts.tenancy import all_tenants, tenant
from customers.models import Customer, CustomerDevice, CustomerEvent, Tag
from customers.services import customers as services
from nettportal.errors import ValidationFailed
from tests.customers.factories import CustomerFactory, TagFactory

# Real concurrency needs PostgreSQL's row locks; skipped before any database is set up.
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"
)


@pytest.mark.django_db
def test_create_stores_phone_in_e164_and_email_lower_case(org_a, owner_a):
    with tenant(org_a):
        customer = services.customer_create(
            organization=org_a,
            actor=owner_a,
            name="  Ama   Mensah ",
            phone="024 412 3456",
            email="Ama.Mensah@Example.TEST",
            tags=["VIP", "estate-7", "vip"],
        )
        customer.refresh_from_db()
        assert customer.phone == "+233244123456"
        assert customer.name == "Ama Mensah"
        assert customer.email == "ama.mensah@example.test"
        assert sorted(tag.name for tag in customer.tags.all()) == ["VIP", "estate-7"]
        assert customer.marketing_consent is False
        assert customer.marketing_consent_at is None
        event = CustomerEvent.objects.get(customer=customer)
        assert event.kind == CustomerEvent.Kind.CREATED and event.actor == owner_a


@pytest.mark.django_db
def test_create_with_bad_phone_names_the_field_and_writes_nothing(org_a):
    with tenant(org_a):
        with pytest.raises(ValidationFailed) as error:
            services.customer_create(organization=org_a, name="Kofi", phone="12345")
        assert error.value.field == "phone"
        assert not Customer.objects.exists()
        assert not CustomerEvent.objects.exists()


@pytest.mark.django_db
def test_phone_is_unique_within_an_organisation_only(org_a, org_b):
    with tenant(org_a):
        services.customer_create(organization=org_a, name="First", phone="+233244123456")
        with pytest.raises(ValidationFailed) as error:
            services.customer_create(organization=org_a, name="Second", phone="0244123456")
        assert error.value.field == "phone"
        assert Customer.objects.count() == 1
    with tenant(org_b):
        services.customer_create(organization=org_b, name="Elsewhere", phone="0244123456")
        assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_customers_without_phone_do_not_collide(org_a):
    with tenant(org_a):
        services.customer_create(organization=org_a, name="No phone 1")
        services.customer_create(organization=org_a, name="No phone 2")
        assert Customer.objects.filter(phone="").count() == 2


@pytest.mark.django_db
def test_marketing_consent_is_recorded_with_its_time(org_a):
    with tenant(org_a):
        customer = services.customer_create(organization=org_a, name="Yes", marketing_consent=True)
        assert customer.marketing_consent_at is not None
        changed = services.customer_update(customer=customer, marketing_consent=False)
        customer.refresh_from_db()
        assert "marketing_consent" in changed
        assert customer.marketing_consent is False and customer.marketing_consent_at is None


@pytest.mark.django_db
def test_update_changes_only_given_fields_and_logs_field_names_not_values(org_a, owner_a):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a, name="Old Name", address="Old street")
        changed = services.customer_update(
            customer=customer,
            actor=owner_a,
            name="New Name",
            address="Old street",
            phone="+233 20 111 2222",
        )
        customer.refresh_from_db()
        assert sorted(changed) == ["name", "phone"]
        assert customer.phone == "+233201112222"
        event = CustomerEvent.objects.get(customer=customer, kind=CustomerEvent.Kind.UPDATED)
        assert "New Name" not in event.message and "name" in event.message.lower()


@pytest.mark.django_db
def test_update_to_a_taken_phone_is_refused_unchanged(org_a):
    with tenant(org_a):
        CustomerFactory(organization=org_a, phone="+233244000001")
        customer = CustomerFactory(organization=org_a, phone="+233244000002", name="Keep")
        with pytest.raises(ValidationFailed):
            services.customer_update(customer=customer, name="Changed", phone="0244000001")
        customer.refresh_from_db()
        assert customer.phone == "+233244000002" and customer.name == "Keep"


@pytest.mark.django_db
def test_suspending_twice_changes_once(org_a, owner_a):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a)
        assert services.customer_set_status(
            customer=customer, actor=owner_a, status=Customer.Status.SUSPENDED
        )
        assert not services.customer_set_status(
            customer=customer, actor=owner_a, status=Customer.Status.SUSPENDED
        )
        customer.refresh_from_db()
        assert customer.status == Customer.Status.SUSPENDED
        assert customer.status_changed_at is not None
        assert CustomerEvent.objects.filter(kind=CustomerEvent.Kind.SUSPENDED).count() == 1


@pytest.mark.django_db
def test_bulk_status_ignores_another_tenants_ids(org_a, org_b):
    with tenant(org_b):
        foreign = CustomerFactory(organization=org_b)
    with tenant(org_a):
        mine = CustomerFactory(organization=org_a)
        changed = services.customers_bulk_set_status(
            organization_id=org_a.pk,
            customer_ids=[mine.pk, foreign.pk],
            status=Customer.Status.SUSPENDED,
        )
        assert changed == [mine.pk]
    with all_tenants():
        foreign.refresh_from_db()
        assert foreign.status == Customer.Status.ACTIVE
        assert not CustomerEvent.objects.filter(customer=foreign).exists()


@pytest.mark.django_db
def test_bulk_tag_adds_and_removes_once(org_a):
    with tenant(org_a):
        first, second = CustomerFactory.create_batch(2, organization=org_a)
        assert (
            services.customers_bulk_tag(
                organization=org_a, customer_ids=[first.pk, second.pk], tag_name="Estate 7"
            )
            == 2
        )
        assert (
            services.customers_bulk_tag(
                organization=org_a, customer_ids=[first.pk, second.pk], tag_name="estate 7"
            )
            == 0
        )
        assert Tag.objects.count() == 1
        assert (
            services.customers_bulk_tag(
                organization=org_a, customer_ids=[first.pk], tag_name="ESTATE 7", remove=True
            )
            == 1
        )
        assert list(second.tags.values_list("name", flat=True)) == ["Estate 7"]
        assert not first.tags.exists()


@pytest.mark.django_db
def test_bulk_tag_with_a_bad_name_changes_nothing(org_a):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a)
        with pytest.raises(ValidationFailed):
            services.customers_bulk_tag(
                organization=org_a, customer_ids=[customer.pk], tag_name="a,b"
            )
        assert not Tag.objects.exists()


@pytest.mark.django_db
def test_tags_are_per_organisation(org_a, org_b):
    with tenant(org_b):
        TagFactory(organization=org_b, name="vip")
    with tenant(org_a):
        (tag,) = services.tags_resolve(organization=org_a, names=["VIP"])
        assert tag.organization_id == org_a.pk and tag.name == "VIP"


@pytest.mark.django_db
def test_purchase_by_phone_creates_one_hotspot_customer(org_a):
    with tenant(org_a):
        customer, created = services.customer_get_or_create_by_phone(
            organization=org_a, phone="0244 555 666"
        )
        again, created_again = services.customer_get_or_create_by_phone(
            organization=org_a, phone="+233244555666"
        )
        assert created and not created_again and again.pk == customer.pk
        assert customer.customer_type == Customer.Type.HOTSPOT
        assert customer.source == Customer.Source.PORTAL
        assert customer.name == "024 455 5666"  # the number, as people there write it
        assert customer.marketing_consent is False


@pytest.mark.django_db
def test_device_mac_is_normalised_and_not_duplicated(org_a):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a)
        services.customer_device_add(customer=customer, mac_address="aa-bb-cc-dd-ee-ff")
        services.customer_device_add(customer=customer, mac_address="AABB.CCDD.EEFF")
        assert list(CustomerDevice.objects.values_list("mac_address", flat=True)) == [
            "AA:BB:CC:DD:EE:FF"
        ]
        with pytest.raises(ValidationFailed):
            services.customer_device_add(customer=customer, mac_address="not-a-mac")


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_purchases_from_a_new_number_create_one_customer(org_a):
    barrier = threading.Barrier(4)
    results, errors = [], []

    def buy():
        try:
            barrier.wait()
            with tenant(org_a):
                results.append(
                    services.customer_get_or_create_by_phone(
                        organization=org_a, phone="+233244777888"
                    )
                )
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=buy) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with tenant(org_a):
        assert Customer.objects.filter(phone="+233244777888").count() == 1
    assert sum(1 for _customer, created in results if created) == 1
    assert len({customer.pk for customer, _created in results}) == 1


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_operators_suspending_at_once_write_one_event(org_a):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a)
    barrier = threading.Barrier(3)
    errors = []

    def suspend():
        try:
            barrier.wait()
            with tenant(org_a):
                services.customers_bulk_set_status(
                    organization_id=org_a.pk,
                    customer_ids=[customer.pk],
                    status=Customer.Status.SUSPENDED,
                )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=suspend) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with tenant(org_a):
        assert CustomerEvent.objects.filter(kind=CustomerEvent.Kind.SUSPENDED).count() == 1
