"""Writes for routers, and the operations other apps run on a router.

Database services (``router_create``, ``router_update``…) follow the house
rules: keyword-only, one transaction, tasks enqueued on commit.

Router operations (``hotspot_user_upsert``, ``hotspot_login``…) change the
*router's* configuration over the API and write nothing here. They take a
:class:`~routers.models.Router` and, for batches, an open client to reuse::

    from routers import services

    services.hotspot_user_upsert(router=router, name="NET-1234-ABCD", password="x",
                                 profile="1hour", limit_uptime=timedelta(hours=1))

    with services.router_client(router) as client:       # one connection, many users
        for voucher in batch:
            services.hotspot_user_upsert(router=router, client=client, name=..., password=...)

Each raises a :class:`~routers.routeros.RouterError` (an ApplicationError)
whose message can be shown to the operator as is.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from nettportal.errors import Conflict, ValidationFailed
from routers.models import ActiveSession, Router, RouterEvent
from routers.polling import PollOutcome, poll_routers, router_target
from routers.routeros import (
    RouterClient,
    RouterCommandRejected,
    RouterTarget,
    connect,
    connection_pool,
)

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = (
    "name",
    "host",
    "api_port",
    "use_tls",
    "verify_tls",
    "username",
    "password",
    "site",
    "notes",
    "is_enabled",
)
CONNECTION_FIELDS = ("host", "api_port", "use_tls", "verify_tls", "username", "password")


# ------------------------------------------------------------------ routers
def _enqueue_poll(router: Router) -> None:
    from routers.tasks import poll_router_task

    transaction.on_commit(lambda: poll_router_task.delay(router.organization_id, router.pk))


def _save(router: Router, *, update_fields=None) -> None:
    try:
        router.full_clean(exclude=["organization", "password"], validate_constraints=False)
    except DjangoValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ValidationFailed(messages[0], field=None if field == "__all__" else field) from error
    try:
        with transaction.atomic():
            router.save(update_fields=update_fields)
    except IntegrityError as error:
        raise Conflict(
            "Another router already uses this name or this address and port.", field="name"
        ) from error


def _check_unique(router: Router) -> None:
    others = Router.objects.exclude(pk=router.pk)
    if others.filter(name__iexact=router.name).exists():
        raise Conflict("You already have a router with this name.", field="name")
    if others.filter(host__iexact=router.host, api_port=router.api_port).exists():
        raise Conflict("You already have a router at this address and port.", field="host")


@transaction.atomic
def router_create(
    *,
    organization,
    actor,
    name: str,
    host: str,
    username: str,
    password: str,
    api_port: int = 8728,
    use_tls: bool = False,
    verify_tls: bool = False,
    site: str = "",
    notes: str = "",
    is_enabled: bool = True,
) -> Router:
    """Add a router and poll it straight after the commit."""
    router = Router(
        organization=organization,
        name=name.strip(),
        host=host.strip(),
        api_port=api_port,
        use_tls=use_tls,
        verify_tls=verify_tls,
        username=username.strip(),
        password=password,
        site=site.strip(),
        notes=notes,
        is_enabled=is_enabled,
    )
    _check_unique(router)
    _save(router)
    logger.info("router %s added by user %s", router.pk, getattr(actor, "pk", None))
    _enqueue_poll(router)
    return router


@transaction.atomic
def router_update(*, router: Router, actor, **changes) -> Router:
    """Change settings; an empty ``password`` keeps the stored one.

    Changing how to reach the router resets its status and polls it again.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown router field(s): {', '.join(sorted(unknown))}")
    if not changes.get("password"):
        changes.pop("password", None)
    for name in ("name", "host", "username", "site"):
        if isinstance(changes.get(name), str):
            changes[name] = changes[name].strip()
    changed = [name for name, value in changes.items() if getattr(router, name) != value]
    for name in changed:
        setattr(router, name, changes[name])
    if not changed:
        return router
    _check_unique(router)
    reconnect = any(name in CONNECTION_FIELDS for name in changed)
    fields = [*changed, "updated_at"]
    if reconnect:
        router.consecutive_failures = 0
        router.next_poll_at = None
        fields += ["consecutive_failures", "next_poll_at"]
    _save(router, update_fields=fields)
    logger.info(
        "router %s changed by user %s: %s",
        router.pk,
        getattr(actor, "pk", None),
        ", ".join(sorted(changed)),
    )
    if reconnect and router.is_enabled:
        _enqueue_poll(router)
    return router


@transaction.atomic
def router_delete(*, router: Router, actor) -> None:
    """Delete the router with its history and sessions (not the router's config)."""
    router_id = router.pk
    router.delete()
    logger.info("router %s deleted by user %s", router_id, getattr(actor, "pk", None))


def router_poll_now(*, router: Router) -> PollOutcome:
    """Poll one router right now (ignoring back-off) and store the result.

    Used by "Test connection": the operator sees a fresh, stored state.
    Raises Conflict when another poll of this router is running.
    """
    outcomes = poll_routers([router.pk], force=True)
    if not outcomes:
        raise Conflict("This router is being polled right now; try again in a moment.")
    router.refresh_from_db()
    return outcomes[0]


@dataclass(frozen=True)
class ConnectionReport:
    identity: str
    version: str
    board_name: str
    users_online: int


def router_connection_test(
    *,
    host: str,
    api_port: int,
    username: str,
    password: str,
    use_tls: bool = False,
    verify_tls: bool = False,
) -> ConnectionReport:
    """Try settings before saving them: log in and read identity and version."""
    from django.conf import settings

    target = RouterTarget(
        host=host.strip(),
        port=api_port,
        username=username,
        password=password,
        use_tls=use_tls,
        verify_tls=verify_tls,
        connect_timeout=settings.ROUTER_CONNECT_TIMEOUT,
        read_timeout=settings.ROUTER_READ_TIMEOUT,
    )
    with connect(target) as client:
        identity = client.identity()
        resource = client.resource()
        users = len(client.hotspot_active())
    return ConnectionReport(identity.name, resource.version, resource.board_name, users)


def router_session_disconnect(*, router: Router, session: ActiveSession, actor) -> bool:
    """Remove the session on the router, then from our list.

    Returns False when the router said the session had already ended (it is
    removed from our list either way). Raises RouterError when the router
    cannot be asked; then nothing changes here.
    """
    if session.router_id != router.pk:
        raise ValidationFailed("This session does not belong to this router.")
    with router_client(router) as client:
        try:
            if session.kind == ActiveSession.Kind.PPP:
                client.ppp_active_remove(session.router_item_id)
            else:
                client.hotspot_active_remove(session.router_item_id)
            ended_here = True
        except RouterCommandRejected as error:
            if not error.is_missing_item:
                raise
            ended_here = False
    # The router has spoken; our side changes in one transaction.
    field = (
        "ppp_sessions_count" if session.kind == ActiveSession.Kind.PPP else "hotspot_sessions_count"
    )
    with transaction.atomic():
        ActiveSession.objects.filter(pk=session.pk).delete()
        count = ActiveSession.objects.filter(router=router, kind=session.kind).count()
        Router.objects.filter(pk=router.pk).update(**{field: count})
        RouterEvent.objects.create(
            organization_id=router.organization_id,
            router=router,
            kind=RouterEvent.Kind.SESSION_DISCONNECTED,
            created_at=timezone.now(),
            message=f"A {session.get_kind_display()} session was disconnected from the dashboard.",
        )
    setattr(router, field, count)
    logger.info(
        "router %s: session %s disconnected by user %s",
        router.pk,
        session.pk,
        getattr(actor, "pk", None),
    )
    return ended_here


# -------------------------------------------------- operations on a router
@contextlib.contextmanager
def router_client(router: Router, *, reuse: bool = False):
    """A logged-in blocking client for ``router`` (closed on exit unless ``reuse``).

    ``reuse=True`` borrows a connection kept open by this process's pool and
    gives it back on a clean exit (hot paths such as voucher redemption, where a
    connect and login per request doubled the work). Anything that must see a
    fresh login (testing a router's credentials) keeps the default.
    """
    if reuse:
        with connection_pool.client(router_target(router)) as client:
            yield client
        return
    with connect(router_target(router)) as client:
        yield client


@contextlib.contextmanager
def _using(router: Router, client: RouterClient | None):
    if client is not None:
        yield client
    else:
        with router_client(router) as fresh:
            yield fresh


def hotspot_user_upsert(
    *,
    router: Router,
    name: str,
    password: str,
    profile: str | None = None,
    limit_uptime=None,
    limit_bytes_total: int | None = None,
    comment: str | None = None,
    disabled: bool | None = None,
    client: RouterClient | None = None,
) -> str:
    """Create the hotspot user, or update it if the name exists. Returns its ``.id``.

    ``limit_uptime`` is a timedelta or a RouterOS duration (``"1h"``).
    """
    attributes = {
        "password": password,
        "profile": profile,
        "limit_uptime": limit_uptime,
        "limit_bytes_total": limit_bytes_total,
        "comment": comment,
        "disabled": disabled,
    }
    with _using(router, client) as api:
        existing = api.hotspot_users(name=name)
        if existing:
            api.hotspot_user_set(existing[0].id, **attributes)
            return existing[0].id
        return api.hotspot_user_add(name=name, **attributes)


def hotspot_user_remove(*, router: Router, name: str, client: RouterClient | None = None) -> bool:
    """Remove the user (and so end its sessions). False when it was not there."""
    with _using(router, client) as api:
        existing = api.hotspot_users(name=name)
        if not existing:
            return False
        api.hotspot_user_remove(*[user.id for user in existing])
        return True


def hotspot_profile_upsert(
    *,
    router: Router,
    name: str,
    rate_limit: str | None = None,
    shared_users: int | None = None,
    session_timeout=None,
    idle_timeout=None,
    client: RouterClient | None = None,
) -> str:
    """Create or update a hotspot user profile (a package). Returns its ``.id``."""
    attributes = {
        "rate_limit": rate_limit,
        "shared_users": shared_users,
        "session_timeout": session_timeout,
        "idle_timeout": idle_timeout,
    }
    with _using(router, client) as api:
        existing = api.hotspot_profiles(name=name)
        if existing:
            api.hotspot_profile_set(existing[0].id, **attributes)
            return existing[0].id
        return api.hotspot_profile_add(name=name, **attributes)


def hotspot_profile_remove(
    *, router: Router, name: str, client: RouterClient | None = None
) -> bool:
    with _using(router, client) as api:
        existing = api.hotspot_profiles(name=name)
        if not existing:
            return False
        api.hotspot_profile_remove(existing[0].id)
        return True


def ppp_secret_upsert(
    *,
    router: Router,
    name: str,
    password: str,
    profile: str | None = None,
    remote_address: str | None = None,
    comment: str | None = None,
    disabled: bool | None = None,
    client: RouterClient | None = None,
) -> str:
    """Create or update a PPPoE secret. Returns its ``.id``."""
    attributes = {
        "password": password,
        "profile": profile,
        "remote_address": remote_address,
        "comment": comment,
        "disabled": disabled,
    }
    with _using(router, client) as api:
        existing = api.ppp_secrets(name=name)
        if existing:
            api.ppp_secret_set(existing[0].id, **attributes)
            return existing[0].id
        return api.ppp_secret_add(name=name, **attributes)


def ppp_secret_remove(*, router: Router, name: str, client: RouterClient | None = None) -> bool:
    with _using(router, client) as api:
        existing = api.ppp_secrets(name=name)
        if not existing:
            return False
        api.ppp_secret_remove(existing[0].id)
        for session in api.ppp_active(name=name):
            api.ppp_active_remove(session.id)
        return True


def hotspot_login(
    *,
    router: Router,
    user: str,
    password: str,
    ip: str | None = None,
    mac_address: str | None = None,
    client: RouterClient | None = None,
) -> None:
    """Log a device in on the router's hotspot (``/ip/hotspot/active/login``)."""
    if not ip and not mac_address:
        raise ValidationFailed("A hotspot login needs the device's IP or MAC address.")
    with _using(router, client) as api:
        api.hotspot_active_login(user=user, password=password, ip=ip, mac_address=mac_address)


def hotspot_user_kick(*, router: Router, user: str, client: RouterClient | None = None) -> int:
    """End every active session of ``user``; returns how many were ended."""
    with _using(router, client) as api:
        sessions = api.hotspot_active(user=user)
        if sessions:
            api.hotspot_active_remove(*[session.id for session in sessions])
        return len(sessions)
