"""Storing poll results, a batch per transaction.

Per router (statements only when something changed): its status row, events
and webhooks on a status change, interface rows when an interface appears or
changes. Per batch (a few statements whatever its size): status samples,
interface deltas, and the replaced session sets (COPY on PostgreSQL).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse

from accounts.tenancy import all_tenants, tenant
from nettportal.db import relax_commit_durability
from routers.models import (
    ActiveSession,
    InterfaceTrafficSample,
    Router,
    RouterEvent,
    RouterInterface,
    RouterStatusSample,
)
from routers.polling.engine import PollOutcome, backoff_seconds
from routers.polling.fetch import PollResult

logger = logging.getLogger("routers.polling")

# Interfaces whose counters add up to the router's own traffic (bridges and
# VLANs would count the same bytes twice).
PHYSICAL_TYPES = {"ether", "wlan", "wifi", "wifiwave2", "lte", "w60g"}
STATUS_FOR_ERROR = {
    "auth_failed": Router.Status.AUTH_FAILED,
    "unreachable": Router.Status.OFFLINE,
    "timeout": Router.Status.OFFLINE,
    "protocol": Router.Status.ERROR,
    "rejected": Router.Status.ERROR,
    "error": Router.Status.ERROR,
}
EVENT_FOR_STATUS = {
    Router.Status.ONLINE: RouterEvent.Kind.ONLINE,
    Router.Status.OFFLINE: RouterEvent.Kind.OFFLINE,
    Router.Status.AUTH_FAILED: RouterEvent.Kind.AUTH_FAILED,
    Router.Status.ERROR: RouterEvent.Kind.ERROR,
}
SESSION_COLUMNS = (
    "organization_id",
    "router_id",
    "kind",
    "router_item_id",
    "username",
    "address",
    "mac_address",
    "uptime_seconds",
    "bytes_in",
    "bytes_out",
    "login_by",
    "seen_at",
)


class LeaseLost(Exception):
    """Another poller took this router over; our result is discarded."""


@dataclass
class _Batch:
    """Rows written in bulk once every router of the batch has been handled."""

    status_samples: list = field(default_factory=list)
    interface_samples: list = field(default_factory=list)
    session_rows: list = field(default_factory=list)
    routers_with_new_sessions: list = field(default_factory=list)
    rebooted: set = field(default_factory=set)


def store_results(
    results: list[PollResult], routers: dict[int, Router], token: str
) -> list[PollOutcome]:
    """Store ``results`` atomically; if the batch fails, each result on its own."""
    try:
        with transaction.atomic():
            relax_commit_durability()  # re-measured next poll
            return _store_batch(results, routers, token)
    except Exception as error:
        # The rollback undid the rows; undo what the failed attempt set on the objects.
        for result in results:
            routers[result.router_id].refresh_from_db()
        if len(results) == 1:
            if isinstance(error, LeaseLost):
                return [_skipped(routers[results[0].router_id], results[0])]
            logger.exception("router poll: storing failed (router %s)", results[0].router_id)
            return []
        logger.warning(
            "router poll: a batch of %d failed to store; storing one by one", len(results)
        )
        outcomes = []
        for result in results:
            outcomes += store_results([result], routers, token)
        return outcomes


def _store_batch(results, routers, token) -> list[PollOutcome]:
    ids = [result.router_id for result in results]
    with all_tenants():
        if connection.vendor == "sqlite":
            # SQLite: take the write lock before reading, or two workers that both
            # read first deadlock and one fails at once instead of waiting its turn.
            Router.objects.filter(pk__in=ids).update(poll_lease_token=F("poll_lease_token"))
        # Lock the routers we still hold: nobody can take them over until we commit.
        held = set(
            Router.objects.select_for_update()
            .filter(pk__in=ids, poll_lease_token=token)
            .values_list("pk", flat=True)
        )
    batch = _Batch()
    outcomes = []
    for result in results:
        router = routers[result.router_id]
        if router.pk not in held:
            outcomes.append(_skipped(router, result))
            continue
        with tenant(router.organization):
            store = _store_success if result.ok else _store_failure
            message = store(router, result, token, batch)
        outcomes.append(
            PollOutcome(
                router.pk,
                router.name,
                router.status,
                result.ok,
                message,
                result.duration,
                rebooted=router.pk in batch.rebooted,
            )
        )
    _write_batch(batch)
    return outcomes


def _skipped(router: Router, result: PollResult) -> PollOutcome:
    return PollOutcome(
        router.pk,
        router.name,
        router.status,
        result.ok,
        "skipped: another poll took over",
        result.duration,
        stored=False,
    )


def _update_router(router: Router, token: str, fields: dict) -> None:
    if not Router.objects.filter(pk=router.pk, poll_lease_token=token).update(**fields):
        raise LeaseLost
    for name, value in fields.items():
        setattr(router, name, value)


# ------------------------------------------------------------ per router
def _store_failure(router: Router, result: PollResult, token: str, batch: _Batch) -> str:
    now = result.taken_at
    failures = router.consecutive_failures + 1
    new_status = STATUS_FOR_ERROR.get(result.error_kind, Router.Status.ERROR)
    fields = {
        "last_polled_at": now,
        "last_error": result.error[:300],
        "last_error_kind": result.error_kind,
        "consecutive_failures": failures,
        "next_poll_at": now + timedelta(seconds=backoff_seconds(failures)),
        "hotspot_sessions_count": 0,
        "ppp_sessions_count": 0,
        "cpu_load": None,
        "poll_lease_until": None,
        "poll_lease_token": "",
    }
    fields.update(_transition(router, new_status, now, result.error))
    _alert_offline(router, fields, now)
    _update_router(router, token, fields)
    # What is online there is unknown now; an empty set is the truthful answer.
    batch.routers_with_new_sessions.append(router.pk)
    batch.status_samples.append(
        RouterStatusSample(
            organization_id=router.organization_id,
            router_id=router.pk,
            taken_at=now,
            is_reachable=False,
        )
    )
    return result.error


def _store_success(router: Router, result: PollResult, token: str, batch: _Batch) -> str:
    now = result.taken_at
    resource = result.resource
    rebooted = has_rebooted(router, resource.uptime_seconds, now)
    counters, traffic = _interface_deltas(router, result, now, rebooted, batch)
    fields = {
        "last_polled_at": now,
        "last_seen_at": now,
        "last_error": "; ".join(result.warnings)[:300],
        "last_error_kind": "",
        "identity": result.identity.name[:100],
        "version": resource.version[:60],
        "board_name": resource.board_name[:100],
        "uptime_seconds": resource.uptime_seconds,
        "cpu_load": resource.cpu_load,
        "free_memory": resource.free_memory,
        "total_memory": resource.total_memory,
        "hotspot_sessions_count": len(result.hotspot_sessions),
        "ppp_sessions_count": len(result.ppp_sessions),
        "interface_counters": counters,
        "consecutive_failures": 0,
        "next_poll_at": None,
        "poll_lease_until": None,
        "poll_lease_token": "",
    }
    online_message = f"{result.identity.name} answered (RouterOS {resource.version})."
    fields.update(_transition(router, Router.Status.ONLINE, now, online_message))
    _alert_back_online(router, fields, now)
    _update_router(router, token, fields)
    if rebooted:
        RouterEvent.objects.create(
            organization_id=router.organization_id,
            router=router,
            kind=RouterEvent.Kind.REBOOTED,
            created_at=now,
            message=f"Uptime went back to {resource.uptime_seconds} s.",
        )
    if rebooted:
        batch.rebooted.add(router.pk)
    rx, tx, interval = traffic
    batch.status_samples.append(
        RouterStatusSample(
            organization_id=router.organization_id,
            router_id=router.pk,
            taken_at=now,
            is_reachable=True,
            cpu_load=resource.cpu_load,
            memory_used_percent=resource.memory_used_percent,
            uptime_seconds=resource.uptime_seconds,
            hotspot_sessions=len(result.hotspot_sessions),
            ppp_sessions=len(result.ppp_sessions),
            rx_bytes=rx,
            tx_bytes=tx,
            interval_seconds=interval,
        )
    )
    batch.routers_with_new_sessions.append(router.pk)
    batch.session_rows += _session_rows(router, result, now)
    users = len(result.hotspot_sessions) + len(result.ppp_sessions)
    return f"{result.identity.name} · RouterOS {resource.version} · {users} user(s) online"


def _transition(router: Router, new_status: str, now: datetime, message: str) -> dict:
    """Status fields for the update; records the event and the webhook on a change."""
    fields = {"status": new_status}
    if router.status == new_status:
        return fields
    fields["status_changed_at"] = now
    RouterEvent.objects.create(
        organization_id=router.organization_id,
        router=router,
        kind=EVENT_FOR_STATUS[new_status],
        message=message[:300],
        created_at=now,
    )
    was_online = router.status == Router.Status.ONLINE
    is_online = new_status == Router.Status.ONLINE
    if was_online != is_online and (was_online or router.status != Router.Status.UNKNOWN):
        from integrations.services import webhook_emit

        webhook_emit(
            organization=router.organization,
            event="router.online" if is_online else "router.offline",
            payload={
                "router": {"id": router.pk, "name": router.name, "site": router.site},
                "status": new_status,
                "previous_status": router.status,
                "at": now.isoformat(),
                "reason": "" if is_online else message[:300],
            },
        )
    return fields


def _alert_offline(router: Router, fields: dict, now: datetime) -> None:
    """Tell members once the router has been offline for ROUTER_OFFLINE_ALERT_MINUTES."""
    if fields["status"] != Router.Status.OFFLINE or router.offline_notified_at is not None:
        return
    since = fields.get("status_changed_at") or router.status_changed_at or now
    minutes = int((now - since).total_seconds() // 60)
    if minutes < settings.ROUTER_OFFLINE_ALERT_MINUTES:
        return
    from notifications.services import notify

    notify(
        organization=router.organization,
        event="router.offline",
        context={"router": router, "minutes": minutes},
        url=reverse("routers:detail", args=[router.pk]),
    )
    fields["offline_notified_at"] = now


def _alert_back_online(router: Router, fields: dict, now: datetime) -> None:
    """The all-clear, only for outages members were told about."""
    if router.offline_notified_at is None:
        return
    from notifications.services import notify

    since = router.status_changed_at or router.offline_notified_at
    notify(
        organization=router.organization,
        event="router.online",
        context={"router": router, "offline_minutes": int((now - since).total_seconds() // 60)},
        url=reverse("routers:detail", args=[router.pk]),
    )
    fields["offline_notified_at"] = None


def has_rebooted(router: Router, uptime: int | None, now: datetime) -> bool:
    """Did the router boot again since we last saw it? Compares boot instants,
    so a reboot is noticed even when the new uptime is longer than the old one."""
    if uptime is None or router.uptime_seconds is None or router.last_seen_at is None:
        return False
    previous_boot = router.last_seen_at - timedelta(seconds=router.uptime_seconds)
    current_boot = now - timedelta(seconds=uptime)
    return (current_boot - previous_boot).total_seconds() > 60


def counter_delta(previous: int, current: int, *, rebooted: bool) -> tuple[int, bool]:
    """Bytes since the last poll; after a reset or reboot, the counter's value."""
    if rebooted or current < previous:
        return current, True
    return current - previous, False


def _interface_deltas(router, result, now, rebooted, batch):
    """Traffic since the previous poll, per interface and for the router.

    Returns the new ``interface_counters`` and ``(rx, tx, interval)`` for the
    status sample (all ``None`` when there is nothing to subtract from yet).
    """
    known = router.interface_counters or {}
    observed = {i.name[:100]: i for i in result.interfaces if i.name}
    ids = _sync_interface_rows(router, known, observed, now)
    interval = None
    if router.last_seen_at is not None:
        interval = max(1, round((now - router.last_seen_at).total_seconds()))
    physical = {n for n, i in observed.items() if i.type in PHYSICAL_TYPES} or set(observed)
    total_rx = total_tx = 0
    has_delta = False
    counters = {}
    for name, current in observed.items():
        counters[name] = [
            ids[name],
            current.rx_bytes,
            current.tx_bytes,
            current.type[:40],
            current.running,
            current.disabled,
        ]
        previous = known.get(name)
        if previous is None or interval is None:
            continue
        rx, reset_rx = counter_delta(previous[1], current.rx_bytes, rebooted=rebooted)
        tx, reset_tx = counter_delta(previous[2], current.tx_bytes, rebooted=rebooted)
        batch.interface_samples.append(
            InterfaceTrafficSample(
                organization_id=router.organization_id,
                router_id=router.pk,
                interface_id=ids[name],
                taken_at=now,
                rx_bytes=rx,
                tx_bytes=tx,
                interval_seconds=interval,
                counter_reset=reset_rx or reset_tx,
            )
        )
        if name in physical:
            total_rx += rx
            total_tx += tx
            has_delta = True
    traffic = (total_rx, total_tx, interval) if has_delta else (None, None, None)
    return counters, traffic


def _sync_interface_rows(router, known: dict, observed: dict, now: datetime) -> dict[str, int]:
    """Make the interface rows match what the router reported; returns name → id.
    Writes nothing when only counters changed (the usual poll)."""

    def state(item) -> list:
        return [item.type[:40], item.running, item.disabled]

    unchanged = set(known) == set(observed) and all(
        known[name][3:6] == state(item) for name, item in observed.items()
    )
    if unchanged:
        return {name: known[name][0] for name in observed}
    rows = {row.name: row for row in RouterInterface.objects.filter(router=router)}
    new = [
        RouterInterface(
            organization_id=router.organization_id,
            router=router,
            name=name,
            type=item.type[:40],
            is_running=item.running,
            is_disabled=item.disabled,
            changed_at=now,
        )
        for name, item in observed.items()
        if name not in rows
    ]
    for row in RouterInterface.objects.bulk_create(new):
        rows[row.name] = row
    for name, item in observed.items():
        row = rows[name]
        if row.changed_at != now and [row.type, row.is_running, row.is_disabled] != state(item):
            RouterInterface.objects.filter(pk=row.pk).update(
                type=item.type[:40],
                is_running=item.running,
                is_disabled=item.disabled,
                changed_at=now,
            )
    gone = [row.pk for name, row in rows.items() if name not in observed]
    if gone:
        RouterInterface.objects.filter(pk__in=gone).delete()
    return {name: rows[name].pk for name in observed}


def _session_rows(router: Router, result: PollResult, now: datetime) -> list[tuple]:
    org, rid = router.organization_id, router.pk
    rows = [
        (
            org,
            rid,
            "hotspot",
            s.id[:20],
            s.user[:100],
            s.address[:45],
            s.mac_address[:17],
            s.uptime_seconds,
            s.bytes_in,
            s.bytes_out,
            s.login_by[:40],
            now,
        )
        for s in result.hotspot_sessions
    ]
    rows += [
        (
            org,
            rid,
            "ppp",
            s.id[:20],
            s.name[:100],
            s.address[:45],
            s.caller_id[:17],
            s.uptime_seconds,
            None,
            None,
            s.service[:40],
            now,
        )
        for s in result.ppp_sessions
    ]
    return rows


# -------------------------------------------------------------- per batch
def _write_batch(batch: _Batch) -> None:
    """Bulk writes for the routers this batch holds (each row names its
    organisation; the router ids come from the lease check above)."""
    with all_tenants():
        if batch.status_samples:
            RouterStatusSample.objects.bulk_create(batch.status_samples)
        if batch.interface_samples:
            InterfaceTrafficSample.objects.bulk_create(batch.interface_samples)
        if batch.routers_with_new_sessions:
            ActiveSession.objects.filter(router_id__in=batch.routers_with_new_sessions).delete()
        if batch.session_rows:
            _insert_sessions(batch.session_rows)


def _insert_sessions(rows: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        # COPY: these rows are rewritten every poll for every router (100k a
        # minute for a big fleet); building ORM objects for them is the slow part.
        table = ActiveSession._meta.db_table
        statement = f"COPY {table} ({', '.join(SESSION_COLUMNS)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    ActiveSession.objects.bulk_create(
        [ActiveSession(**dict(zip(SESSION_COLUMNS, row, strict=True))) for row in rows],
        batch_size=500,
    )
