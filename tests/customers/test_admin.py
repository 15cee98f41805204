import pytest

from accounts.tenancy import all_tenants, tenant
from privacy.models import AccessLog
from tests.accounts.factories import UserFactory
from tests.customers.factories import (
    CustomerFactory,
    PppoeAccountFactory,
    UsageDailyFactory,
    UsageSessionFactory,
)

PAGES = [
    "customer",
    "tag",
    "customerdevice",
    "customerevent",
    "customerimport",
    "pppoeaccount",
    "usagesession",
    "usagedaily",
    "routerusagedaily",
]


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
def test_staff_lists_every_customers_model_with_search(staff_client, org_a):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a, name="Ama Mensah")
        PppoeAccountFactory(customer=customer, organization=org_a, username="ama.m")
        UsageSessionFactory(customer=customer, organization=org_a)
        UsageDailyFactory(customer=customer, organization=org_a)
    for model in PAGES:
        response = staff_client.get(f"/admin/customers/{model}/?q=ama")
        assert response.status_code == 200, model


@pytest.mark.django_db
def test_opening_a_customer_in_the_admin_is_access_logged(staff_client, org_a):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a)
    assert staff_client.get(f"/admin/customers/customer/{customer.pk}/change/").status_code == 200
    with all_tenants():
        entry = AccessLog.objects.get(target_id=str(customer.pk))
    assert entry.via == AccessLog.Via.ADMIN and entry.organization_id == org_a.pk


@pytest.mark.django_db
def test_the_admin_never_shows_a_pppoe_password(staff_client, org_a):
    with tenant(org_a):
        account = PppoeAccountFactory(
            customer=CustomerFactory(organization=org_a),
            organization=org_a,
            password="Very-secret-77",
        )
    page = staff_client.get(f"/admin/customers/pppoeaccount/{account.pk}/change/")
    assert page.status_code == 200 and b"Very-secret-77" not in page.content
