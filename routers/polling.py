"""Polling: claim routers, ask them over the API concurrently, store what they said.

One call of :func:`poll_routers` handles a group of routers (a Celery chunk
task, ``manage.py poll_routers`` or the "test connection" button):

1. **claim** — one conditional UPDATE gives each router a lease (a token and
   an expiry). A router whose lease is held is skipped, so one router is never
   polled twice at once, whoever asks.
2. **fetch** — an asyncio loop in a helper thread polls every claimed router at
   the same time with the async client, each under its own time limit, and
   hands results over a queue as they finish. A slow or black-holed router
   costs its own timeout and nothing else.
3. **store** — the calling thread (an ordinary Django thread) stores each
   result in one transaction, conditional on still holding the lease:
   router status, a status sample, interface deltas, the replaced session
   set and online/offline events all land together or not at all.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.tenancy import all_tenants, tenant
from routers.models import (
    ActiveSession,
    InterfaceTrafficSample,
    Router,
    RouterEvent,
    RouterInterface,
    RouterStatusSample,
)
from routers.routeros import (
    HotspotSession,
    Identity,
    Interface,
    PPPSession,
    Resource,
    RouterCommandRejected,
    RouterError,
    RouterTarget,
    RouterTimeout,
    async_connect,
)

logger = logging.getLogger(__name__)

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


@dataclass
class PollResult:
    """What one poll learnt (plain data, safe to pass between threads)."""

    router_id: int
    taken_at: datetime
    duration: float = 0.0
    error_kind: str = ""
    error: str = ""
    identity: Identity | None = None
    resource: Resource | None = None
    interfaces: list[Interface] = field(default_factory=list)
    hotspot_sessions: list[HotspotSession] = field(default_factory=list)
    ppp_sessions: list[PPPSession] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error_kind


@dataclass
class PollOutcome:
    router_id: int
    name: str
    status: str
    ok: bool
    message: str
    duration: float
    stored: bool = True

    def summary_line(self) -> str:
        flag = "ok " if self.ok else "ERR"
        return f"{flag} #{self.router_id} {self.name}: {self.message} ({self.duration:.2f} s)"


def router_target(router: Router) -> RouterTarget:
    return RouterTarget(
        host=router.host,
        port=router.api_port,
        username=router.username,
        password=router.password,
        use_tls=router.use_tls,
        verify_tls=router.verify_tls,
        connect_timeout=settings.ROUTER_CONNECT_TIMEOUT,
        read_timeout=settings.ROUTER_READ_TIMEOUT,
    )


def backoff_seconds(failures: int) -> int:
    """0 after the first failure (retry next cycle), then doubling, capped."""
    if failures <= 1:
        return 0
    return min(
        settings.ROUTER_POLL_INTERVAL * 2 ** (failures - 1), settings.ROUTER_POLL_MAX_BACKOFF
    )


# ------------------------------------------------------------------ selection
def due_router_ids(now: datetime | None = None) -> list[int]:
    """Enabled routers whose back-off has passed and that nobody is polling.

    Platform-wide (the scheduled sweep), hence ``all_tenants``. Routers that
    failed last time come first, so their timeouts start early.
    """
    now = now or timezone.now()
    with all_tenants():
        return list(
            Router.objects.filter(is_enabled=True)
            .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
            .filter(Q(poll_lease_until__isnull=True) | Q(poll_lease_until__lt=now))
            .order_by("-consecutive_failures", "id")
            .values_list("id", flat=True)
        )


def chunked(ids: list[int], size: int) -> list[list[int]]:
    """Split ``ids`` into chunks of at most ``size``, dealing round-robin so
    routers that failed last time (first in ``ids``) spread over every chunk."""
    if not ids:
        return []
    count = -(-len(ids) // max(1, size))
    return [ids[index::count] for index in range(count)]


def claim_routers(router_ids: list[int], *, force: bool = False) -> tuple[str, list[Router]]:
    """Lease the given routers for one poll. ``force`` ignores back-off (not leases)."""
    now = timezone.now()
    token = uuid.uuid4().hex
    lease = now + timedelta(seconds=settings.ROUTER_POLL_TIME_LIMIT + 60)
    with all_tenants():
        eligible = Router.objects.filter(pk__in=router_ids).filter(
            Q(poll_lease_until__isnull=True) | Q(poll_lease_until__lt=now)
        )
        if not force:
            eligible = eligible.filter(is_enabled=True).filter(
                Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
            )
        eligible.update(poll_lease_until=lease, poll_lease_token=token)
        routers = list(
            Router.objects.filter(poll_lease_token=token, pk__in=router_ids)
            .select_related("organization")
            .order_by("-consecutive_failures", "id")
        )
    return token, routers


# -------------------------------------------------------------------- fetch
async def fetch_router(router_id: int, target: RouterTarget) -> PollResult:
    """Ask one router everything a poll needs; never raises for router trouble."""
    result = PollResult(router_id=router_id, taken_at=timezone.now())
    started = time.monotonic()
    try:
        client = await async_connect(target)
        try:
            result.identity = await client.identity()
            result.resource = await client.resource()
            result.interfaces = await client.interfaces()
            for menu in ("hotspot", "ppp"):
                try:
                    if menu == "hotspot":
                        result.hotspot_sessions = await client.hotspot_active()
                    else:
                        result.ppp_sessions = await client.ppp_active()
                except RouterCommandRejected as error:
                    # e.g. the ppp package is off: the router is fine, the menu is not there
                    result.warnings.append(error.message)
        finally:
            await client.close()
    except RouterError as error:
        result.error_kind, result.error = error.kind, error.message
    result.duration = time.monotonic() - started
    return result


async def _fetch_all(jobs: list[tuple[int, RouterTarget]], results: queue.Queue, concurrency: int):
    semaphore = asyncio.Semaphore(max(1, concurrency))
    limit = settings.ROUTER_POLL_TIME_LIMIT

    async def one(router_id: int, target: RouterTarget):
        async with semaphore:
            started = time.monotonic()
            try:
                result = await asyncio.wait_for(fetch_router(router_id, target), timeout=limit)
            except TimeoutError:
                result = PollResult(
                    router_id=router_id,
                    taken_at=timezone.now(),
                    error_kind=RouterTimeout.kind,
                    error=f"The poll took longer than {limit} s and was stopped.",
                )
            except Exception:  # a bug must not stop the other routers
                logger.exception("router poll failed unexpectedly (router %s)", router_id)
                result = PollResult(
                    router_id=router_id,
                    taken_at=timezone.now(),
                    error_kind="error",
                    error="Internal error while polling; the team has been notified.",
                )
            result.duration = result.duration or time.monotonic() - started
            results.put(result)

    await asyncio.gather(*(one(router_id, target) for router_id, target in jobs))


def poll_routers(
    router_ids: list[int], *, force: bool = False, concurrency: int | None = None
) -> list[PollOutcome]:
    """Claim, fetch concurrently and store. Returns one outcome per polled router."""
    token, routers = claim_routers(router_ids, force=force)
    if not routers:
        return []
    by_id = {router.pk: router for router in routers}
    jobs = [(router.pk, router_target(router)) for router in routers]
    results: queue.Queue = queue.Queue()
    worker = threading.Thread(
        target=asyncio.run,
        args=(_fetch_all(jobs, results, concurrency or settings.ROUTER_POLL_CONCURRENCY),),
        name="router-poll",
        daemon=True,
    )
    worker.start()
    outcomes = []
    deadline = time.monotonic() + settings.ROUTER_POLL_TIME_LIMIT + 30
    for _ in range(len(routers)):
        try:
            result = results.get(timeout=max(1.0, deadline - time.monotonic()))
        except queue.Empty:
            logger.error("router poll: results missing after the time limit; leases will expire")
            break
        router = by_id[result.router_id]
        try:
            with tenant(router.organization):
                outcomes.append(poll_result_store(router=router, result=result, token=token))
        except Exception:  # one router's storage failure must not lose the others
            logger.exception("router poll: storing failed (router %s)", router.pk)
    worker.join(timeout=5)
    ok = sum(1 for outcome in outcomes if outcome.ok)
    logger.info("polled %d router(s): %d ok, %d failed", len(outcomes), ok, len(outcomes) - ok)
    return outcomes


# -------------------------------------------------------------------- store
class LeaseLost(Exception):
    """Another poller took this router over; our result is discarded."""


def poll_result_store(*, router: Router, result: PollResult, token: str) -> PollOutcome:
    """Store one result atomically; a lost lease stores nothing."""
    try:
        with transaction.atomic():
            if result.ok:
                message = _store_success(router, result, token)
            else:
                message = _store_failure(router, result, token)
    except LeaseLost:
        return PollOutcome(
            router.pk,
            router.name,
            router.status,
            result.ok,
            "skipped: another poll took over",
            result.duration,
            stored=False,
        )
    return PollOutcome(router.pk, router.name, router.status, result.ok, message, result.duration)


def _claimed(router: Router, token: str):
    return Router.objects.filter(pk=router.pk, poll_lease_token=token)


def _transition(router: Router, new_status: str, now: datetime, message: str) -> dict:
    fields = {"status": new_status}
    if router.status != new_status:
        fields["status_changed_at"] = now
        RouterEvent.objects.create(
            organization_id=router.organization_id,
            router=router,
            kind=EVENT_FOR_STATUS[new_status],
            message=message[:300],
            created_at=now,
        )
    return fields


def _store_failure(router: Router, result: PollResult, token: str) -> str:
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
    if not _claimed(router, token).update(**fields):
        raise LeaseLost
    # What was online is unknown now; an empty set is the truthful answer.
    ActiveSession.objects.filter(router=router).delete()
    RouterStatusSample.objects.create(
        organization_id=router.organization_id, router=router, taken_at=now, is_reachable=False
    )
    _apply(router, fields)
    return result.error


def _store_success(router: Router, result: PollResult, token: str) -> str:
    now = result.taken_at
    resource = result.resource
    rebooted = has_rebooted(router, resource.uptime_seconds, now)
    counters, traffic = _store_interfaces(router, result, now, rebooted)
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
    fields.update(_transition(router, Router.Status.ONLINE, now, _online_message(result)))
    if not _claimed(router, token).update(**fields):
        raise LeaseLost  # rolls back the interface rows written above too
    if rebooted:
        RouterEvent.objects.create(
            organization_id=router.organization_id,
            router=router,
            kind=RouterEvent.Kind.REBOOTED,
            created_at=now,
            message=f"Uptime went back to {resource.uptime_seconds} s.",
        )
    rx, tx, interval = traffic
    RouterStatusSample.objects.create(
        organization_id=router.organization_id,
        router=router,
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
    _replace_sessions(router, result, now)
    # Per-session usage records and daily rollups (customers app); isolated in a
    # savepoint there, so a usage problem never fails the poll.
    from customers.services.usage import usage_poll_record

    usage_poll_record(router=router, result=result, rebooted=rebooted)
    _apply(router, fields)
    users = len(result.hotspot_sessions) + len(result.ppp_sessions)
    return f"{result.identity.name} · RouterOS {resource.version} · {users} user(s) online"


def has_rebooted(router: Router, uptime: int | None, now: datetime) -> bool:
    """Did the router boot again since we last saw it? Compares boot instants,
    so a reboot is noticed even when the new uptime is longer than the old one."""
    if uptime is None or router.uptime_seconds is None or router.last_seen_at is None:
        return False
    previous_boot = router.last_seen_at - timedelta(seconds=router.uptime_seconds)
    current_boot = now - timedelta(seconds=uptime)
    return (current_boot - previous_boot).total_seconds() > 60


def _online_message(result: PollResult) -> str:
    return f"{result.identity.name} answered (RouterOS {result.resource.version})."


def _apply(router: Router, fields: dict) -> None:
    for name, value in fields.items():
        setattr(router, name, value)


def counter_delta(previous: int, current: int, *, rebooted: bool) -> tuple[int, bool]:
    """Bytes since the last poll; after a reset or reboot, the counter's value."""
    if rebooted or current < previous:
        return current, True
    return current - previous, False


def _store_interfaces(router: Router, result: PollResult, now: datetime, rebooted: bool):
    """Traffic since the previous poll, per interface and for the router.

    Returns the new ``interface_counters`` and ``(rx, tx, interval)`` for the
    status sample (all ``None`` when there is nothing to subtract from yet).
    Interface rows are only written when an interface appears, changes state
    or disappears.
    """
    known = router.interface_counters or {}
    observed = {i.name[:100]: i for i in result.interfaces if i.name}
    ids = _sync_interface_rows(router, known, observed, now)
    interval = None
    if router.last_seen_at is not None:
        interval = max(1, round((now - router.last_seen_at).total_seconds()))
    physical = {n for n, i in observed.items() if i.type in PHYSICAL_TYPES} or set(observed)
    samples = []
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
        samples.append(
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
    if samples:
        InterfaceTrafficSample.objects.bulk_create(samples)
    traffic = (total_rx, total_tx, interval) if has_delta else (None, None, None)
    return counters, traffic


def _sync_interface_rows(router, known: dict, observed: dict, now: datetime) -> dict[str, int]:
    """Make the interface rows match what the router reported; returns name → id."""

    def state(item) -> list:
        return [item.type[:40], item.running, item.disabled]

    unchanged = set(known) == set(observed) and all(
        known[name][3:6] == state(item) for name, item in observed.items()
    )
    if unchanged:
        return {name: known[name][0] for name in observed}
    rows = {row.name: row for row in RouterInterface.objects.filter(router=router)}
    for name, item in observed.items():
        row = rows.get(name)
        if row is None:
            rows[name] = RouterInterface.objects.create(
                organization_id=router.organization_id,
                router=router,
                name=name,
                type=item.type[:40],
                is_running=item.running,
                is_disabled=item.disabled,
                changed_at=now,
            )
        elif [row.type, row.is_running, row.is_disabled] != state(item):
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


def _replace_sessions(router: Router, result: PollResult, now: datetime) -> None:
    """Swap the router's session set (inside the caller's transaction)."""
    ActiveSession.objects.filter(router=router).delete()
    org, rid, hotspot, ppp = router.organization_id, router.pk, "hotspot", "ppp"
    rows = [
        (
            org,
            rid,
            hotspot,
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
            ppp,
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
    if not rows:
        return
    if connection.vendor == "postgresql":
        # COPY: this set is rewritten every poll for every router (100k rows a
        # minute for a big fleet); building ORM objects for it is the slow part.
        # The rows carry this router's organisation, checked by the scoped delete above.
        table = ActiveSession._meta.db_table
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({', '.join(SESSION_COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    ActiveSession.objects.bulk_create(
        [ActiveSession(**dict(zip(SESSION_COLUMNS, row, strict=True))) for row in rows],
        batch_size=500,
    )
