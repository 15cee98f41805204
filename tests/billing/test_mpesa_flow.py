"""M-Pesa STK Push end to end against the fake Daraja: callbacks (real, forged,
duplicate, late, lost), reconciliation, timeouts. The fake holds its callbacks
so each test decides when, how often and in which order they arrive."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tenancy import tenant
from billing.models import CreditEntry, Fulfilment, Payment, PaymentEvent
from billing.services.online import (
    PaymentStartFailed,
    mpesa_payment_start,
    payment_reconcile,
    payments_due_for_reconciliation,
)
from billing.tasks import reconcile_payments_task
from nettportal.errors import ValidationFailed
from tests.billing.conftest import path_of, post_delivery, post_json
from tests.customers.factories import CustomerFactory


@pytest.fixture
def customer(kenya_org):
    with tenant(kenya_org):
        return CustomerFactory(
            organization=kenya_org, phone="+254712345678", email="wanjiku@example.test"
        )


@pytest.fixture
def start(kenya_org, mpesa_account, customer, django_capture_on_commit_callbacks):
    """``start(amount=50, phone=...)`` → a pending top-up payment sent to the fake Daraja."""

    def run(amount="50", phone="0712345678", **extra):
        with tenant(kenya_org), django_capture_on_commit_callbacks(execute=True):
            return mpesa_payment_start(
                organization=kenya_org,
                phone=phone,
                amount=amount,
                description="Account top-up",
                purpose="topup",
                customer=customer,
                **extra,
            )

    return run


def _held(daraja):
    with daraja.lock:
        batch, daraja.held = list(daraja.held), []
    return batch


def _reload(org, payment):
    with tenant(org):
        return Payment.objects.get(pk=payment.pk)


def _state(org):
    with tenant(org):
        return (
            list(
                Payment.objects.values_list(
                    "status", "processor_receipt", "receipt_number"
                ).order_by("pk")
            ),
            CreditEntry.objects.count(),
            Fulfilment.objects.filter(status="done").count(),
        )


@pytest.mark.django_db
def test_a_paid_callback_settles_the_payment_and_delivers_once(
    client, start, daraja, kenya_org, customer, django_capture_on_commit_callbacks, mailoutbox
):
    # given an STK push the payer has answered
    payment = start()
    assert payment.status == "pending" and payment.processor_reference.startswith("ws_CO_")
    [delivery] = _held(daraja)

    # when Daraja's callback arrives
    with django_capture_on_commit_callbacks(execute=True):
        response = post_delivery(client, delivery)

    # then it is paid with the M-Pesa receipt, credit is given once and a receipt emailed
    assert response.status_code == 200 and response.json()["ResultCode"] == 0
    payment = _reload(kenya_org, payment)
    assert payment.status == "paid"
    assert payment.processor_receipt == daraja.transactions[payment.processor_reference].receipt
    assert payment.receipt_number == "R-000001"
    with tenant(kenya_org):
        assert CreditEntry.objects.get().amount == Decimal("50.00")
        assert payment.fulfilment.status == "done"
        stored = PaymentEvent.objects.filter(payment=payment, kind="callback").get().payload
    assert "254712345678" not in json.dumps(stored)  # the phone is masked in stored payloads
    assert [m.subject for m in mailoutbox] == [
        f"[NettPortal] Receipt R-000001 from {kenya_org.name}"
    ]
    assert mailoutbox[0].alternatives[0][1] == "text/html"


@pytest.mark.django_db
def test_the_same_callback_five_times_fulfils_once(
    client, start, daraja, kenya_org, django_capture_on_commit_callbacks
):
    payment = start()
    daraja.callback_copies = 5
    daraja.held.clear()
    daraja.transactions[payment.processor_reference].completed = False
    daraja.complete(payment.processor_reference)
    deliveries = _held(daraja)
    assert len(deliveries) == 5
    with django_capture_on_commit_callbacks(execute=True):
        answers = [post_delivery(client, d).status_code for d in deliveries]
    assert answers == [200] * 5
    with tenant(kenya_org):
        assert CreditEntry.objects.count() == 1
        assert Fulfilment.objects.get().attempts == 1
        # repeats leave no trace beyond the log: one callback, one delivery, one receipt
        assert list(PaymentEvent.objects.values_list("kind", flat=True).order_by("id")) == [
            "created",
            "start",
            "callback",
            "fulfilment",
            "receipt",
        ]


@pytest.mark.django_db
def test_callbacks_of_many_payments_out_of_order_settle_each_once(
    client, start, daraja, kenya_org, django_capture_on_commit_callbacks
):
    daraja.outcomes = {"254711000001": 1032, "254711000002": 1}
    payments = [start(phone=p) for p in ("0711000001", "0711000002", "0711000003", "0711000004")]
    deliveries = _held(daraja) * 2  # each twice
    deliveries.reverse()
    with django_capture_on_commit_callbacks(execute=True):
        for delivery in deliveries:
            assert post_delivery(client, delivery).status_code == 200
    statuses = [_reload(kenya_org, p).status for p in payments]
    assert statuses == ["cancelled", "failed", "paid", "paid"]
    with tenant(kenya_org):
        assert CreditEntry.objects.count() == 2
    assert _reload(kenya_org, payments[1]).failure_message == (
        "The M-Pesa balance was too low for this payment."
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "forge",
    ["wrong_token", "unknown_checkout", "wrong_amount", "wrong_merchant", "unknown_account"],
)
def test_forged_callbacks_change_nothing(
    client, start, daraja, kenya_org, forge, django_capture_on_commit_callbacks
):
    # given a pending payment and the callback Daraja would send
    payment = start()
    [real] = _held(daraja)
    body = daraja.callback_body(payment.processor_reference)
    path = path_of(real.url)
    if forge == "wrong_token":
        path = path.rsplit("/", 2)[0] + "/not-the-token/"
    elif forge == "unknown_checkout":
        body["Body"]["stkCallback"]["CheckoutRequestID"] = "ws_CO_000000000000000000"
    elif forge == "wrong_amount":
        body = daraja.callback_body(payment.processor_reference, amount=1)
    elif forge == "wrong_merchant":
        body = daraja.callback_body(payment.processor_reference, merchant_request_id="1-2-3")
    elif forge == "unknown_account":
        path = path.replace(f"/mpesa/{payment.processor_account.callback_key}/", "/mpesa/nope/")
    before = _state(kenya_org)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(client, path, body)

    assert 400 <= response.status_code < 500
    assert response.json()["ResultCode"] != 0
    assert _state(kenya_org) == before
    with tenant(kenya_org):
        assert not PaymentEvent.objects.filter(kind="callback").exists()


@pytest.mark.django_db
def test_a_receipt_cannot_pay_two_payments(
    client, start, daraja, kenya_org, django_capture_on_commit_callbacks
):
    first, second = start(), start()
    deliveries = _held(daraja)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_delivery(client, deliveries[0]).status_code == 200
    receipt = _reload(kenya_org, first).processor_receipt
    replay = daraja.callback_body(second.processor_reference, receipt=receipt)
    response = post_json(client, path_of(deliveries[1].url), replay)
    assert response.status_code == 409
    assert _reload(kenya_org, second).status == "pending"


@pytest.mark.django_db
def test_failure_then_late_success_pays_but_success_is_never_undone(
    client, start, daraja, kenya_org, django_capture_on_commit_callbacks
):
    payment = start()
    [real] = _held(daraja)
    path = path_of(real.url)
    cancelled = daraja.callback_body(payment.processor_reference, result_code=1037)
    with django_capture_on_commit_callbacks(execute=True):
        post_json(client, path, cancelled)
        assert _reload(kenya_org, payment).status == "failed"
        post_delivery(client, real)  # the payer did pay after all
        assert _reload(kenya_org, payment).status == "paid"
        post_json(client, path, cancelled)  # a stale failure cannot undo it
    assert _reload(kenya_org, payment).status == "paid"
    with tenant(kenya_org):
        assert CreditEntry.objects.count() == 1


@pytest.mark.django_db
def test_confirm_with_query_waits_for_darajas_status_query(
    client, start, daraja, kenya_org, mpesa_account, django_capture_on_commit_callbacks
):
    with tenant(kenya_org):
        mpesa_account.confirm_with_query = True
        mpesa_account.save()
    payment = start()
    [delivery] = _held(daraja)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_delivery(client, delivery).status_code == 200
    payment = _reload(kenya_org, payment)
    assert payment.status == "paid"
    assert payment.processor_receipt == daraja.transactions[payment.processor_reference].receipt
    assert daraja.calls["query"] == 1


@pytest.mark.django_db
def test_confirm_with_query_does_not_trust_a_callback_daraja_denies(
    client, start, daraja, kenya_org, mpesa_account, django_capture_on_commit_callbacks
):
    with tenant(kenya_org):
        mpesa_account.confirm_with_query = True
        mpesa_account.save()
    daraja.outcomes = {"254712345678": 1032}
    payment = start()
    _held(daraja)
    forged_success = daraja.callback_body(payment.processor_reference, result_code=0)
    path = path_of(daraja.transactions[payment.processor_reference].callback_url)
    with django_capture_on_commit_callbacks(execute=True):
        post_json(client, path, forged_success)
    assert _reload(kenya_org, payment).status == "cancelled"
    with tenant(kenya_org):
        assert CreditEntry.objects.count() == 0


@pytest.mark.django_db
def test_a_lost_callback_is_settled_by_reconciliation(
    start, daraja, kenya_org, django_capture_on_commit_callbacks
):
    # given a payment whose callback never arrives
    daraja.callback_mode = "drop"
    payment = start()
    with tenant(kenya_org):
        Payment.objects.filter(pk=payment.pk).update(
            created_at=timezone.now() - dt.timedelta(minutes=3)
        )

    # when the reconciliation sweep runs (tasks run inline in tests)
    with django_capture_on_commit_callbacks(execute=True):
        queued = reconcile_payments_task()

    # then the STK query settled it and the value was delivered
    assert queued == 1
    payment = _reload(kenya_org, payment)
    assert payment.status == "paid" and payment.processor_receipt == ""
    with tenant(kenya_org):
        assert CreditEntry.objects.count() == 1
    assert payments_due_for_reconciliation() == []


@pytest.mark.django_db
def test_reconciliation_flags_what_it_cannot_settle_and_never_downgrades(
    start, daraja, kenya_org, django_capture_on_commit_callbacks
):
    daraja.complete_after = 3600  # the payer never answers
    stuck = start()
    paid = start()
    with tenant(kenya_org):
        Payment.objects.filter(pk=paid.pk).update(status="paid", paid_at=timezone.now())
        Payment.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
        assert payment_reconcile(payment_id=stuck.pk) == "review"
        assert payment_reconcile(payment_id=paid.pk) == "settled"
    stuck = _reload(kenya_org, stuck)
    assert stuck.status == "needs_review"
    assert "still processing" in stuck.review_reason
    assert _reload(kenya_org, paid).status == "paid"
    # a later answer still settles the one under review
    daraja.complete(stuck.processor_reference, result_code=0)
    with tenant(kenya_org), django_capture_on_commit_callbacks(execute=True):
        assert payment_reconcile(payment_id=stuck.pk) == "paid"


@pytest.mark.django_db
def test_a_timeout_at_start_leaves_a_clean_pending_payment(
    start, daraja, kenya_org, settings, django_capture_on_commit_callbacks
):
    settings.BILLING_PROCESSOR_TIMEOUT = 1
    daraja.fail("push", delay=2.5)
    with pytest.raises(PaymentStartFailed, match="in time") as failure:
        start()
    payment = _reload(kenya_org, failure.value.payment)
    assert payment.status == "pending"
    assert payment.processor_reference is None
    with tenant(kenya_org):
        assert list(payment.events.values_list("kind", flat=True)) == ["created", "start_failed"]
        Payment.objects.update(created_at=timezone.now() - dt.timedelta(minutes=3))
        assert payment_reconcile(payment_id=payment.pk) == "review"
    assert "never confirmed" in _reload(kenya_org, payment).review_reason


@pytest.mark.django_db
def test_a_refused_request_fails_the_payment_with_darajas_reason(start, daraja, kenya_org):
    daraja.fail(
        "push",
        status=400,
        body={
            "requestId": "1",
            "errorCode": "400.002.02",
            "errorMessage": "Bad Request - Invalid PhoneNumber",
        },
    )
    with pytest.raises(PaymentStartFailed) as failure:
        start()
    payment = _reload(kenya_org, failure.value.payment)
    assert payment.status == "failed"
    assert "Invalid PhoneNumber" in payment.failure_message


@pytest.mark.django_db
def test_bad_input_is_refused_before_anything_is_written(start, kenya_org):
    for kwargs, field in (({"phone": "0201234567"}, "phone"), ({"amount": "10.50"}, "amount")):
        with pytest.raises(ValidationFailed) as error:
            start(**kwargs)
        assert error.value.field == field
    with tenant(kenya_org):
        assert not Payment.objects.exists()
