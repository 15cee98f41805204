"""Writes for API tokens, webhook endpoints and webhook deliveries."""

import hashlib
import ipaddress
import logging
import secrets
import socket
import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.tenancy import all_tenants
from integrations.events import TEST_EVENT, WEBHOOK_EVENTS, required_scope
from integrations.models import ApiToken, WebhookDelivery, WebhookEndpoint
from integrations.scopes import validate_scopes
from integrations.signing import generate_secret
from nettportal.errors import Conflict, ValidationFailed

logger = logging.getLogger(__name__)
TOKEN_PREFIX = "np_"  # noqa: S105 - a public prefix, not a secret
LAST_USED_RESOLUTION = timedelta(minutes=1)


# --- API tokens ----------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, organization, actor, name: str, scopes, expires_at=None
) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the plaintext, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the token a name."), field="name")
    scopes = validate_scopes(scopes)
    if not scopes:
        raise ValidationFailed(_("Choose at least one scope."), field="scopes")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed(_("The expiry must be in the future."), field="expires_at")
    public = secrets.token_hex(4)
    plaintext = f"{TOKEN_PREFIX}{public}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        organization=organization,
        name=name[:80],
        prefix=f"{TOKEN_PREFIX}{public}",
        token_hash=token_digest(plaintext),
        scopes=scopes,
        created_by=actor,
        expires_at=expires_at,
    )
    return token, plaintext


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor) -> ApiToken:
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise Conflict(_("This token was already revoked."))
    token.refresh_from_db()
    return token


def api_token_find(plaintext: str) -> ApiToken | None:
    """The live token for ``plaintext``, from any organisation (the token itself
    names its organisation; the caller activates that tenant)."""
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 100:
        return None
    with all_tenants():
        token = (
            ApiToken.objects.select_related("organization", "created_by")
            .filter(token_hash=token_digest(plaintext))
            .first()
        )
    if token is None or not token.is_active:
        return None
    return token


def api_token_touch(*, token: ApiToken, ip_address: str | None) -> None:
    """Record use, at most once a minute per token (one conditional UPDATE)."""
    now = timezone.now()
    with all_tenants():
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now, last_used_ip=ip_address)


# --- webhook endpoints -------------------------------------------------------------------


def _check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationFailed(_("Enter a full http(s):// URL."), field="url")
    if settings.IS_PRODUCTION and parts.scheme != "https":
        raise ValidationFailed(_("Webhook URLs must use https://."), field="url")
    if not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS and _is_private_host(parts.hostname):
        raise ValidationFailed(
            _("Webhook URLs must be on the public internet, not a private address."), field="url"
        )
    return url


def _is_private_host(hostname: str) -> bool:
    """True when the name is, or resolves to, a loopback/private/link-local address."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(hostname, None)}
    except OSError:
        return False  # unresolvable now; checked again at delivery time
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved:
            return True
    return False


def _check_subscription(events, scopes):
    events = sorted(set(events or []))
    unknown = [event for event in events if event not in WEBHOOK_EVENTS]
    if unknown:
        raise ValidationFailed(_("Unknown events: %s.") % ", ".join(unknown), field="events")
    if not events:
        raise ValidationFailed(_("Choose at least one event."), field="events")
    scopes = validate_scopes(scopes or [])
    missing = sorted({required_scope(e) for e in events} - set(scopes))
    if missing:
        raise ValidationFailed(
            _("These events need scopes you have not granted: %s.") % ", ".join(missing),
            field="scopes",
        )
    return events, scopes


@transaction.atomic
def webhook_endpoint_create(
    *, organization, actor, url: str, events, scopes, description: str = ""
) -> WebhookEndpoint:
    url = _check_url(url)
    events, scopes = _check_subscription(events, scopes)
    return WebhookEndpoint.objects.create(
        organization=organization,
        url=url,
        description=(description or "").strip()[:120],
        events=events,
        scopes=scopes,
        secret=generate_secret(),
        created_by=actor,
    )


@transaction.atomic
def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    actor,
    url: str,
    events,
    scopes,
    description: str = "",
    is_active: bool = True,
) -> WebhookEndpoint:
    endpoint.url = _check_url(url)
    endpoint.events, endpoint.scopes = _check_subscription(events, scopes)
    endpoint.description = (description or "").strip()[:120]
    endpoint.is_active = bool(is_active)
    endpoint.save(
        update_fields=["url", "events", "scopes", "description", "is_active", "updated_at"]
    )
    return endpoint


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint, actor) -> WebhookEndpoint:
    endpoint.secret = generate_secret()
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor) -> None:
    endpoint.delete()


# --- emitting and resending ----------------------------------------------------------------


def _enqueue(delivery: WebhookDelivery) -> None:
    from integrations.tasks import deliver_webhook_task

    org_id, delivery_id = delivery.organization_id, delivery.pk
    transaction.on_commit(lambda: deliver_webhook_task.delay(org_id, delivery_id))


def _new_delivery(endpoint, event, payload, now):
    return WebhookDelivery(
        organization_id=endpoint.organization_id,
        endpoint=endpoint,
        event=event,
        payload=payload,
        next_attempt_at=now,
        give_up_at=now + timedelta(hours=settings.WEBHOOK_RETRY_HOURS),
    )


# Which events any active endpoint of an organisation listens to (with the scope the
# event needs), so the many events nobody listens to cost no query: a voucher
# redemption, a paid payment and a router going offline all emit one. Kept in the
# shared cache for SUBSCRIBED_EVENTS_TTL and, on top, in each process for
# SUBSCRIBED_EVENTS_LOCAL_TTL (the busiest paths then skip the cache round trip too).
# A change forgets both at once in the process that makes it; other processes see
# it within the local TTL. Only ever used to say "nobody listens": the endpoints
# themselves are always read from the database, so a stale entry can delay a new
# subscription's first events by seconds, never send to a removed endpoint.
SUBSCRIBED_EVENTS_TTL = 60
SUBSCRIBED_EVENTS_LOCAL_TTL = 5
_local_subscribed: dict[int, tuple[float, frozenset[str]]] = {}


def _subscribed_events_key(organization_id: int) -> str:
    return f"webhooks:subscribed-events:{organization_id}"


def _subscribed_events(organization_id: int) -> frozenset[str]:
    """Read through this process's copy and the cache; with the cache down, from the
    database (an event must never fail because the cache is unreachable)."""
    now = time.monotonic()
    local = _local_subscribed.get(organization_id)
    if local is not None and now - local[0] < SUBSCRIBED_EVENTS_LOCAL_TTL:
        return local[1]
    key = _subscribed_events_key(organization_id)
    try:
        events = cache.get(key)
    except Exception:
        logger.warning("webhooks: cache unavailable, reading subscriptions", exc_info=True)
        return _subscribed_events_read(organization_id)
    if events is None:
        events = _subscribed_events_read(organization_id)
        _cache_quietly(cache.set, key, events, SUBSCRIBED_EVENTS_TTL)
    _local_subscribed[organization_id] = (now, events)
    return events


def _subscribed_events_read(organization_id: int) -> frozenset[str]:
    rows = WebhookEndpoint.objects.filter(
        organization_id=organization_id, is_active=True
    ).values_list("events", "scopes")
    return frozenset(
        event
        for subscribed, scopes in rows
        for event in subscribed
        if required_scope(event) in scopes
    )


def _cache_quietly(operation, *args) -> None:
    try:
        operation(*args)
    except Exception:
        logger.warning("webhooks: cache unavailable", exc_info=True)


def webhook_subscriptions_changed(organization_id: int) -> None:
    """Forget the cached subscriptions (now, and again once the change commits)."""
    key = _subscribed_events_key(organization_id)

    def forget():
        _local_subscribed.pop(organization_id, None)
        _cache_quietly(cache.delete, key)

    forget()
    transaction.on_commit(forget)


def _subscribed_endpoints(organization, event: str) -> list[WebhookEndpoint]:
    if event not in WEBHOOK_EVENTS:
        raise ValueError(f"unknown webhook event {event!r}; add it to integrations/events.py")
    scope = required_scope(event)
    organization_id = getattr(organization, "pk", organization)
    if event not in _subscribed_events(organization_id):
        return []
    return [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(
            organization_id=organization_id, is_active=True
        )
        if event in endpoint.events and scope in endpoint.scopes
    ]


def webhook_emit(*, organization, event: str, payload: dict) -> list[WebhookDelivery]:
    """Queue ``event`` for every active endpoint of ``organization`` that is
    subscribed to it and holds the scope it needs. Sent after commit, so a
    rolled-back change never produces a webhook. ``payload`` must be JSON-able
    and should carry ids and the fields the event's scope covers."""
    return webhook_emit_many(organization=organization, event=event, payloads=[payload])


def webhook_emit_many(*, organization, event: str, payloads) -> list[WebhookDelivery]:
    """``webhook_emit`` for many occurrences of one event (a bulk expiry, a CSV
    import): one query for the endpoints, one bulk insert per 1,000 deliveries.
    ``payloads`` is only iterated when some endpoint is subscribed, so a
    generator that reads what the payloads need costs nothing when nobody
    listens (no query at all while the subscriptions are cached)."""
    endpoints = _subscribed_endpoints(organization, event)
    if not endpoints:
        return []
    now = timezone.now()
    with transaction.atomic():
        deliveries = []
        for payload in payloads:
            deliveries += [_new_delivery(endpoint, event, payload, now) for endpoint in endpoints]
        deliveries = WebhookDelivery.objects.bulk_create(deliveries, batch_size=1000)
        for delivery in deliveries:
            _enqueue(delivery)
    return deliveries


@transaction.atomic
def webhook_send_test(*, endpoint: WebhookEndpoint, actor) -> WebhookDelivery:
    now = timezone.now()
    delivery = _new_delivery(endpoint, TEST_EVENT, {"message": "Test event from NettPortal"}, now)
    delivery.save()
    _enqueue(delivery)
    return delivery


@transaction.atomic
def webhook_delivery_resend(*, delivery: WebhookDelivery, actor) -> WebhookDelivery:
    """Send the same event (same event id, so receivers can de-duplicate) again
    now, with a fresh retry window."""
    now = timezone.now()
    updated = (
        WebhookDelivery.objects.filter(pk=delivery.pk)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at=now,
            give_up_at=now + timedelta(hours=settings.WEBHOOK_RETRY_HOURS),
            locked_until=None,
        )
    )
    if not updated:
        raise Conflict(_("This delivery is being sent right now. Try again in a moment."))
    delivery.refresh_from_db()
    _enqueue(delivery)
    return delivery


def webhook_delivery_claim(delivery_id: int, *, lease_seconds: int) -> bool:
    """Take the delivery for one attempt (a conditional UPDATE; False when it is
    not due, already delivered, or another worker holds it)."""
    now = timezone.now()
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id,
            status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING],
            next_attempt_at__lte=now,
        )
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + timedelta(seconds=lease_seconds), attempts=F("attempts") + 1)
    )
