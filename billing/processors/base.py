"""The one small interface every payment-processor adapter implements.

An adapter talks to one processor's API and translates its answers into the
plain results below. It never touches the database: the services in
:mod:`billing.services` decide what an answer means for a payment, so the same
state machine applies whether the news came from a callback, a webhook, a
status query or staff.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import requests
from django.conf import settings


class Outcome(enum.StrEnum):
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    PENDING = "pending"  # the processor does not know yet
    UNKNOWN = "unknown"  # the processor could not tell us


class ProcessorError(Exception):
    """A processor did not do what we asked. ``message`` is fit to show an operator."""

    def __init__(self, message: str, *, code: str = "", payload: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.payload = payload or {}


class ProcessorUnavailable(ProcessorError):
    """Timeout, connection error or a 5xx: the request may or may not have happened."""


class ProcessorRejected(ProcessorError):
    """The processor answered and said no (bad credentials, invalid request)."""


class NotificationRejected(Exception):
    """A callback or webhook that must change nothing; ``status`` is the HTTP answer."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class StartRequest:
    reference: str
    amount: Decimal
    currency: str
    description: str
    phone: str = ""  # E.164
    email: str = ""
    account_reference: str = ""
    callback_url: str = ""  # where the processor sends its callback (M-Pesa)
    return_url: str = ""  # where the payer's browser goes afterwards (Paystack)


@dataclass(frozen=True)
class StartResult:
    processor_reference: str
    request_id: str = ""
    redirect_url: str = ""
    customer_message: str = ""
    payload: dict = field(default_factory=dict)


@dataclass(frozen=True)
class StatusResult:
    """What a callback, webhook or query says about one payment."""

    outcome: Outcome
    processor_reference: str = ""  # CheckoutRequestID / transaction id
    reference: str = ""  # our own reference, when the processor echoes it
    request_id: str = ""
    amount: Decimal | None = None
    currency: str = ""
    receipt: str = ""
    code: str = ""
    message: str = ""
    paid_at: Any = None
    payload: dict = field(default_factory=dict)


class PaymentProcessor:
    """Start a payment, understand its callback/webhook, ask for its status."""

    kind: str = ""

    def __init__(self, account):
        self.account = account

    def start(self, request: StartRequest) -> StartResult:
        raise NotImplementedError

    def parse_notification(self, *, body: bytes, headers, url_token: str = "") -> StatusResult:
        """Verify and read a callback/webhook; raise NotificationRejected if it must be ignored."""
        raise NotImplementedError

    def query(self, payment) -> StatusResult:
        raise NotImplementedError

    def test_credentials(self) -> str:
        """Make one harmless authenticated call; return what was checked or raise ProcessorError."""
        raise NotImplementedError


# --- HTTP ------------------------------------------------------------------------------

_session = requests.Session()


def http_request(method: str, url: str, *, timeout: float | None = None, **kwargs):
    """One HTTP call with a timeout; network failures become ProcessorUnavailable."""
    timeout = timeout or settings.BILLING_PROCESSOR_TIMEOUT
    try:
        return _session.request(method, url, timeout=(min(5, timeout), timeout), **kwargs)
    except requests.Timeout as exc:
        raise ProcessorUnavailable("The payment processor did not answer in time.") from exc
    except requests.RequestException as exc:
        raise ProcessorUnavailable("The payment processor could not be reached.") from exc


def json_body(response) -> dict:
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# --- personal data in stored payloads ----------------------------------------------------

_PHONE_KEYS = {"phonenumber", "phone", "partya", "msisdn", "mobile"}
_DROP_KEYS = {
    "email",
    "first_name",
    "last_name",
    "firstname",
    "lastname",
    "name",
    "customer_code",
    "authorization_code",
    "bin",
    "last4",
    "signature",
    "account_name",
    "ip_address",
    "password",
    "access_token",
    "metadata",
    "fees_breakdown",
    "log",
}
_DIGITS = re.compile(r"\d")


def mask_phone(value) -> str:
    text = str(value)
    digits = _DIGITS.findall(text)
    if len(digits) <= 4:
        return "•" * len(digits)
    return "•" * (len(digits) - 3) + "".join(digits[-3:])


def minimise(value, depth: int = 0):
    """A copy of a processor payload without names, emails, card data or full phones."""
    if depth > 8:
        return None
    if isinstance(value, dict):
        cleaned = {}
        for key, item in list(value.items())[:100]:
            lowered = str(key).lower()
            if lowered in _DROP_KEYS:
                continue
            if lowered in _PHONE_KEYS and item not in (None, ""):
                cleaned[str(key)[:60]] = mask_phone(item)
            else:
                cleaned[str(key)[:60]] = minimise(item, depth + 1)
        return cleaned
    if isinstance(value, list):
        # Daraja's CallbackMetadata items carry the phone as {"Name": "PhoneNumber", "Value": ...}.
        items = []
        for item in value[:50]:
            if isinstance(item, dict) and str(item.get("Name", "")).lower() in _PHONE_KEYS:
                item = {**item, "Value": mask_phone(item.get("Value", ""))}
            items.append(minimise(item, depth + 1))
        return items
    if isinstance(value, str):
        return value[:500]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return str(value)[:200]
