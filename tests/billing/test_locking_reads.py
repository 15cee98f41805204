"""The hand-written locking reads of the after-payment task load what the ORM would,
and only rows of the organisation they are given."""

import datetime as dt

import pytest
from django.db import transaction

from accounts.tenancy import tenant
from billing.models import Fulfilment, Payment
from billing.selectors import paid_payment_for_update, pending_fulfilment_for_update
from tests.billing.factories import PaymentFactory
from tests.customers.factories import CustomerFactory

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
    fields = [f.attname for f in Fulfilment._meta.concrete_fields]
    assert [getattr(item, f) for f in fields] == [getattr(expected, f) for f in fields]
    payment_fields = [f.attname for f in Payment._meta.concrete_fields]
    assert [getattr(item.payment, f) for f in payment_fields] == [
        getattr(expected.payment, f) for f in payment_fields
    ]
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
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a, email="payer@example.com")
        payment = _paid(org_a, customer=customer)
        found = paid_payment_for_update(organization=org_a, payment_id=payment.pk)
        expected = Payment.objects.get(pk=payment.pk)
    fields = [f.attname for f in Payment._meta.concrete_fields]
    assert [getattr(found, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert found.organization is org_a
    assert found.customer.pk == customer.pk and found.customer.email == "payer@example.com"


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
