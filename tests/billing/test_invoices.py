"""PPPoE subscriptions: monthly invoices (once per period), reminders, suspension
after the grace period, reactivation on payment; bank transfers matched by reference."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tenancy import tenant
from billing.models import BillingSettings, CreditEntry, Invoice, Payment
from billing.services.invoices import billing_cycle_run, current_period
from billing.services.manual import payment_record_manual
from billing.tasks import billing_cycle_all_task
from customers.models import Customer
from nettportal.errors import ValidationFailed
from tests.billing.factories import SubscriptionFactory
from tests.customers.factories import CustomerFactory


@pytest.fixture
def subscription(org_a):
    with tenant(org_a):
        BillingSettings.objects.create(
            organization=org_a, invoice_due_days=7, grace_days=3, reminder_days_before_due=2
        )
        customer = CustomerFactory(
            organization=org_a, customer_type="pppoe", email="kofi@example.test"
        )
        return SubscriptionFactory(
            organization=org_a,
            customer=customer,
            amount=Decimal("150.00"),
            currency="GHS",
            billing_day=5,
            starts_on=dt.date(2026, 3, 5),
        )


def _cycle(org, day, capture):
    with tenant(org), capture(execute=True):
        return billing_cycle_run(organization=org, today=day)


def test_periods_run_from_one_billing_day_to_the_next():
    class Sub:
        billing_day, starts_on = 28, dt.date(2026, 1, 10)

    assert current_period(Sub, dt.date(2026, 1, 9)) is None
    assert current_period(Sub, dt.date(2026, 1, 12)) == (dt.date(2026, 1, 10), dt.date(2026, 1, 28))
    assert current_period(Sub, dt.date(2026, 2, 28)) == (dt.date(2026, 2, 28), dt.date(2026, 3, 28))
    assert current_period(Sub, dt.date(2026, 12, 30)) == (
        dt.date(2026, 12, 28),
        dt.date(2027, 1, 28),
    )


@pytest.mark.django_db
def test_the_month_runs_invoice_remind_suspend_and_payment_reactivates(
    org_a, owner_a, subscription, mailoutbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    # on the billing day: one invoice, emailed, due 7 days later
    assert _cycle(org_a, dt.date(2026, 3, 5), capture)["issued"] == 1
    assert _cycle(org_a, dt.date(2026, 3, 5), capture)["issued"] == 0  # same day again
    assert _cycle(org_a, dt.date(2026, 3, 6), capture)["issued"] == 0  # later in the period
    with tenant(org_a):
        invoice = Invoice.objects.get()
    assert invoice.number == "INV-000001" and invoice.due_on == dt.date(2026, 3, 12)
    assert invoice.period_start == dt.date(2026, 3, 5) and invoice.period_end == dt.date(2026, 4, 5)
    assert [m.subject for m in mailoutbox] == [f"[NettPortal] Invoice INV-000001 from {org_a.name}"]

    # two days before it is due: one reminder; once overdue: one notice
    assert _cycle(org_a, dt.date(2026, 3, 10), capture)["reminded"] == 1
    assert _cycle(org_a, dt.date(2026, 3, 11), capture)["reminded"] == 0
    assert _cycle(org_a, dt.date(2026, 3, 13), capture)["reminded"] == 1
    assert _cycle(org_a, dt.date(2026, 3, 14), capture)["reminded"] == 0

    # within the grace period the service stays on; after it, suspended once
    assert _cycle(org_a, dt.date(2026, 3, 15), capture)["suspended"] == 0
    assert _cycle(org_a, dt.date(2026, 3, 16), capture)["suspended"] == 1
    assert _cycle(org_a, dt.date(2026, 3, 17), capture)["suspended"] == 0
    with tenant(org_a):
        customer = Customer.objects.get(pk=subscription.customer_id)
    assert customer.status == "suspended"
    assert "is suspended" in mailoutbox[-1].subject

    # when the customer pays by bank transfer quoting the invoice number
    with tenant(org_a), capture(execute=True):
        payment = payment_record_manual(
            organization=org_a,
            actor=owner_a,
            processor="bank_transfer",
            amount="150",
            currency="GHS",
            reference="Payment for inv 000001, Kofi",
        )
    # then the invoice is paid and the service is back on
    with tenant(org_a):
        invoice.refresh_from_db()
        customer.refresh_from_db()
    assert payment.purpose == "invoice" and payment.purpose_ref == str(invoice.pk)
    assert invoice.status == "paid" and invoice.payment_id == payment.pk
    assert customer.status == "active"
    # and next month brings the next invoice
    assert _cycle(org_a, dt.date(2026, 4, 5), capture)["issued"] == 1


@pytest.mark.django_db
def test_staff_suspensions_are_not_undone_by_a_payment(
    org_a, owner_a, subscription, django_capture_on_commit_callbacks
):
    from customers.services.customers import customer_set_status

    _cycle(org_a, dt.date(2026, 3, 5), django_capture_on_commit_callbacks)
    with tenant(org_a):
        customer_set_status(
            customer=subscription.customer, status="suspended"
        )  # staff, not billing
        invoice = Invoice.objects.get()
    with tenant(org_a), django_capture_on_commit_callbacks(execute=True):
        payment_record_manual(
            organization=org_a,
            actor=owner_a,
            processor="cash",
            amount="150",
            currency="GHS",
            reference="RB-0001",
            invoice=invoice,
        )
    with tenant(org_a):
        assert Customer.objects.get(pk=subscription.customer_id).status == "suspended"
        assert Invoice.objects.get().status == "paid"


@pytest.mark.django_db
def test_credit_pays_the_next_invoice(
    org_a, owner_a, subscription, django_capture_on_commit_callbacks
):
    with tenant(org_a), django_capture_on_commit_callbacks(execute=True):
        payment_record_manual(
            organization=org_a,
            actor=owner_a,
            processor="cash",
            amount="200",
            currency="GHS",
            reference="RB-0002",
            customer=subscription.customer,
            as_credit=True,
        )
    _cycle(org_a, dt.date(2026, 3, 5), django_capture_on_commit_callbacks)
    with tenant(org_a):
        assert Invoice.objects.get().status == "paid"
        assert sorted(CreditEntry.objects.values_list("amount", flat=True)) == [
            Decimal("-150.00"),
            Decimal("200.00"),
        ]


@pytest.mark.django_db
def test_the_daily_sweep_runs_each_organisation_with_subscriptions(
    org_a, org_b, subscription, django_capture_on_commit_callbacks
):
    assert billing_cycle_all_task() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reference": ""}, "reference"),
        ({"amount": "0"}, "amount"),
        ({"amount": "10.001"}, "amount"),
        ({"processor": "mpesa"}, "processor"),
        ({"currency": "XXX"}, "currency"),
        ({"amount": "100"}, "amount"),  # less than the invoice
        ({"currency": "KES"}, "currency"),  # not the invoice's currency
    ],
)
def test_bad_manual_payments_change_nothing(
    org_a, owner_a, subscription, kwargs, field, django_capture_on_commit_callbacks
):
    _cycle(org_a, dt.date(2026, 3, 5), django_capture_on_commit_callbacks)
    with tenant(org_a):
        invoice = Invoice.objects.get()
        values = {
            "organization": org_a,
            "actor": owner_a,
            "processor": "cash",
            "amount": "150",
            "currency": "GHS",
            "reference": "RB-9",
            "invoice": invoice,
            **kwargs,
        }
        with pytest.raises(ValidationFailed) as error:
            payment_record_manual(**values)
        assert error.value.field == field
        assert not Payment.objects.exists()
        assert Invoice.objects.get().status == "open"


@pytest.mark.django_db
def test_a_reference_is_recorded_only_once(org_a, owner_a):
    with tenant(org_a):
        payment_record_manual(
            organization=org_a,
            actor=owner_a,
            processor="bank_transfer",
            amount="5",
            currency="GHS",
            reference="ft 123",
        )
        with pytest.raises(ValidationFailed, match="already recorded"):
            payment_record_manual(
                organization=org_a,
                actor=owner_a,
                processor="bank_transfer",
                amount="5",
                currency="GHS",
                reference="FT 123",
            )
        assert Payment.objects.count() == 1
