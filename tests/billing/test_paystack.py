"""Paystack against the fake: our own reference, signed webhooks, verify before value."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tenancy import tenant
from billing.models import CreditEntry, Payment, PaymentEvent
from billing.processors.paystack import signature_for
from billing.services.online import (
    PaymentStartFailed,
    payment_reconcile,
    paystack_payment_start,
    paystack_webhook_url,
)
from tests.billing.conftest import FAKE_PAYSTACK_KEY, path_of, post_delivery, post_json
from tests.customers.factories import CustomerFactory


@pytest.fixture
def customer(org_a):
    with tenant(org_a):
        return CustomerFactory(organization=org_a, email="ada@example.test")


@pytest.fixture
def start(org_a, paystack_account, paystack, customer, django_capture_on_commit_callbacks):
    paystack.webhook_urls[FAKE_PAYSTACK_KEY] = paystack_webhook_url(paystack_account)

    def run(amount="120.50", currency="GHS"):
        with tenant(org_a), django_capture_on_commit_callbacks(execute=True):
            return paystack_payment_start(
                organization=org_a,
                email="ada@example.test",
                amount=amount,
                currency=currency,
                description="Account top-up",
                purpose="topup",
                customer=customer,
            )

    return run


def _reload(org, payment):
    with tenant(org):
        return Payment.objects.get(pk=payment.pk)


def _held(fake):
    with fake.lock:
        batch, fake.held = list(fake.held), []
    return batch


@pytest.mark.django_db
def test_initialise_uses_our_reference_and_the_subunit_amount(start, paystack):
    payment = start()
    transaction = paystack.transactions[payment.reference]
    assert transaction.amount == 12050 and transaction.currency == "GHS"
    assert payment.redirect_url.endswith(f"/checkout/{transaction.access_code}")
    assert payment.status == "pending"
    assert transaction.callback_url.endswith(f"/payments/public/{payment.public_id}/return/")


@pytest.mark.django_db
def test_a_signed_webhook_is_verified_then_paid_once(
    client, start, paystack, org_a, django_capture_on_commit_callbacks
):
    payment = start()
    paystack.callback_copies = 3
    paystack.complete(payment.reference)
    with django_capture_on_commit_callbacks(execute=True):
        answers = [post_delivery(client, d).status_code for d in _held(paystack)]
    assert answers == [200, 200, 200]
    payment = _reload(org_a, payment)
    assert payment.status == "paid"
    assert payment.processor_receipt == payment.reference
    assert payment.processor_reference == str(paystack.transactions[payment.reference].id)
    assert paystack.calls["verify"] == 1  # later copies found it paid already
    with tenant(org_a):
        assert CreditEntry.objects.get().amount == Decimal("120.50")


@pytest.mark.django_db
@pytest.mark.parametrize("forge", ["unsigned", "wrong_signature", "other_key", "tampered_body"])
def test_forged_webhooks_change_nothing(client, start, paystack, paystack_account, org_a, forge):
    payment = start()
    paystack.complete(payment.reference, send_webhook=False)  # Paystack would say success
    body, signature = paystack.signed_webhook(payment.reference)
    headers = {"HTTP_X_PAYSTACK_SIGNATURE": signature}
    if forge == "unsigned":
        headers = {}
    elif forge == "wrong_signature":
        headers["HTTP_X_PAYSTACK_SIGNATURE"] = "0" * 128
    elif forge == "other_key":
        headers["HTTP_X_PAYSTACK_SIGNATURE"] = signature_for("sk_test_attacker", body)
    elif forge == "tampered_body":
        body = body.replace(b'"amount": 12050', b'"amount": 1')
    response = post_json(client, path_of(paystack_webhook_url(paystack_account)), body, **headers)
    assert response.status_code == 401
    assert _reload(org_a, payment).status == "pending"
    assert paystack.calls.get("verify", 0) == 0
    with tenant(org_a):
        assert not PaymentEvent.objects.filter(kind="webhook").exists()


@pytest.mark.django_db
def test_verify_decides_even_for_a_signed_webhook(client, start, paystack, paystack_account, org_a):
    # given a genuine signature over a success claim Paystack's verify does not back up
    payment = start()
    paystack.transactions[payment.reference].status = "success"
    paystack.transactions[payment.reference].amount = 100  # only 1.00 was charged
    body, signature = paystack.signed_webhook(payment.reference)
    response = post_json(
        client,
        path_of(paystack_webhook_url(paystack_account)),
        body,
        HTTP_X_PAYSTACK_SIGNATURE=signature,
    )
    assert response.status_code == 200
    payment = _reload(org_a, payment)
    assert payment.status == "needs_review"
    assert "1.00 GHS paid, but 120.50 GHS was asked" in payment.review_reason
    with tenant(org_a):
        assert not CreditEntry.objects.exists()


@pytest.mark.django_db
def test_wrong_currency_is_not_paid(client, start, paystack, paystack_account, org_a):
    payment = start()
    paystack.transactions[payment.reference].currency = "NGN"
    paystack.complete(payment.reference, send_webhook=False)
    body, signature = paystack.signed_webhook(payment.reference)
    post_json(
        client,
        path_of(paystack_webhook_url(paystack_account)),
        body,
        HTTP_X_PAYSTACK_SIGNATURE=signature,
    )
    assert _reload(org_a, payment).status == "needs_review"


@pytest.mark.django_db
def test_webhooks_for_unknown_references_or_other_events_are_acknowledged_and_ignored(
    client, start, paystack, paystack_account, org_a
):
    payment = start()
    url = path_of(paystack_webhook_url(paystack_account))
    body, signature = paystack.signed_webhook(
        "x", data={"reference": "not-ours", "status": "success"}, secret_key=FAKE_PAYSTACK_KEY
    )
    assert post_json(client, url, body, HTTP_X_PAYSTACK_SIGNATURE=signature).status_code == 200
    body, signature = paystack.signed_webhook(payment.reference, event="transfer.success")
    assert post_json(client, url, body, HTTP_X_PAYSTACK_SIGNATURE=signature).status_code == 200
    assert _reload(org_a, payment).status == "pending"


@pytest.mark.django_db
def test_the_payer_returning_from_checkout_sees_it_paid(
    client, start, paystack, org_a, django_capture_on_commit_callbacks
):
    payment = start()
    paystack.complete(payment.reference, send_webhook=False)  # the webhook is late
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            f"/payments/public/{payment.public_id}/return/?reference={payment.reference}"
        )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert b"Paid" in page.content
    assert _reload(org_a, payment).status == "paid"


@pytest.mark.django_db
def test_declined_and_abandoned_checkouts_end_failed_or_cancelled(start, paystack, org_a):
    declined, abandoned = start(), start()
    paystack.complete(declined.reference, status="failed")
    with tenant(org_a):
        Payment.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
        assert payment_reconcile(payment_id=declined.pk) == "failed"
        assert payment_reconcile(payment_id=abandoned.pk) == "pending"  # may still be typing
        Payment.objects.filter(pk=abandoned.pk).update(
            created_at=timezone.now() - dt.timedelta(hours=2)
        )
        assert payment_reconcile(payment_id=abandoned.pk) == "cancelled"
    assert "Declined" in _reload(org_a, declined).failure_message


@pytest.mark.django_db
def test_unsupported_currency_or_processor_refusal_fails_cleanly(start, paystack, org_a):
    with pytest.raises(PaymentStartFailed, match="does not take payments in EUR"):
        start(currency="EUR")
    paystack.fail(
        "initialize", status=400, body={"status": False, "message": "Invalid Email Address Passed"}
    )
    with pytest.raises(PaymentStartFailed, match="Invalid Email"):
        start()
    with tenant(org_a):
        assert set(Payment.objects.values_list("status", flat=True)) == {"failed"}
