"""Exactly-once fulfilment through the registry, with real handlers that write rows."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.tenancy import tenant
from billing import fulfilment
from billing.models import Fulfilment, Payment
from billing.services.payments import (
    fulfilment_retry,
    fulfilment_run,
    payment_create,
    payment_mark_paid,
)
from billing.tasks import retry_fulfilments_task
from customers.models import CustomerEvent
from tests.billing import handlers
from tests.customers.factories import CustomerFactory


@pytest.fixture
def registered():
    fulfilment.register("test-delivery", handlers.record_delivery, label="Test delivery")
    fulfilment.register("test-crash", handlers.crash, label="Crashing")
    handlers.router_offline.clear()
    yield
    fulfilment.unregister("test-delivery")
    fulfilment.unregister("test-crash")
    handlers.router_offline.clear()


@pytest.fixture
def make_payment(org_a, registered):
    def make(purpose="test-delivery"):
        with tenant(org_a):
            customer = CustomerFactory(organization=org_a)
            return payment_create(
                organization=org_a,
                processor="cash",
                amount="10",
                currency="GHS",
                purpose=purpose,
                purpose_label="Thing",
                customer=customer,
            )

    return make


def _deliveries(org):
    with tenant(org):
        return CustomerEvent.objects.filter(message__startswith="Delivered").count()


@pytest.mark.django_db
def test_paid_twice_and_run_many_times_delivers_once(
    org_a, make_payment, django_capture_on_commit_callbacks
):
    payment = make_payment()
    with tenant(org_a), django_capture_on_commit_callbacks(execute=True):
        assert payment_mark_paid(payment=payment, source="manual") is True
        assert payment_mark_paid(payment=payment, source="manual") is False
    with tenant(org_a):  # the task already ran after commit; more runs do nothing
        assert [fulfilment_run(payment_id=payment.pk) for _ in range(3)] == ["nothing"] * 3
    assert _deliveries(org_a) == 1
    with tenant(org_a):
        item = Fulfilment.objects.get(payment=payment)
    assert item.status == "done" and item.attempts == 1
    assert item.result["display"]["value"].startswith("CODE-")


@pytest.mark.django_db
def test_an_offline_router_postpones_delivery_and_a_later_run_delivers(
    org_a, make_payment, django_capture_on_commit_callbacks
):
    # given the router is offline when the payment is paid
    handlers.router_offline.set()
    payment = make_payment()
    with tenant(org_a), django_capture_on_commit_callbacks(execute=True):
        payment_mark_paid(payment=payment, source="manual")
    with tenant(org_a):
        item = Fulfilment.objects.get(payment=payment)
    assert item.status == "pending" and item.attempts == 1
    assert item.last_error == "The router is offline"
    assert item.next_attempt_at > timezone.now()
    assert _deliveries(org_a) == 0
    # when the sweep runs before the back-off: nothing happens
    assert retry_fulfilments_task() == 0
    # when the router is back and the back-off has passed
    handlers.router_offline.clear()
    with tenant(org_a):
        Fulfilment.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert retry_fulfilments_task() == 1
    assert _deliveries(org_a) == 1
    with tenant(org_a):
        assert Fulfilment.objects.get().status == "done"


@pytest.mark.django_db
def test_a_crashing_handler_fails_the_delivery_not_the_payment(
    org_a, owner_a, make_payment, django_capture_on_commit_callbacks
):
    payment = make_payment(purpose="test-crash")
    with tenant(org_a), django_capture_on_commit_callbacks(execute=True):
        payment_mark_paid(payment=payment, source="manual")
    with tenant(org_a):
        item = Fulfilment.objects.get()
        assert item.status == "failed" and item.last_error == "RuntimeError in the handler"
        assert Payment.objects.get().status == "paid"
    # staff retry after the cause is fixed
    fulfilment.unregister("test-crash")
    fulfilment.register("test-crash", handlers.record_delivery)
    with tenant(org_a), django_capture_on_commit_callbacks(execute=True):
        assert fulfilment_retry(payment=payment, actor=owner_a) is True
    assert _deliveries(org_a) == 1


@pytest.mark.django_db
def test_a_purpose_nobody_handles_yet_waits(
    org_a, make_payment, django_capture_on_commit_callbacks
):
    payment = make_payment()
    fulfilment.unregister("test-delivery")
    with tenant(org_a), django_capture_on_commit_callbacks(execute=True):
        payment_mark_paid(payment=payment, source="manual")
    with tenant(org_a):
        item = Fulfilment.objects.get()
    assert item.status == "pending" and "Nothing handles 'test-delivery'" in item.last_error


@pytest.mark.django_db
def test_a_refund_before_delivery_stops_it(org_a, owner_a, make_payment):
    from billing.services.payments import payment_refund

    payment = make_payment()
    with tenant(org_a):
        payment_mark_paid(payment=payment, source="manual")  # on_commit not run: not delivered
        payment_refund(payment=payment, actor=owner_a, note="Returned in cash")
        assert fulfilment_run(payment_id=payment.pk) == "nothing"
    assert _deliveries(org_a) == 0


def test_registering_a_second_handler_for_a_purpose_is_refused():
    fulfilment.register("dup-test", handlers.record_delivery)
    try:
        with pytest.raises(ValueError, match="already registered"):
            fulfilment.register("dup-test", handlers.crash)
    finally:
        fulfilment.unregister("dup-test")


@pytest.mark.django_db
def test_unknown_purposes_are_refused_when_creating_a_payment(org_a):
    from nettportal.errors import ValidationFailed

    with tenant(org_a), pytest.raises(ValidationFailed):
        payment_create(
            organization=org_a, processor="cash", amount="1", currency="GHS", purpose="nope"
        )


@pytest.mark.django_db
def test_the_sweep_finishes_a_payment_whose_after_payment_task_was_lost(
    org_a, make_payment, django_capture_on_commit_callbacks
):
    # given a paid payment whose task never reached the broker
    payment = make_payment()
    with tenant(org_a):
        payment_mark_paid(payment=payment, source="manual")  # on_commit callbacks dropped
        Payment.objects.update(paid_at=timezone.now() - dt.timedelta(minutes=5))
        Fulfilment.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert _deliveries(org_a) == 0
    # when the minute sweep runs
    with django_capture_on_commit_callbacks(execute=True):
        retry_fulfilments_task()
    # then it is delivered once and numbered
    assert _deliveries(org_a) == 1
    with tenant(org_a):
        assert Payment.objects.get().receipt_number == "R-000001"
