"""Real concurrency on PostgreSQL: the same callbacks, webhooks and status queries
racing each other deliver each payment's value exactly once."""

import json
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from accounts.tenancy import tenant
from billing import fulfilment
from billing.models import DocumentCounter, Fulfilment, Payment
from billing.services.online import (
    mpesa_callback_url,
    mpesa_payment_start,
    payment_confirm,
)
from billing.services.payments import payment_after_paid
from customers.models import CustomerEvent
from tests.billing import handlers
from tests.billing.conftest import path_of
from tests.billing.factories import PaymentFactory
from tests.customers.factories import CustomerFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs PostgreSQL (real row locks)"),
]


@pytest.fixture
def registered():
    fulfilment.register("test-delivery", handlers.record_delivery, label="Test delivery")
    yield
    fulfilment.unregister("test-delivery")


def _race(jobs):
    """Run every job at the same moment, each in its own thread and DB connection."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), []

    def run(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_five_copies_of_a_callback_at_once_deliver_once(
    kenya_org, mpesa_account, daraja, registered
):
    with tenant(kenya_org):
        customer = CustomerFactory(organization=kenya_org)
        payments = [
            mpesa_payment_start(
                organization=kenya_org,
                phone="0712345678",
                amount="20",
                description="Race",
                purpose="test-delivery",
                customer=customer,
            )
            for _ in range(3)
        ]
    url = path_of(mpesa_callback_url(mpesa_account))
    bodies = [json.dumps(daraja.callback_body(p.processor_reference)).encode() for p in payments]

    def post(body):
        return lambda: Client().post(url, data=body, content_type="application/json").status_code

    # 5 copies of each payment's callback, all at once, interleaved (out of order)
    jobs = [post(bodies[i % 3]) for i in range(15)]
    assert _race(jobs) == [200] * 15

    with tenant(kenya_org):
        assert set(Payment.objects.values_list("status", flat=True)) == {"paid"}
        assert CustomerEvent.objects.filter(message__startswith="Delivered").count() == 3
        assert list(Fulfilment.objects.values_list("status", "attempts")) == [("done", 1)] * 3
        numbers = sorted(Payment.objects.values_list("receipt_number", flat=True))
    assert numbers == ["R-000001", "R-000002", "R-000003"]


@pytest.mark.django_db(transaction=True)
def test_callbacks_and_status_queries_racing_deliver_once(
    kenya_org, mpesa_account, daraja, registered
):
    with tenant(kenya_org):
        customer = CustomerFactory(organization=kenya_org)
        payment = mpesa_payment_start(
            organization=kenya_org,
            phone="0712345678",
            amount="20",
            description="Race",
            purpose="test-delivery",
            customer=customer,
        )
    url = path_of(mpesa_callback_url(mpesa_account))
    body = json.dumps(daraja.callback_body(payment.processor_reference)).encode()

    def callback():
        return Client().post(url, data=body, content_type="application/json").status_code

    def query():
        with tenant(kenya_org):
            return payment_confirm(payment_id=payment.pk)

    results = _race([callback, query, callback, query, callback, query, callback, query])
    assert results[0::2] == [200] * 4
    assert set(results[1::2]) <= {"paid", "settled"}
    with tenant(kenya_org):
        assert CustomerEvent.objects.filter(message__startswith="Delivered").count() == 1
        paid = Payment.objects.get(pk=payment.pk)
    assert paid.status == "paid"
    # whoever won, the M-Pesa receipt from the callback is kept
    assert paid.processor_receipt == daraja.transactions[payment.processor_reference].receipt


@pytest.mark.django_db(transaction=True)
def test_a_repeat_of_a_settled_callback_does_not_wait_for_the_row_lock(
    kenya_org, mpesa_account, daraja, registered
):
    """While another transaction holds the payment row (the after-payment task
    numbering its receipt), a duplicate callback is answered at once and writes
    nothing."""
    import psycopg

    with tenant(kenya_org):
        payment = mpesa_payment_start(
            organization=kenya_org,
            phone="0712345678",
            amount="20",
            description="Repeat",
            purpose="test-delivery",
            customer=CustomerFactory(organization=kenya_org),
        )
    url = path_of(mpesa_callback_url(mpesa_account))
    body = json.dumps(daraja.callback_body(payment.processor_reference)).encode()
    assert Client().post(url, data=body, content_type="application/json").status_code == 200
    with tenant(kenya_org):
        before = Payment.objects.values_list("status", "updated_at", "receipt_number").get()
        events = payment.events.count()

    answers = []

    def repeat():
        try:
            answers.append(Client().post(url, data=body, content_type="application/json"))
        finally:
            connection.close()

    with psycopg.connect(**connection.get_connection_params()) as holder:
        holder.execute(
            f"SELECT id FROM {Payment._meta.db_table} WHERE id = %s FOR UPDATE",  # noqa: S608
            [payment.pk],
        )
        sender = threading.Thread(target=repeat)
        sender.start()
        sender.join(timeout=10)
        waited = sender.is_alive()  # still blocked behind the held row
        holder.rollback()
    sender.join()
    assert not waited
    answer = answers[0]
    assert answer.status_code == 200
    with tenant(kenya_org):
        assert Payment.objects.values_list("status", "updated_at", "receipt_number").get() == before
        assert payment.events.count() == events
        assert list(Fulfilment.objects.values_list("attempts", flat=True)) == [1]


@pytest.mark.django_db(transaction=True)
def test_after_payment_tasks_racing_deliver_and_number_once(kenya_org, registered):
    """Four runs of the after-payment task for one payment at once (a retried task and
    the retry sweep): its locking reads let one deliver and number, the rest find it done."""
    with tenant(kenya_org):
        payment = PaymentFactory(
            organization=kenya_org,
            status="paid",
            purpose="test-delivery",
            customer=CustomerFactory(organization=kenya_org),
        )
        Fulfilment.objects.create(organization=kenya_org, payment=payment, purpose="test-delivery")

    def after_paid():
        with tenant(kenya_org):
            return payment_after_paid(payment_id=payment.pk)

    assert sorted(_race([after_paid] * 4)) == ["done", "nothing", "nothing", "nothing"]
    with tenant(kenya_org):
        assert CustomerEvent.objects.filter(message__startswith="Delivered").count() == 1
        assert Payment.objects.get(pk=payment.pk).receipt_number == "R-000001"
        assert list(DocumentCounter.objects.values_list("value", flat=True)) == [1]
