"""The hand-written locking reads of the after-payment task load what the ORM would,
and only rows of the organisation they are given."""

import datetime as dt

import pytest
from django.db import transaction
from django.db.transaction import TransactionManagementError

from accounts.tenancy import TenantNotActive, tenant
from billing.models import Fulfilment, Payment
from billing.selectors import paid_payment_for_update, pending_fulfilment_for_update
from billing.services.payments import payment_after_paid, receipt_number_assign
from customers.models import Customer
from tests.billing.factories import PaymentFactory
from tests.customers.factories import CustomerFactory
from tests.nettportal.test_db import orm_fields

pytestmark = pytest.mark.django_db

PAID_AT = dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC)


def _paid(org, **extra):
    return PaymentFactory(
        organization=org, status="paid", paid_at=PAID_AT, purpose="topup", **extra
    )


def test_the_pending_fulfilment_loads_with_its_payment_as_the_orm_does(org_a):
    with tenant(org_a):
        payment = _paid(org_a, customer=CustomerFactory(organization=org_a))
        Fulfilment.objects.create(organization=org_a, payment=payment, purpose="topup")
        with transaction.atomic():
            item = pending_fulfilment_for_update(organization_id=org_a.pk, payment_id=payment.pk)
        expected = Fulfilment.objects.select_related("payment").get(payment=payment)
    assert item is not None and item.__dict__.keys() >= {"id", "status", "result"}
    assert orm_fields(item) == orm_fields(expected)
    assert orm_fields(item.payment) == orm_fields(expected.payment)
    assert item.payment.paid_at == PAID_AT and item.result == {}


def test_no_pending_fulfilment_once_done_or_in_another_organisation(org_a, org_b):
    with tenant(org_a):
        payment = _paid(org_a)
        item = Fulfilment.objects.create(organization=org_a, payment=payment, purpose="topup")
    assert pending_fulfilment_for_update(organization_id=org_b.pk, payment_id=payment.pk) is None
    with tenant(org_a):
        Fulfilment.objects.filter(pk=item.pk).update(status="done")
    assert pending_fulfilment_for_update(organization_id=org_a.pk, payment_id=payment.pk) is None


def test_the_paid_payment_loads_with_its_customer_and_organisation(org_a):
    """Every field of the payment and of its customer, as the ORM loads them."""
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a, email="payer@example.com")
        payment = _paid(org_a, customer=customer)
        found = paid_payment_for_update(organization=org_a, payment_id=payment.pk)
        expected = Payment.objects.get(pk=payment.pk)
        expected_customer = Customer.objects.get(pk=customer.pk)
    assert orm_fields(found) == orm_fields(expected)
    assert found.organization is org_a
    assert found.customer.pk == customer.pk and found.customer.email == "payer@example.com"
    assert orm_fields(found.customer) == orm_fields(expected_customer)


def test_a_payment_without_customer_has_none(org_a):
    with tenant(org_a):
        payment = _paid(org_a)
    found = paid_payment_for_update(organization=org_a, payment_id=payment.pk)
    assert found is not None and found.customer is None


@pytest.mark.parametrize("status", ["pending", "failed", "needs_review", "cancelled"])
def test_unpaid_payments_are_not_numbered(org_a, status):
    with tenant(org_a):
        payment = PaymentFactory(organization=org_a, status=status)
    assert paid_payment_for_update(organization=org_a, payment_id=payment.pk) is None


def test_another_organisations_payment_is_not_found(org_a, org_b):
    with tenant(org_a):
        payment = _paid(org_a)
    assert paid_payment_for_update(organization=org_b, payment_id=payment.pk) is None
    assert paid_payment_for_update(organization=org_a, payment_id=payment.pk) is not None


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_outside_a_transaction_is_refused(org_a):
    with tenant(org_a):
        payment = _paid(org_a)
    with pytest.raises(TransactionManagementError):
        paid_payment_for_update(organization=org_a, payment_id=payment.pk)
    with pytest.raises(TransactionManagementError):
        pending_fulfilment_for_update(organization_id=org_a.pk, payment_id=payment.pk)


def test_numbering_needs_the_payments_organisation_active(org_a, org_b):
    with tenant(org_a):
        payment = _paid(org_a)
    with pytest.raises(TenantNotActive):
        receipt_number_assign(payment_id=payment.pk)
    with tenant(org_b):
        assert receipt_number_assign(payment_id=payment.pk) == ""
    with tenant(org_a):
        assert receipt_number_assign(payment_id=payment.pk) == "R-000001"
        assert Payment.objects.get(pk=payment.pk).receipt_number == "R-000001"


@pytest.mark.parametrize(
    ("customer_email", "payer_email", "sent_before", "emailed_to"),
    [
        ("owner@example.com", "", False, "owner@example.com"),
        ("", "payer@example.com", False, "payer@example.com"),
        ("", "", False, None),
        ("owner@example.com", "", True, None),
    ],
)
def test_the_after_payment_task_emails_a_receipt_only_when_one_is_due(
    org_a,
    mailoutbox,
    django_capture_on_commit_callbacks,
    customer_email,
    payer_email,
    sent_before,
    emailed_to,
):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a, email=customer_email)
        payment = _paid(
            org_a,
            customer=customer,
            payer_email=payer_email,
            receipt_sent_at=PAID_AT if sent_before else None,
        )
        Fulfilment.objects.create(organization=org_a, payment=payment, purpose="topup")
        with django_capture_on_commit_callbacks(execute=True):
            assert payment_after_paid(payment_id=payment.pk) == "done"
        numbered = Payment.objects.get(pk=payment.pk)
    assert numbered.receipt_number == "R-000001"
    assert [m.to for m in mailoutbox] == ([[emailed_to]] if emailed_to else [])
    assert (numbered.receipt_sent_at is not None) == (sent_before or emailed_to is not None)
