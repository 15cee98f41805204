"""Webhook signatures: HMAC-SHA256 over ``"<timestamp>.<raw body>"``.

Every request carries ``X-NettPortal-Signature: t=<unix seconds>,v1=<hex>``.
A receiver recomputes the HMAC with the endpoint's secret, compares in
constant time, and rejects timestamps more than ``WEBHOOK_REPLAY_WINDOW``
seconds (5 minutes) from its own clock, so a captured request cannot be
replayed later. :func:`verify_signature` is the reference implementation.
"""

import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "X-NettPortal-Signature"
DEFAULT_TOLERANCE = 300


class SignatureError(ValueError):
    pass


def generate_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def compute_signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(int(timestamp)).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={timestamp},v1={compute_signature(secret, timestamp, body)}"


def verify_signature(
    secret: str, body: bytes, header: str, *, tolerance: int = DEFAULT_TOLERANCE, now=None
) -> int:
    """Return the signed timestamp, or raise :class:`SignatureError`."""
    parts = {}
    for item in (header or "").split(","):
        key, _sep, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        raise SignatureError("signature header has no timestamp") from None
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise SignatureError("timestamp outside the replay window")
    expected = compute_signature(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, given) for given in parts.get("v1", [])):
        raise SignatureError("signature does not match")
    return timestamp
