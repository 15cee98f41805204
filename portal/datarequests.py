"""The end customer's "your data" request, verified by a one-time code, for the operator.

The operator is the data controller: NettPortal does not answer the request,
it checks that the person controls the phone number or email address the
operator has on file for them, then puts the request in the operator's
privacy queue (privacy.services.requests.privacy_request_create).

What the landing page says never depends on whether the number or address is
on file: a code is "on its way if we know you" either way, so the form cannot
be used to find out who is a customer. Pending requests live in the shared
cache for ten minutes; codes are stored as HMACs and allow five tries.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from nettportal.errors import ApplicationError, ValidationFailed
from nettportal.phones import normalize_phone
from nettportal.sms import mask_phone
from portal import integrations

CODE_TTL = 600
MAX_TRIES = 5


class CodeRejected(ApplicationError):
    code = "code_rejected"


@dataclass
class PendingRequest:
    page_id: int
    kind: str
    name: str
    message: str
    contact: str
    channel: str  # "sms" or "email"
    customer_id: int | None
    code_mac: str
    tries: int = 0


def _key(token: str) -> str:
    return f"portal:data-request:{token}"


def _mac(code: str, token: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{token}:{code}".encode(), hashlib.sha256
    ).hexdigest()


def clean_contact(raw: str, *, region: str) -> tuple[str, str]:
    """("email", address) or ("sms", E.164 number), or ValidationFailed."""
    value = (raw or "").strip()
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationFailed(_("Enter a valid email address."), field="contact") from None
        return "email", value.lower()
    try:
        return "sms", normalize_phone(value, region)
    except ValidationError as error:
        raise ValidationFailed(error.messages[0], field="contact") from None


def mask_contact(channel: str, contact: str) -> str:
    if channel == "sms":
        return mask_phone(contact)
    name, _at, domain = contact.partition("@")
    return f"{name[:2]}…@{domain}"


def data_request_start(*, config, kind: str, name: str, contact: str, message: str) -> str:
    """Remember the request and send a code if the contact is on file; returns the token."""
    from privacy.models import PrivacyRequest

    if kind not in PrivacyRequest.Kind.values:
        raise ValidationFailed(_("Choose what you would like."), field="kind")
    name = " ".join((name or "").split())[:120]
    if len(name) < 2:
        raise ValidationFailed(_("Enter your name."), field="name")
    message = (message or "").strip()[:2000]
    channel, contact = clean_contact(contact, region=config.organization.country)
    customer_id = integrations.customer_for_contact(channel=channel, contact=contact)
    token = secrets.token_urlsafe(18)
    code = f"{secrets.randbelow(10**6):06d}"
    pending = PendingRequest(
        page_id=config.id,
        kind=kind,
        name=name,
        message=message,
        contact=contact,
        channel=channel,
        customer_id=customer_id,
        code_mac=_mac(code, token),
    )
    cache.set(_key(token), asdict(pending), CODE_TTL)
    if customer_id is not None:
        integrations.send_one_time_code(config=config, channel=channel, contact=contact, code=code)
    return token


def data_request_pending(*, config, token: str) -> PendingRequest | None:
    if not token or len(token) > 64:
        return None
    data = cache.get(_key(token))
    if not data or data.get("page_id") != config.id:
        return None
    return PendingRequest(**data)


def data_request_verify(*, config, token: str, code: str):
    """Check the code; on success the request goes to the operator's privacy queue."""
    pending = data_request_pending(config=config, token=token)
    if pending is None:
        raise CodeRejected(_("This code has expired. Please start again."))
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    good = pending.customer_id is not None and hmac.compare_digest(
        pending.code_mac, _mac(code, token)
    )
    if not good:
        pending.tries += 1
        if pending.tries >= MAX_TRIES:
            cache.delete(_key(token))
            raise CodeRejected(_("Too many wrong codes. Please start again."))
        cache.set(_key(token), asdict(pending), CODE_TTL)
        raise CodeRejected(_("That code is not right. Check the message and try again."))
    cache.delete(_key(token))
    return integrations.privacy_request_submit(config=config, pending=pending)
