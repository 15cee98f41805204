"""Platform fees: computed per organisation, month and currency; invoiced once;
emailed to the owner; on the Billing page; staff mark them paid in the admin."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tenancy import all_tenants, tenant
from billing.models import BillingSettings, PlatformInvoice
from billing.services.platform import fee_lines, platform_invoices_issue
from billing.tasks import issue_platform_invoices_all_task
from tests.billing.factories import PaymentFactory, PlatformFeePlanFactory

MARCH = dt.date(2026, 3, 1)


def _paid(
    org,
    amount,
    currency,
    processor="mpesa",
    when=dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC),
    status="paid",
):
    with tenant(org):
        return PaymentFactory(
            organization=org,
            amount=Decimal(amount),
            currency=currency,
            processor=processor,
            status=status,
            paid_at=when,
        )


@pytest.fixture
def plan(db):
    return PlatformFeePlanFactory(
        name="Growth",
        flat_monthly_fee=Decimal("25.00"),
        flat_fee_currency="KES",
        percent_of_volume=Decimal("1.50"),
        is_default=True,
    )


@pytest.mark.django_db
def test_fees_are_flat_plus_a_percentage_per_currency(org_a, plan):
    _paid(org_a, "1000.00", "KES")
    _paid(org_a, "333.33", "KES", processor="paystack")
    _paid(org_a, "200.00", "GHS", processor="paystack")
    _paid(org_a, "5000.00", "KES", processor="cash")  # recorded by staff: not processed by us
    _paid(org_a, "700.00", "KES", status="refunded")
    _paid(org_a, "90.00", "KES", when=dt.datetime(2026, 4, 1, 0, 30, tzinfo=dt.UTC))  # April
    with tenant(org_a):
        lines = {line["currency"]: line for line in fee_lines(org_a, MARCH)}
    assert lines["KES"]["volume"] == Decimal("1333.33") and lines["KES"]["payment_count"] == 2
    assert lines["KES"]["percent_fee"] == Decimal("20.00")  # 1.5% of 1333.33 = 19.99995
    assert lines["KES"]["total"] == Decimal("45.00")
    assert lines["GHS"]["flat_fee"] == 0 and lines["GHS"]["total"] == Decimal("3.00")


@pytest.mark.django_db
def test_month_boundaries_follow_the_organisations_time_zone(org_a, plan):
    org_a.time_zone = "Africa/Nairobi"  # UTC+3
    org_a.save()
    _paid(
        org_a, "100.00", "KES", when=dt.datetime(2026, 3, 31, 22, 0, tzinfo=dt.UTC)
    )  # 1 April in Nairobi
    with tenant(org_a):
        assert fee_lines(org_a, MARCH)[0]["volume"] == Decimal("0")


@pytest.mark.django_db
def test_the_monthly_task_invoices_once_and_emails_the_owner(
    org_a, owner_a, org_b, owner_b, plan, mailoutbox, django_capture_on_commit_callbacks
):
    _paid(org_a, "1000.00", "KES")
    with django_capture_on_commit_callbacks(execute=True):
        assert issue_platform_invoices_all_task(period_start=MARCH.isoformat()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        issue_platform_invoices_all_task(period_start=MARCH.isoformat())  # again: nothing new
    with all_tenants():
        invoices = list(PlatformInvoice.objects.order_by("organization_id"))
    # A: percentage + flat fee in KES; B: the flat fee only
    assert [(i.organization_id, i.total) for i in invoices] == [
        (org_a.pk, Decimal("40.00")),
        (org_b.pk, Decimal("25.00")),
    ]
    assert invoices[0].number == f"NP-202603-{org_a.pk:05d}-KES"
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == sorted([owner_a.email, owner_b.email])
    assert "NettPortal invoice" in mailoutbox[0].subject and mailoutbox[0].alternatives


@pytest.mark.django_db
def test_a_plan_of_their_own_overrides_the_default_and_free_means_no_invoice(org_a, plan):
    free = PlatformFeePlanFactory(name="Free", flat_monthly_fee=0, percent_of_volume=0)
    with tenant(org_a):
        BillingSettings.objects.create(organization=org_a, platform_plan=free)
        _paid(org_a, "1000.00", "KES")
        assert platform_invoices_issue(organization=org_a, period_start=MARCH) == []


@pytest.mark.django_db
def test_the_billing_page_shows_the_invoices_and_staff_mark_them_paid(
    client, org_a, owner_a, plan, admin_user, django_capture_on_commit_callbacks
):
    _paid(org_a, "1000.00", "KES")
    with tenant(org_a), django_capture_on_commit_callbacks(execute=True):
        [invoice] = platform_invoices_issue(organization=org_a, period_start=MARCH)
    client.force_login(owner_a)
    page = client.get("/payments/platform/")
    assert invoice.number in page.content.decode() and b"Growth" in page.content
    pdf = client.get(f"/payments/platform/{invoice.pk}/invoice.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    client.force_login(admin_user)
    response = client.post(
        "/admin/billing/platforminvoice/",
        {"action": "mark_paid", "_selected_action": [invoice.pk]},
    )
    assert response.status_code == 302
    with all_tenants():
        invoice.refresh_from_db()
    assert invoice.status == "paid" and invoice.marked_paid_by == admin_user
    listing = client.get("/admin/billing/platforminvoice/?status__exact=paid&q=NP-2026")
    assert invoice.number in listing.content.decode()
