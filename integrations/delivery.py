"""Sending one webhook attempt: sign, POST, record, schedule the next try.

Back-off doubles from 30 seconds up to one hour between attempts (with a
little jitter) until ``give_up_at`` (``WEBHOOK_RETRY_HOURS``, 24 h after the
event or the last "resend"), which is about 30 attempts. Redirects are not
followed and count as failures; only a 2xx answer is a delivery.
"""

import json
import logging
import random
import time
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from integrations.events import required_scope
from integrations.models import WebhookAttempt, WebhookDelivery
from integrations.services import _is_private_host, webhook_delivery_claim
from integrations.signing import SIGNATURE_HEADER, signature_header

logger = logging.getLogger(__name__)
FIRST_DELAY = 30
MAX_DELAY = 3600
USER_AGENT = "NettPortal-Webhooks/1"


def backoff_seconds(attempts: int) -> float:
    base = min(FIRST_DELAY * 2 ** max(attempts - 1, 0), MAX_DELAY)
    return base * random.uniform(0.9, 1.1)  # noqa: S311 - jitter, not security


def delivery_body(delivery: WebhookDelivery) -> bytes:
    document = {
        "id": str(delivery.event_id),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "organization_id": delivery.organization_id,
        "data": delivery.payload,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str, str]:
    """Returns (status code or None, response excerpt, error text)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT) as response:
            return response.status, response.read(500).decode(errors="replace"), ""
    except urllib.error.HTTPError as error:
        excerpt = error.read(500).decode(errors="replace") if error.fp else ""
        return error.code, excerpt, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, "", f"{type(error).__name__}: {reason}"[:300]


def delivery_attempt(delivery_id: int) -> str:
    """Make one attempt if the delivery is due. Returns what happened, for logs."""
    if not webhook_delivery_claim(delivery_id, lease_seconds=settings.WEBHOOK_TIMEOUT + 30):
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    scope = required_scope(delivery.event) if delivery.event != "webhook.test" else None
    refusal = ""
    if not endpoint.is_active:
        refusal = "endpoint is disabled"
    elif scope is not None and scope not in endpoint.scopes:
        refusal = "the scope for this event is no longer granted"
    elif not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS and _is_private_host(
        urlsplit(endpoint.url).hostname or ""
    ):
        refusal = "the URL resolves to a private address"
    if refusal:
        _finish(delivery, status_code=None, excerpt="", error=refusal, duration_ms=0, final=True)
        return "refused"

    body = delivery_body(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-NettPortal-Event": delivery.event,
        "X-NettPortal-Delivery": str(delivery.event_id),
        SIGNATURE_HEADER: signature_header(endpoint.secret, body),
    }
    started = time.monotonic()
    status_code, excerpt, error = _post(endpoint.url, body, headers)
    duration_ms = int((time.monotonic() - started) * 1000)
    outcome = _finish(
        delivery, status_code=status_code, excerpt=excerpt, error=error, duration_ms=duration_ms
    )
    logger.info(
        "webhook delivery %s attempt %s: %s (%s)",
        delivery.pk,
        delivery.attempts,
        outcome,
        status_code or error.split(":")[0],
    )
    return outcome


@transaction.atomic
def _finish(delivery, *, status_code, excerpt, error, duration_ms, final=False) -> str:
    now = timezone.now()
    WebhookAttempt.objects.create(
        organization_id=delivery.organization_id,
        delivery=delivery,
        number=delivery.attempts,
        status_code=status_code,
        duration_ms=duration_ms,
        error=error[:300],
        response_excerpt=excerpt[:500],
    )
    fields = {"locked_until": None, "last_status_code": status_code, "last_error": error[:300]}
    if status_code is not None and 200 <= status_code < 300:
        fields.update(
            status=WebhookDelivery.Status.SUCCEEDED, delivered_at=now, next_attempt_at=None
        )
        outcome = "delivered"
    else:
        next_at = now + timedelta(seconds=backoff_seconds(delivery.attempts))
        if final or next_at > delivery.give_up_at:
            fields.update(status=WebhookDelivery.Status.FAILED, next_attempt_at=None)
            outcome = "failed"
        else:
            fields.update(status=WebhookDelivery.Status.RETRYING, next_attempt_at=next_at)
            outcome = "retrying"
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    return outcome
