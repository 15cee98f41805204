"""Paystack (cards and mobile money in Nigeria, Ghana, Kenya, South Africa …).

* ``POST /transaction/initialize`` with our own unique reference; the payer is
  sent to Paystack's ``authorization_url``.
* Webhooks are trusted only with a valid ``x-paystack-signature``: the
  HMAC-SHA512 of the raw body under the secret key, compared in constant time.
* Even a signed webhook gives no value on its own: ``GET
  /transaction/verify/<reference>`` must say ``success`` with the amount and
  currency we asked for (see :mod:`billing.services.paystack`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from decimal import Decimal
from urllib.parse import quote

from django.conf import settings

from billing.processors.base import (
    NotificationRejected,
    Outcome,
    PaymentProcessor,
    ProcessorRejected,
    ProcessorUnavailable,
    StartRequest,
    StartResult,
    StatusResult,
    http_request,
    json_body,
    minimise,
)

SUPPORTED_CURRENCIES = {"NGN", "GHS", "KES", "ZAR", "USD", "XOF"}
STATUSES = {
    "success": (Outcome.PAID, "Paid."),
    "failed": (Outcome.FAILED, "The payment failed."),
    "reversed": (Outcome.FAILED, "The payment was reversed."),
    "abandoned": (Outcome.PENDING, "The payer has not finished paying."),
    "ongoing": (Outcome.PENDING, "The payer is still paying."),
    "pending": (Outcome.PENDING, "Paystack is still processing the payment."),
    "processing": (Outcome.PENDING, "Paystack is still processing the payment."),
    "queued": (Outcome.PENDING, "Paystack is still processing the payment."),
}


def to_subunit(amount: Decimal) -> int:
    """Paystack amounts are integers in the currency's subunit (kobo, pesewas, cents)."""
    value = amount * 100
    if value != value.to_integral_value():
        raise ProcessorRejected("Amounts can have at most two decimals.")
    return int(value)


def from_subunit(value) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))
    except (ValueError, ArithmeticError):
        return None


def signature_for(secret_key: str, body: bytes) -> str:
    return hmac.new(secret_key.encode(), body, hashlib.sha512).hexdigest()


def _parse_time(value):
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class PaystackProcessor(PaymentProcessor):
    kind = "paystack"

    @property
    def base_url(self) -> str:
        return settings.BILLING_PAYSTACK_BASE_URL

    def _secret(self) -> str:
        secret = self.account.secret("secret_key")
        if not secret:
            raise ProcessorRejected("Enter the Paystack secret key.")
        return secret

    def _call(self, method: str, path: str, **kwargs):
        response = http_request(
            method,
            f"{self.base_url}{path}",
            headers={"Authorization": f"Bearer {self._secret()}"},
            **kwargs,
        )
        body = json_body(response)
        if response.status_code >= 500:
            raise ProcessorUnavailable("Paystack is not answering properly; try again later.")
        if response.status_code == 401:
            raise ProcessorRejected("Paystack refused the secret key.", code="401")
        return response, body

    def start(self, request: StartRequest) -> StartResult:
        if request.currency not in SUPPORTED_CURRENCIES:
            raise ProcessorRejected(f"Paystack does not take payments in {request.currency}.")
        if not request.email:
            raise ProcessorRejected("Paystack needs an email address for the payer.")
        payload = {
            "email": request.email,
            "amount": to_subunit(request.amount),
            "currency": request.currency,
            "reference": request.reference,
            "callback_url": request.return_url,
            "metadata": {"description": request.description[:100]},
        }
        response, body = self._call("POST", "/transaction/initialize", json=payload)
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        url = data.get("authorization_url")
        if response.status_code != 200 or body.get("status") is not True or not url:
            message = str(body.get("message") or "Paystack refused the payment.")[:200]
            raise ProcessorRejected(f"Paystack refused the payment: {message}")
        return StartResult(
            processor_reference=str(data.get("reference") or request.reference)[:100],
            request_id=str(data.get("access_code", ""))[:100],
            redirect_url=str(url),
            payload=minimise(body),
        )

    def check_signature(self, body: bytes, headers) -> None:
        given = str(headers.get("x-paystack-signature") or "")
        expected = signature_for(self._secret(), body)
        if not given or not hmac.compare_digest(
            given.encode("utf-8", "replace"), expected.encode()
        ):
            raise NotificationRejected("The webhook signature is missing or wrong.", status=401)

    def parse_notification(self, *, body: bytes, headers=None, url_token: str = "") -> StatusResult:
        try:
            self.check_signature(body, headers or {})
        except ProcessorRejected as exc:  # no secret key configured: nothing can be verified
            raise NotificationRejected("This account cannot verify webhooks.", status=403) from exc
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise NotificationRejected("The webhook is not JSON.") from exc
        if not isinstance(data, dict) or not isinstance(data.get("event"), str):
            raise NotificationRejected("The webhook has no event.")
        transaction = data.get("data")
        if not isinstance(transaction, dict):
            raise NotificationRejected("The webhook has no data.")
        reference = transaction.get("reference")
        if not isinstance(reference, str) or not reference or len(reference) > 100:
            raise NotificationRejected("The webhook has no transaction reference.")
        # Only the event tells us something might have changed; verify decides.
        outcome = Outcome.PENDING if data["event"] == "charge.success" else Outcome.UNKNOWN
        return StatusResult(
            outcome=outcome,
            reference=reference,
            code=data["event"][:40],
            message=f"Paystack event {data['event'][:40]}",
            payload=minimise(data),
        )

    def verify(self, reference: str) -> StatusResult:
        response, body = self._call("GET", f"/transaction/verify/{quote(reference, safe='')}")
        data = body.get("data") if isinstance(body.get("data"), dict) else None
        if response.status_code == 404 or (response.status_code == 400 and data is None):
            return StatusResult(
                outcome=Outcome.UNKNOWN,
                reference=reference,
                message="Paystack does not know this payment (it was never opened).",
                payload=minimise(body),
            )
        if response.status_code != 200 or body.get("status") is not True or data is None:
            raise ProcessorRejected(
                f"Paystack refused the verification: {str(body.get('message', ''))[:200]}"
            )
        status = str(data.get("status", ""))
        outcome, message = STATUSES.get(status, (Outcome.UNKNOWN, f"Paystack status {status!r}."))
        if outcome == Outcome.FAILED and data.get("gateway_response"):
            message = f"{message} {str(data['gateway_response'])[:150]}"
        return StatusResult(
            outcome=outcome,
            processor_reference=str(data.get("id", ""))[:100],
            reference=str(data.get("reference", "")),
            amount=from_subunit(data.get("amount")),
            currency=str(data.get("currency", "")),
            receipt=str(data.get("reference", ""))[:100] if outcome == Outcome.PAID else "",
            code=status[:20],
            message=message,
            paid_at=_parse_time(data.get("paid_at") or data.get("paidAt")),
            payload=minimise(body),
        )

    def query(self, payment) -> StatusResult:
        return self.verify(payment.reference)

    def test_credentials(self) -> str:
        response, body = self._call("GET", "/balance")
        if response.status_code != 200 or body.get("status") is not True:
            raise ProcessorRejected(
                f"Paystack refused the secret key: {str(body.get('message', ''))[:200]}"
            )
        return "Paystack accepted the secret key."
