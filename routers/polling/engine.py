"""Which routers to poll, leases, and the claim → fetch → store loop."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts.tenancy import all_tenants, tenant
from routers.models import Router
from routers.polling.fetch import _fetch_all, router_target

logger = logging.getLogger("routers.polling")

# Results stored per transaction: enough to share the statements' cost, small
# enough that the first results are on the dashboard while the rest still run.
STORE_BATCH = 50


@dataclass
class PollOutcome:
    router_id: int
    name: str
    status: str
    ok: bool
    message: str
    duration: float
    stored: bool = True
    rebooted: bool = False

    def summary_line(self) -> str:
        flag = "ok " if self.ok else "ERR"
        return f"{flag} #{self.router_id} {self.name}: {self.message} ({self.duration:.2f} s)"


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


def poll_routers(
    router_ids: list[int], *, force: bool = False, concurrency: int | None = None
) -> list[PollOutcome]:
    """Claim, fetch concurrently and store. Returns one outcome per polled router."""
    from routers.polling.store import store_results

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
    outcomes: list[PollOutcome] = []
    # Every router answers, fails or is stopped within its connect timeout plus
    # the time limit once it has a slot, so a silence this long is a bug.
    patience = settings.ROUTER_CONNECT_TIMEOUT + settings.ROUTER_POLL_TIME_LIMIT + 30
    waiting = len(routers)
    while waiting:
        try:
            batch = [results.get(timeout=patience)]
        except queue.Empty:
            logger.error("router poll: results missing after the time limit; leases will expire")
            break
        while len(batch) < min(STORE_BATCH, waiting):
            try:
                batch.append(results.get_nowait())
            except queue.Empty:
                break
        waiting -= len(batch)
        stored = store_results(batch, by_id, token)
        outcomes += stored
        _tell_vouchers(batch, stored, by_id)
        _tell_customers(batch, stored, by_id)
    worker.join(timeout=5)
    ok = sum(1 for outcome in outcomes if outcome.ok)
    logger.info("polled %d router(s): %d ok, %d failed", len(outcomes), ok, len(outcomes) - ok)
    return outcomes


def _stored_by_organization(results, outcomes: list[PollOutcome], routers: dict[int, Router]):
    """The batch's successfully stored polls, grouped by organisation:
    ``[(organization, [(router, result, outcome), …])]`` in arrival order."""
    stored = {outcome.router_id: outcome for outcome in outcomes if outcome.ok and outcome.stored}
    groups: dict[int, tuple] = {}
    for result in results:
        outcome = stored.get(result.router_id)
        if outcome is not None:
            router = routers[result.router_id]
            groups.setdefault(router.organization_id, (router.organization, []))[1].append(
                (router, result, outcome)
            )
    return list(groups.values())


def _tell_vouchers(results, outcomes: list[PollOutcome], routers: dict[int, Router]) -> None:
    """Vouchers learn first logins (and sessions to end) from each stored poll:
    an explicit call per organisation of the batch, no signals.
    ``vouchers_observe_polls`` never raises."""
    from vouchers.services import vouchers_observe_polls

    for organization, polls in _stored_by_organization(results, outcomes, routers):
        with tenant(organization):
            vouchers_observe_polls(
                (router, result.hotspot_sessions, result.taken_at) for router, result, _ in polls
            )


def _tell_customers(results, outcomes: list[PollOutcome], routers: dict[int, Router]) -> None:
    """Per-session usage records and daily rollups (customers app), after the
    poll is stored: an explicit call per organisation of the batch, in its own
    transaction, that never raises, so usage bookkeeping cannot fail or slow
    the status store."""
    from customers.services.usage import usage_polls_record

    for organization, polls in _stored_by_organization(results, outcomes, routers):
        with tenant(organization):
            usage_polls_record(
                (router, result, outcome.rebooted) for router, result, outcome in polls
            )
