"""Text messages (SMS): one function to send, pluggable backends, like email in mail.py.

    send_sms(to="+233201234567", body="Your Wi-Fi code: NET-1234-ABCD")

The message is sent by a Celery task after the surrounding transaction
commits. ``SMS_BACKEND`` names the backend class: the default
:class:`ConsoleBackend` only logs (with the number masked, and the text only
in development); :class:`LocmemBackend` keeps messages in ``outbox`` for
tests. A real gateway is a class with ``send(to, body)`` that raises
:class:`SMSError` on a failure worth retrying.

Phone numbers never appear in logs in clear: :func:`mask_phone` keeps the
country code and the last two digits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)
MAX_BODY = 480  # three concatenated SMS parts


class SMSError(Exception):
    """The gateway did not take the message; the task retries."""


@dataclass(frozen=True)
class TextMessage:
    to: str
    body: str


def mask_phone(phone: str) -> str:
    """``+233201234567`` → ``+233*******67``."""
    phone = (phone or "").strip()
    if len(phone) <= 6:
        return "*" * len(phone)
    return phone[:4] + "*" * (len(phone) - 6) + phone[-2:]


class ConsoleBackend:
    """Logs that a message would be sent (the text only when DEBUG is on)."""

    def send(self, to: str, body: str) -> None:
        if settings.DEBUG:
            logger.info("SMS to %s: %s", mask_phone(to), body)
        else:
            logger.info("SMS to %s (%s characters)", mask_phone(to), len(body))


class LocmemBackend:
    """Keeps messages in memory for tests: ``nettportal.sms.outbox``."""

    def send(self, to: str, body: str) -> None:
        outbox.append(TextMessage(to=to, body=body))


outbox: list[TextMessage] = []


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, to: str, body: str) -> None:
    """Send ``body`` to ``to`` (E.164) after the current transaction commits."""
    if not to or not body:
        return
    body = body[:MAX_BODY]
    from nettportal.tasks import send_sms_task

    transaction.on_commit(lambda: send_sms_task.delay(to, body))
