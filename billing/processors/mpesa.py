"""M-Pesa Daraja STK Push (Lipa na M-Pesa Online).

* OAuth client-credentials token, cached until shortly before it expires.
* ``processrequest`` with ``Password = base64(shortcode + passkey + timestamp)``
  (timestamp ``YYYYMMDDHHMMSS`` in Kenyan time), PayBill or Buy Goods (till),
  whole-shilling amounts, phone ``2547XXXXXXXX``/``2541XXXXXXXX``,
  ``AccountReference`` ≤ 12 and ``TransactionDesc`` ≤ 13 characters.
* The synchronous answer only means "accepted": the payment stays pending
  until a callback or a status query says how it ended.
* Callbacks are unsigned. They arrive at a per-organisation secret URL whose
  token is compared in constant time here; the caller then checks the IDs and
  amount against the request we made (see :mod:`billing.services.mpesa`).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import zoneinfo
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError

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
from nettportal.phones import normalize_phone

KENYA = zoneinfo.ZoneInfo("Africa/Nairobi")
HOSTS = {
    "sandbox": "https://sandbox.safaricom.co.ke",
    "production": "https://api.safaricom.co.ke",
}
MAX_AMOUNT = 250_000
ACCOUNT_REFERENCE_MAX = 12
TRANSACTION_DESC_MAX = 13
STILL_PROCESSING = "500.001.1001"
INVALID_TOKEN_CODES = {"404.001.03", "401.003.01"}
_PHONE = re.compile(r"^254[17]\d{8}$")
_SAFE_TEXT = re.compile(r"[^A-Za-z0-9 \-]")

# Result codes Daraja reports for STK Push, with what to tell the operator and payer.
RESULT_CODES: dict[int, tuple[Outcome, str]] = {
    0: (Outcome.PAID, "Paid."),
    1: (Outcome.FAILED, "The M-Pesa balance was too low for this payment."),
    17: (Outcome.FAILED, "M-Pesa refused the payment (a limit or rule was hit). Try later."),
    26: (Outcome.FAILED, "M-Pesa is busy. Try again in a minute."),
    1001: (
        Outcome.FAILED,
        "Another M-Pesa payment is in progress on this phone. Wait a moment and try again.",
    ),
    1019: (Outcome.FAILED, "The payment request expired before it was completed. Try again."),
    1025: (Outcome.FAILED, "M-Pesa could not send the payment prompt. Try again."),
    1032: (Outcome.CANCELLED, "The payment was cancelled on the phone."),
    1037: (
        Outcome.FAILED,
        "The phone could not be reached (switched off or out of coverage). Try again.",
    ),
    2001: (Outcome.FAILED, "The M-Pesa PIN entered was wrong."),
    9999: (Outcome.FAILED, "M-Pesa could not send the payment prompt. Try again."),
}


def result_for_code(code: int) -> tuple[Outcome, str]:
    return RESULT_CODES.get(code, (Outcome.FAILED, f"M-Pesa declined the payment (code {code})."))


def normalise_phone(raw: str) -> str:
    """``0712 345 678`` / ``+254712345678`` / ``712345678`` → ``254712345678``."""
    try:
        e164 = normalize_phone(str(raw or ""), "KE")
    except ValidationError as exc:
        raise ProcessorRejected("Enter a Kenyan M-Pesa phone number, e.g. 0712 345 678.") from exc
    digits = e164.lstrip("+")
    if not _PHONE.match(digits):
        raise ProcessorRejected("Enter a Kenyan M-Pesa phone number, e.g. 0712 345 678.")
    return digits


def whole_shillings(amount: Decimal) -> int:
    if amount != amount.to_integral_value():
        raise ProcessorRejected("M-Pesa takes whole shillings only.")
    value = int(amount)
    if not 1 <= value <= MAX_AMOUNT:
        raise ProcessorRejected(f"M-Pesa takes between 1 and {MAX_AMOUNT:,} shillings.")
    return value


def clean_text(value: str, limit: int) -> str:
    return " ".join(_SAFE_TEXT.sub("", value or "").split())[:limit].strip()


def kenyan_timestamp(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(tz=dt.UTC)
    return now.astimezone(KENYA).strftime("%Y%m%d%H%M%S")


def stk_password(shortcode: str, passkey: str, timestamp: str) -> str:
    return base64.b64encode(f"{shortcode}{passkey}{timestamp}".encode()).decode("ascii")


def parse_transaction_date(value) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(f"{int(value)}+0300", "%Y%m%d%H%M%S%z")  # Kenyan time
    except (TypeError, ValueError, OverflowError):
        return None


def _error_message(body: dict, fallback: str) -> tuple[str, str]:
    code = str(body.get("errorCode") or body.get("ResponseCode") or "")
    message = str(body.get("errorMessage") or body.get("ResponseDescription") or fallback)
    return code[:20], message[:250]


class MpesaProcessor(PaymentProcessor):
    kind = "mpesa"

    # --- plumbing ---------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return settings.BILLING_MPESA_BASE_URL or HOSTS.get(
            self.account.environment, HOSTS["sandbox"]
        )

    def _token_cache_key(self) -> str:
        material = f"{self.base_url}|{self.account.secret('consumer_key')}|{self.account.secret('consumer_secret')}"
        return "billing:mpesa:token:" + hashlib.sha256(material.encode()).hexdigest()[:24]

    def fetch_token(self) -> tuple[str, int]:
        key, secret = self.account.secret("consumer_key"), self.account.secret("consumer_secret")
        if not key or not secret:
            raise ProcessorRejected("Enter the Daraja consumer key and secret.")
        response = http_request(
            "GET",
            f"{self.base_url}/oauth/v1/generate",
            params={"grant_type": "client_credentials"},
            auth=(key, secret),
        )
        body = json_body(response)
        if response.status_code >= 500:
            raise ProcessorUnavailable("Daraja's login service is failing; try again later.")
        token = body.get("access_token")
        if response.status_code != 200 or not isinstance(token, str) or not token:
            code, _msg = _error_message(body, "")
            raise ProcessorRejected(
                "Daraja refused the consumer key and secret.", code=code, payload=minimise(body)
            )
        try:
            expires_in = int(body.get("expires_in", 3599))
        except (TypeError, ValueError):
            expires_in = 3599
        return token, expires_in

    def access_token(self, *, refresh: bool = False) -> str:
        key = self._token_cache_key()
        if not refresh:
            token = cache.get(key)
            if token:
                return token
        token, expires_in = self.fetch_token()
        # Keep a margin so a token never expires between the cache and Daraja.
        cache.set(key, token, timeout=max(30, expires_in - 60))
        return token

    def _post(self, path: str, payload: dict):
        """POST with the cached token; one retry with a fresh token if Daraja rejects it."""
        for attempt in (1, 2):
            token = self.access_token(refresh=attempt == 2)
            response = http_request(
                "POST",
                f"{self.base_url}{path}",
                json=payload,
                headers={"Authorization": f"Bearer {token}"},
            )
            body = json_body(response)
            if response.status_code in (401, 404) and (
                str(body.get("errorCode", "")) in INVALID_TOKEN_CODES or not body
            ):
                cache.delete(self._token_cache_key())
                if attempt == 1:
                    continue
            return response, body
        return response, body  # pragma: no cover - loop always returns

    def _credentials(self) -> tuple[str, str]:
        shortcode = self.account.shortcode
        passkey = self.account.secret("passkey")
        if not shortcode or not passkey:
            raise ProcessorRejected("Enter the business short code and the Daraja pass key.")
        return shortcode, passkey

    # --- the interface ----------------------------------------------------------------
    def start(self, request: StartRequest) -> StartResult:
        shortcode, passkey = self._credentials()
        amount = whole_shillings(request.amount)
        phone = normalise_phone(request.phone)
        timestamp = kenyan_timestamp()
        payload = {
            "BusinessShortCode": shortcode,
            "Password": stk_password(shortcode, passkey, timestamp),
            "Timestamp": timestamp,
            "TransactionType": self.account.transaction_type,
            "Amount": amount,
            "PartyA": phone,
            "PartyB": self.account.party_b,
            "PhoneNumber": phone,
            "CallBackURL": request.callback_url,
            "AccountReference": clean_text(
                request.account_reference or request.reference, ACCOUNT_REFERENCE_MAX
            )
            or request.reference[:ACCOUNT_REFERENCE_MAX],
            "TransactionDesc": clean_text(request.description, TRANSACTION_DESC_MAX) or "Payment",
        }
        response, body = self._post("/mpesa/stkpush/v1/processrequest", payload)
        if response.status_code >= 500:
            code, message = _error_message(body, "M-Pesa is not answering.")
            raise ProcessorUnavailable(
                "M-Pesa could not take the request right now. Try again.",
                code=code,
                payload=minimise(body),
            )
        checkout_id = body.get("CheckoutRequestID")
        if (
            response.status_code != 200
            or str(body.get("ResponseCode", "")) != "0"
            or not isinstance(checkout_id, str)
            or not checkout_id
        ):
            code, message = _error_message(body, "M-Pesa refused the request.")
            raise ProcessorRejected(
                f"M-Pesa refused the request: {message}", code=code, payload=minimise(body)
            )
        return StartResult(
            processor_reference=checkout_id[:100],
            request_id=str(body.get("MerchantRequestID", ""))[:100],
            customer_message=str(body.get("CustomerMessage", ""))[:200],
            payload=minimise(body),
        )

    def check_url_token(self, url_token: str) -> None:
        expected = self.account.callback_token or ""
        if not expected or not hmac.compare_digest(
            str(url_token).encode("utf-8", "replace"), expected.encode()
        ):
            raise NotificationRejected("Unknown callback address.", status=403)

    def parse_notification(self, *, body: bytes, headers=None, url_token: str = "") -> StatusResult:
        self.check_url_token(url_token)
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise NotificationRejected("The callback is not JSON.") from exc
        callback = data.get("Body", {}) if isinstance(data, dict) else None
        callback = callback.get("stkCallback") if isinstance(callback, dict) else None
        if not isinstance(callback, dict):
            raise NotificationRejected("The callback has no Body.stkCallback.")
        checkout_id = callback.get("CheckoutRequestID")
        merchant_id = callback.get("MerchantRequestID")
        code = callback.get("ResultCode")
        if not isinstance(checkout_id, str) or not checkout_id or len(checkout_id) > 100:
            raise NotificationRejected("The callback has no CheckoutRequestID.")
        if not isinstance(merchant_id, str) or len(merchant_id) > 100:
            raise NotificationRejected("The callback has no MerchantRequestID.")
        if isinstance(code, bool) or not isinstance(code, int | str):
            raise NotificationRejected("The callback has no ResultCode.")
        try:
            code = int(code)
        except ValueError as exc:
            raise NotificationRejected("The callback's ResultCode is not a number.") from exc
        if not -(2**31) < code < 2**31:
            raise NotificationRejected("The callback's ResultCode is out of range.")
        outcome, message = result_for_code(code)
        items = {}
        metadata = callback.get("CallbackMetadata")
        if metadata is not None:
            entries = metadata.get("Item") if isinstance(metadata, dict) else None
            if not isinstance(entries, list):
                raise NotificationRejected("CallbackMetadata.Item is not a list.")
            for entry in entries:
                if isinstance(entry, dict) and isinstance(entry.get("Name"), str):
                    items[entry["Name"]] = entry.get("Value")
        amount = receipt = paid_at = None
        if outcome == Outcome.PAID:
            raw_amount = items.get("Amount")
            if isinstance(raw_amount, bool) or not isinstance(raw_amount, int | float | str):
                raise NotificationRejected("A success callback must carry the Amount.")
            try:
                amount = Decimal(str(raw_amount))
            except InvalidOperation as exc:
                raise NotificationRejected("The callback's Amount is not a number.") from exc
            if not amount.is_finite():
                raise NotificationRejected("The callback's Amount is not a number.")
            receipt = items.get("MpesaReceiptNumber")
            if not isinstance(receipt, str) or not re.fullmatch(r"[A-Z0-9]{6,20}", receipt):
                raise NotificationRejected("A success callback must carry the M-Pesa receipt.")
            paid_at = parse_transaction_date(items.get("TransactionDate"))
        return StatusResult(
            outcome=outcome,
            processor_reference=checkout_id,
            request_id=merchant_id,
            amount=amount,
            currency="KES",
            receipt=receipt or "",
            code=str(code),
            message=message,
            paid_at=paid_at,
            payload=minimise(data),
        )

    def query(self, payment) -> StatusResult:
        if not payment.processor_reference:
            return StatusResult(
                outcome=Outcome.UNKNOWN,
                message="M-Pesa never confirmed it received this request.",
            )
        shortcode, passkey = self._credentials()
        timestamp = kenyan_timestamp()
        response, body = self._post(
            "/mpesa/stkpushquery/v1/query",
            {
                "BusinessShortCode": shortcode,
                "Password": stk_password(shortcode, passkey, timestamp),
                "Timestamp": timestamp,
                "CheckoutRequestID": payment.processor_reference,
            },
        )
        if str(body.get("errorCode", "")) == STILL_PROCESSING:
            return StatusResult(
                outcome=Outcome.PENDING,
                processor_reference=payment.processor_reference,
                message="M-Pesa is still processing the payment.",
                payload=minimise(body),
            )
        if response.status_code >= 500:
            raise ProcessorUnavailable("M-Pesa's status service is failing; try again later.")
        if response.status_code != 200 or "ResultCode" not in body:
            code, message = _error_message(body, "M-Pesa refused the status query.")
            raise ProcessorRejected(f"M-Pesa refused the status query: {message}", code=code)
        try:
            code = int(str(body.get("ResultCode")))
        except ValueError:
            raise ProcessorRejected("M-Pesa answered the status query with nonsense.") from None
        outcome, message = result_for_code(code)
        return StatusResult(
            outcome=outcome,
            processor_reference=str(body.get("CheckoutRequestID") or payment.processor_reference),
            request_id=str(body.get("MerchantRequestID", ""))[:100],
            code=str(code),
            message=message,
            payload=minimise(body),
        )

    def test_credentials(self) -> str:
        self._credentials()
        self.access_token(refresh=True)
        return (
            "Daraja accepted the consumer key and secret. The pass key is checked on the "
            "first payment request."
        )
