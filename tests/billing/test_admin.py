"""Staff admin: payments searchable and filterable across tenants, secrets never shown,
fee plans assigned to organisations."""

import pytest

from accounts.tenancy import all_tenants, tenant
from billing.models import BillingSettings
from tests.billing.factories import PaymentFactory, PlatformFeePlanFactory, ProcessorAccountFactory


@pytest.mark.django_db
def test_staff_search_and_filter_payments_of_every_tenant(client, admin_user, org_a, org_b):
    with tenant(org_a):
        mine = PaymentFactory(organization=org_a, status="needs_review")
    with tenant(org_b):
        PaymentFactory(organization=org_b, status="paid")
    client.force_login(admin_user)
    page = client.get(f"/admin/billing/payment/?q={mine.reference}")
    assert page.status_code == 200 and mine.reference in page.content.decode()
    filtered = client.get("/admin/billing/payment/?status__exact=paid").content.decode()
    assert mine.reference not in filtered
    detail = client.get(f"/admin/billing/payment/{mine.pk}/change/")
    assert detail.status_code == 200


@pytest.mark.django_db
def test_processor_secrets_never_appear_in_the_admin(client, admin_user, org_a):
    with tenant(org_a):
        account = ProcessorAccountFactory(organization=org_a)
    client.force_login(admin_user)
    page = client.get(f"/admin/billing/processoraccount/{account.pk}/change/").content.decode()
    assert "fake-consumer-secret" not in page and "fake-passkey" not in page
    assert account.callback_token not in page


@pytest.mark.django_db
def test_staff_assign_a_fee_plan_to_an_organisation(client, admin_user, org_a):
    plan = PlatformFeePlanFactory(name="Enterprise")
    client.force_login(admin_user)
    response = client.post(
        "/admin/billing/billingsettings/add/",
        {"organization_choice": org_a.pk, "platform_plan": plan.pk},
    )
    assert response.status_code == 302
    with all_tenants():
        assert BillingSettings.objects.get(organization=org_a).platform_plan == plan
    again = client.post(
        "/admin/billing/billingsettings/add/",
        {"organization_choice": org_a.pk, "platform_plan": plan.pk},
    )
    assert b"has settings already" in again.content
