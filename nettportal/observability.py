"""Error reporting and logging without personal data.

``scrub_event`` is Sentry's ``before_send``: it removes request bodies,
cookies, user details and any value under a sensitive key, and masks email
addresses and phone numbers in every remaining string. ``ScrubFilter`` does
the same masking for log records.
"""

import logging
import re

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# International or local phone numbers: 9+ digits, optionally with + and separators.
PHONE_RE = re.compile(r"(?<![\w.])\+?\d[\d \-().]{7,}\d(?![\w.])")
SENSITIVE_KEY_RE = re.compile(
    r"pass(word)?|secret|token|api[_-]?key|authorization|cookie|session|csrf|"
    r"otp|totp|recovery|pin|signature|passkey|credential|phone|msisdn|email",
    re.IGNORECASE,
)
FILTERED = "[Filtered]"


def scrub_text(text: str) -> str:
    text = EMAIL_RE.sub("[email]", text)
    return PHONE_RE.sub("[phone]", text)


def scrub_value(value, depth=0):
    if depth > 12:
        return FILTERED
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {
            key: (
                FILTERED
                if isinstance(key, str) and SENSITIVE_KEY_RE.search(key)
                else scrub_value(item, depth + 1)
            )
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub_value(item, depth + 1) for item in value]
    return value


def scrub_event(event, hint=None):
    """Sentry ``before_send``: drop or mask everything that could identify a person."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "env"):
            if key in request:
                request[key] = FILTERED
        if "query_string" in request:
            request["query_string"] = FILTERED
        if "headers" in request and isinstance(request["headers"], dict):
            request["headers"] = {
                key: value
                for key, value in request["headers"].items()
                if key.lower() in {"content-type", "content-length", "host", "user-agent"}
            }
    if "user" in event:
        user = event["user"]
        event["user"] = {"id": user.get("id")} if isinstance(user, dict) else {}
    return scrub_value(event)


def init_sentry(dsn: str, *, environment: str) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        before_send=scrub_event,
        traces_sample_rate=0.0,
    )


class ScrubFilter(logging.Filter):
    """Masks emails and phone numbers in log messages and their arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = scrub_text(record.msg)
        if record.args:
            if isinstance(record.args, dict):
                record.args = scrub_value(record.args)
            else:
                record.args = tuple(scrub_value(arg) for arg in record.args)
        return True
