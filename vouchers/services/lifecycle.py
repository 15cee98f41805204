"""A voucher's life after printing, driven by what routers report and by our clock.

    unused ──redeem / first login seen──▶ active ──limits reached──▶ used_up
       │                                   │ ──validity over────▶ expired
       └──unsold expiry──▶ expired         └──staff──────────────▶ revoked
       └──staff──────────▶ revoked

* **First login** — polling hands each router's hotspot sessions to
  :func:`vouchers_observe_sessions`; reconciliation hands the hotspot users to
  :func:`vouchers_observe_users` (usage counters, used-up detection, and first
  logins polling missed).
* **Validity** is ours to enforce: :func:`vouchers_expire_due` (scheduled every
  minute) marks vouchers expired by our clock, then their users are removed
  and their sessions ended on every router, whatever the router's own
  scripts or clock say.
* **Where a user should exist**: an unused voucher on the routers its batch was
  pushed to; an active one only on the router it was redeemed on (or first
  seen on); a finished one nowhere. :func:`vouchers_tidy` removes it from
  everywhere else, one connection per router.

State changes are conditional updates (``…WHERE status = 'unused'``), so a
redemption, a poll and the expiry sweep can race and each change happens once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.tenancy import current_organization
from nettportal.errors import ValidationFailed
from routers.models import Router
from vouchers import routerops
from vouchers.codes import normalise
from vouchers.models import BatchPush, Voucher, VoucherEvent

logger = logging.getLogger(__name__)
LIVE = (Voucher.Status.UNUSED, Voucher.Status.ACTIVE)
IN_CHUNK = 1000


# --------------------------------------------------------------------- events
def event_add(
    voucher: Voucher | None,
    kind: str,
    *,
    organization_id: int | None = None,
    router=None,
    message: str = "",
    actor=None,
) -> VoucherEvent:
    return VoucherEvent.objects.create(
        organization_id=organization_id or voucher.organization_id,
        voucher=voucher,
        router=router,
        kind=kind,
        message=message[:300],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _events_bulk(
    organization_id: int, voucher_ids, kind: str, *, router_id=None, message="", actor=None
) -> None:
    now = timezone.now()
    actor = actor if getattr(actor, "is_authenticated", False) else None
    VoucherEvent.objects.bulk_create(
        [
            VoucherEvent(
                organization_id=organization_id,
                voucher_id=voucher_id,
                router_id=router_id,
                kind=kind,
                message=message[:300],
                actor=actor,
                created_at=now,
            )
            for voucher_id in voucher_ids
        ],
        batch_size=2000,
    )


def _chunks(items, size=IN_CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def vouchers_by_code(codes) -> dict[str, Voucher]:
    """Our vouchers whose code is exactly one of ``codes`` (router user names)."""
    codes = set(codes)
    found: dict[str, Voucher] = {}
    lookups = {normalise(code) for code in codes}
    for chunk in _chunks(lookups):
        for voucher in Voucher.objects.filter(lookup__in=chunk).select_related("package"):
            if voucher.code in codes:
                found[voucher.code] = voucher
    return found


# ------------------------------------------------------------ webhooks
_WEBHOOK_FIELDS = (
    "pk",
    "code",
    "status",
    "batch_id",
    "package_id",
    "package__name",
    "router_id",
    "stacked_onto_id",
    "redeemed_at",
    "expires_at",
    "finished_at",
)


def _iso(value):
    return value.isoformat() if value else None


def vouchers_webhook_emit(organization_id: int, event: str, voucher_ids, **extra) -> int:
    """One ``voucher.*`` webhook per voucher, as they are now (ids, code, package,
    status and times; never the device's MAC). Two queries per 1,000 vouchers,
    and none beyond the endpoint lookup when no endpoint listens. Call it inside
    the transaction that changed them: deliveries are queued after commit."""
    from integrations.services import webhook_emit_many

    voucher_ids = sorted(set(voucher_ids))
    if not voucher_ids:
        return 0

    def payloads():
        for chunk in _chunks(voucher_ids):
            rows = Voucher.objects.filter(pk__in=chunk).order_by("pk").values(*_WEBHOOK_FIELDS)
            for row in rows:
                yield {
                    "voucher": {
                        "id": row["pk"],
                        "code": row["code"],
                        "status": row["status"],
                        "batch_id": row["batch_id"],
                        "package": {"id": row["package_id"], "name": row["package__name"]},
                        "router_id": row["router_id"],
                        "stacked_onto_id": row["stacked_onto_id"],
                        "redeemed_at": _iso(row["redeemed_at"]),
                        "expires_at": _iso(row["expires_at"]),
                        "finished_at": _iso(row["finished_at"]),
                    },
                    **extra,
                }

    return len(webhook_emit_many(organization=organization_id, event=event, payloads=payloads()))


# ------------------------------------------------------------- finishing
def _finish(ids, status: str, *, now: datetime, from_statuses=LIVE) -> list[int]:
    """Move ``ids`` (and vouchers stacked onto them) to a final status; returns
    the ids that changed (a concurrent change wins and is left alone)."""
    ids = list(ids)
    changed: list[int] = []
    for chunk in _chunks(ids):
        candidates = Voucher.objects.filter(
            Q(pk__in=chunk) | Q(stacked_onto_id__in=chunk), status__in=from_statuses
        )
        chunk_ids = list(candidates.values_list("pk", flat=True))
        if not chunk_ids:
            continue
        Voucher.objects.filter(pk__in=chunk_ids, status__in=from_statuses).update(
            status=status, finished_at=now
        )
        changed += list(
            Voucher.objects.filter(pk__in=chunk_ids, status=status, finished_at=now).values_list(
                "pk", flat=True
            )
        )
    return changed


def _enqueue_tidy(organization_id: int, voucher_ids) -> None:
    voucher_ids = list(voucher_ids)
    if not voucher_ids:
        return
    from vouchers.tasks import tidy_vouchers_task

    transaction.on_commit(
        lambda: [
            tidy_vouchers_task.delay(organization_id, chunk) for chunk in _chunks(voucher_ids, 5000)
        ]
    )


@transaction.atomic
def voucher_revoke(*, voucher: Voucher, actor) -> Voucher:
    """Revoke one voucher; its user is removed from every router after the commit."""
    if voucher.stacked_onto_id:
        raise ValidationFailed(
            f"This voucher was added on top of {voucher.stacked_onto.code}; revoke that one."
        )
    if voucher.status not in LIVE:
        raise ValidationFailed(f"This voucher is already {voucher.get_status_display().lower()}.")
    changed = _finish([voucher.pk], Voucher.Status.REVOKED, now=timezone.now())
    if voucher.pk not in changed:
        raise ValidationFailed("This voucher changed meanwhile; reload the page.")
    _events_bulk(
        voucher.organization_id,
        changed,
        VoucherEvent.Kind.REVOKED,
        actor=actor,
        message="Revoked by staff.",
    )
    logger.info("voucher %s revoked by user %s", voucher.pk, getattr(actor, "pk", None))
    _enqueue_tidy(voucher.organization_id, changed)
    voucher.refresh_from_db()
    return voucher


@transaction.atomic
def vouchers_revoke(*, organization, actor, voucher_ids=None, batch=None) -> int:
    """Revoke many vouchers (chosen ids, or all live ones of a batch).

    Vouchers already finished, and vouchers stacked onto another one, are
    skipped. Returns how many were revoked.
    """
    live = Voucher.objects.filter(status__in=LIVE, stacked_onto__isnull=True)
    if batch is not None:
        if batch.organization_id != organization.pk:
            raise ValidationFailed("Unknown batch.")
        ids = list(live.filter(batch=batch).values_list("pk", flat=True))
    else:
        ids = []
        for chunk in _chunks({int(pk) for pk in voucher_ids or []}):
            ids += list(live.filter(pk__in=chunk).values_list("pk", flat=True))
    changed = _finish(ids, Voucher.Status.REVOKED, now=timezone.now())
    _events_bulk(
        organization.pk,
        changed,
        VoucherEvent.Kind.REVOKED,
        actor=actor,
        message="Revoked by staff (bulk).",
    )
    logger.info(
        "%s voucher(s) revoked in bulk by user %s", len(changed), getattr(actor, "pk", None)
    )
    _enqueue_tidy(organization.pk, changed)
    return len(changed)


@transaction.atomic
def vouchers_expire_due(*, now: datetime | None = None) -> list[int]:
    """Expire by our clock: active vouchers past their validity, unused ones past
    their batch's expiry. Their users are removed from routers after the commit."""
    now = now or timezone.now()
    active = Voucher.objects.filter(
        status=Voucher.Status.ACTIVE, stacked_onto__isnull=True, expires_at__lte=now
    ).values_list("pk", flat=True)
    unsold = Voucher.objects.filter(
        status=Voucher.Status.UNUSED, unsold_expires_at__lte=now
    ).values_list("pk", flat=True)
    was_active = _finish(
        list(active), Voucher.Status.EXPIRED, now=now, from_statuses=(Voucher.Status.ACTIVE,)
    )
    was_unused = _finish(
        list(unsold), Voucher.Status.EXPIRED, now=now, from_statuses=(Voucher.Status.UNUSED,)
    )
    changed = was_active + was_unused
    if changed:
        organization_id = current_organization().pk
        vouchers_webhook_emit(
            organization_id, "voucher.expired", was_active, previous_status="active"
        )
        vouchers_webhook_emit(
            organization_id, "voucher.expired", was_unused, previous_status="unused"
        )
        _events_bulk(
            organization_id,
            changed,
            VoucherEvent.Kind.EXPIRED,
            message="Validity ended (NettPortal's clock).",
        )
        logger.info("%s voucher(s) expired", len(changed))
        _enqueue_tidy(organization_id, changed)
    return changed


def _mark_used_up(vouchers: list[Voucher], *, router: Router, now: datetime) -> list[int]:
    changed = _finish(
        [v.pk for v in vouchers],
        Voucher.Status.USED_UP,
        now=now,
        from_statuses=(Voucher.Status.ACTIVE,),
    )
    if changed:
        _events_bulk(
            router.organization_id,
            changed,
            VoucherEvent.Kind.USED_UP,
            router_id=router.pk,
            message="Time or data limit reached.",
        )
    return changed


# ------------------------------------------------------------ placement / tidy
def _pushed_routers(batch_ids) -> dict[int, set[int]]:
    routers: dict[int, set[int]] = defaultdict(set)
    for batch_id, router_id in BatchPush.objects.filter(batch_id__in=batch_ids).values_list(
        "batch_id", "router_id"
    ):
        routers[batch_id].add(router_id)
    return routers


def misplaced_users(vouchers) -> dict[int, dict[str, int]]:
    """router id → {code: voucher id} of users that exist (or may) where they should not."""
    vouchers = list(vouchers)
    pushed = _pushed_routers({v.batch_id for v in vouchers if v.batch_id})
    remove: dict[int, dict[str, int]] = defaultdict(dict)
    for voucher in vouchers:
        may_exist = set(pushed.get(voucher.batch_id, ()))
        if voucher.router_id:
            may_exist.add(voucher.router_id)
        if voucher.status == Voucher.Status.UNUSED:
            should = set(pushed.get(voucher.batch_id, ()))
        elif voucher.status == Voucher.Status.ACTIVE and not voucher.stacked_onto_id:
            should = {voucher.router_id} if voucher.router_id else set()
        else:
            should = set()
        for router_id in may_exist - should:
            remove[router_id][voucher.code] = voucher.pk
    return remove


def vouchers_remove_from_router(*, router: Router, codes: dict[str, int], reason: str) -> bool:
    """Remove these users (and end their sessions) on one router, logging each.

    Returns False when the router could not be reached; nothing is lost:
    reconciliation removes them once the router answers again.
    """
    if not codes:
        return True
    try:
        with routerops.open_router(router) as client:
            removed, kicked = routerops.users_remove(client, codes)
    except routerops.RouterError as error:
        logger.warning(
            "router %s: could not remove %s voucher user(s): %s", router.pk, len(codes), error.kind
        )
        _events_bulk(
            router.organization_id,
            list(codes.values())[:500],
            VoucherEvent.Kind.ROUTER_ERROR,
            router_id=router.pk,
            message=f"Could not remove from {router.name}: {error.message}"[:300],
        )
        return False
    if removed:
        _events_bulk(
            router.organization_id,
            [codes[name] for name in removed],
            VoucherEvent.Kind.REMOVED,
            router_id=router.pk,
            message=f"Removed from {router.name} ({reason}).",
        )
    logger.info(
        "router %s: removed %s voucher user(s), ended %s session(s) (%s)",
        router.pk,
        len(removed),
        kicked,
        reason,
    )
    return True


def vouchers_tidy(*, voucher_ids, reason: str = "no longer valid here") -> dict:
    """Remove the users of these vouchers from every router where they should
    not be (one connection per router). Safe to run again."""
    summary = {"routers": 0, "failed": 0}
    for chunk in _chunks(voucher_ids, 5000):
        vouchers = Voucher.objects.filter(pk__in=chunk).only(
            "pk", "code", "status", "router_id", "batch_id", "stacked_onto_id", "organization_id"
        )
        plan = misplaced_users(vouchers)
        routers = Router.objects.in_bulk(list(plan))
        for router_id, codes in plan.items():
            router = routers.get(router_id)
            if router is None:
                continue
            summary["routers"] += 1
            if not vouchers_remove_from_router(router=router, codes=codes, reason=reason):
                summary["failed"] += 1
    return summary


# ------------------------------------------------------- what routers report
def _activate(
    voucher: Voucher, *, router: Router, seen_at: datetime, mac: str = "", how: str
) -> bool:
    """unused → active at its first login on ``router`` (conditional)."""
    validity = voucher.total_validity
    organization = router.organization
    changed = Voucher.objects.filter(pk=voucher.pk, status=Voucher.Status.UNUSED).update(
        status=Voucher.Status.ACTIVE,
        router=router,
        redeemed_at=seen_at,
        first_login_at=seen_at,
        last_seen_at=seen_at,
        expires_at=seen_at + validity if validity else None,
        sold_at=voucher.sold_at or seen_at,
        sold_price=voucher.sold_price if voucher.sold_price is not None else voucher.package.price,
        currency=voucher.currency or organization.currency,
        device_mac=mac[:17],
    )
    if changed:
        event_add(
            voucher,
            VoucherEvent.Kind.FIRST_LOGIN,
            router=router,
            message=f"First login on {router.name} ({how}).",
        )
    return bool(changed)


def _start_clock(voucher: Voucher, *, router: Router, seen_at: datetime, how: str) -> bool:
    """active, redeemed without logging in → its validity starts now (conditional)."""
    validity = voucher.total_validity
    changed = Voucher.objects.filter(
        pk=voucher.pk, status=Voucher.Status.ACTIVE, first_login_at__isnull=True
    ).update(
        first_login_at=seen_at,
        last_seen_at=seen_at,
        expires_at=seen_at + validity if validity else None,
    )
    if changed:
        event_add(
            voucher,
            VoucherEvent.Kind.FIRST_LOGIN,
            router=router,
            message=f"First login on {router.name} ({how}).",
        )
    return bool(changed)


@transaction.atomic
def vouchers_observe_sessions(*, router: Router, sessions, seen_at: datetime | None = None) -> dict:
    """Learn from a router's active hotspot sessions (``HotspotSession`` list).

    First logins turn unused vouchers active and start the validity clock.
    Sessions of vouchers that are finished (or belong on another router) are
    handed to :func:`vouchers_tidy`, which ends them.
    """
    return _observe_sessions(router, sessions, seen_at or timezone.now())


def _observe_sessions(router: Router, sessions, seen_at: datetime, known=None) -> dict:
    """The body of :func:`vouchers_observe_sessions`; ``known`` is the lookup of
    the sessions' codes when the caller made it already (``{code: voucher}``)."""
    summary = {"first_logins": 0, "seen": 0, "enforced": 0}
    by_user = {}
    for session in sessions:
        by_user.setdefault(session.user, session)
    if not by_user:
        return summary
    if known is None:
        vouchers = vouchers_by_code(by_user)
    else:
        vouchers = {code: known[code] for code in by_user if code in known}
    seen_ids, stray, activated = [], [], []
    for code, voucher in vouchers.items():
        session = by_user[code]
        if voucher.status == Voucher.Status.UNUSED:
            if voucher.unsold_expires_at and voucher.unsold_expires_at <= seen_at:
                stray.append(voucher.pk)
                continue
            if _activate(
                voucher,
                router=router,
                seen_at=seen_at,
                mac=session.mac_address,
                how="seen by polling",
            ):
                summary["first_logins"] += 1
                activated.append(voucher.pk)
                stray.append(voucher.pk)  # copies pushed to other routers go
        elif voucher.status == Voucher.Status.ACTIVE:
            if voucher.router_id and voucher.router_id != router.pk:
                stray.append(voucher.pk)
                continue
            if voucher.first_login_at is None and _start_clock(
                voucher, router=router, seen_at=seen_at, how="seen by polling"
            ):
                summary["first_logins"] += 1
            seen_ids.append(voucher.pk)
        else:
            stray.append(voucher.pk)
    if seen_ids:
        Voucher.objects.filter(pk__in=seen_ids).update(last_seen_at=seen_at)
    summary["seen"] = len(seen_ids)
    summary["enforced"] = len(stray)
    vouchers_webhook_emit(router.organization_id, "voucher.redeemed", activated, via="router")
    _enqueue_tidy(router.organization_id, stray)
    return summary


@transaction.atomic
def vouchers_observe_users(*, router: Router, users, now: datetime | None = None) -> dict:
    """Learn from a router's hotspot users (``HotspotUser`` list): usage of
    active vouchers, used-up vouchers, and first logins polling missed."""
    now = now or timezone.now()
    summary = {"updated": 0, "used_up": 0, "first_logins": 0}
    by_name = {user.name: user for user in users}
    vouchers = vouchers_by_code(by_name)
    changed_usage, used_up, activated = [], [], []
    for code, voucher in vouchers.items():
        user = by_name[code]
        if voucher.stacked_onto_id:
            continue
        if (
            voucher.status == Voucher.Status.UNUSED
            and user.uptime_seconds > 0
            and _activate(
                voucher,
                router=router,
                seen_at=now - timedelta(seconds=user.uptime_seconds),
                how="usage found on the router",
            )
        ):
            summary["first_logins"] += 1
            activated.append(voucher.pk)
            voucher.status, voucher.router_id = Voucher.Status.ACTIVE, router.pk
        if voucher.status != Voucher.Status.ACTIVE or voucher.router_id != router.pk:
            continue
        if voucher.first_login_at is None and user.uptime_seconds > 0:
            _start_clock(
                voucher,
                router=router,
                seen_at=now - timedelta(seconds=user.uptime_seconds),
                how="usage found on the router",
            )
        used_seconds = voucher.usage_base_seconds + user.uptime_seconds
        used_bytes = voucher.usage_base_bytes + user.bytes_in + user.bytes_out
        if (used_seconds, used_bytes) != (voucher.used_seconds, voucher.used_bytes):
            voucher.used_seconds, voucher.used_bytes = used_seconds, used_bytes
            changed_usage.append(voucher)
        time_limit, data_limit = voucher.total_time_limit, voucher.total_data_limit
        if (time_limit and used_seconds >= time_limit.total_seconds()) or (
            data_limit and used_bytes >= data_limit
        ):
            used_up.append(voucher)
    Voucher.objects.bulk_update(changed_usage, ["used_seconds", "used_bytes"], batch_size=1000)
    summary["updated"] = len(changed_usage)
    finished = _mark_used_up(used_up, router=router, now=now)
    summary["used_up"] = len(finished)
    vouchers_webhook_emit(router.organization_id, "voucher.redeemed", activated, via="router")
    _enqueue_tidy(router.organization_id, finished + activated)
    return summary


def vouchers_observe_poll(*, router: Router, hotspot_sessions, seen_at: datetime | None = None):
    """The hook router polling calls after storing a successful poll.

    Never raises: a vouchers problem must not break polling. Runs with the
    router's organisation active (polling stores each router in its tenant).
    """
    try:
        return vouchers_observe_sessions(router=router, sessions=hotspot_sessions, seen_at=seen_at)
    except Exception:
        logger.exception("vouchers: observing the poll of router %s failed", router.pk)
        return None


def vouchers_observe_polls(polls) -> None:
    """:func:`vouchers_observe_poll` for many polls at once: ``(router,
    hotspot_sessions, seen_at)`` of routers of the active organisation, with
    one lookup of every code they saw and one transaction for the lot (the
    result is that of one call per router, in order). Never raises: if the
    lot fails, each poll is observed on its own."""
    polls = list(polls)
    if not polls:
        return
    try:
        with transaction.atomic():
            known = vouchers_by_code({s.user for _router, sessions, _at in polls for s in sessions})
            handled: set[str] = set()
            for router, sessions, seen_at in polls:
                codes = {session.user for session in sessions}
                again = codes & handled
                if again:
                    # An earlier router of this lot saw the same code and may have
                    # changed its voucher: read it again, as a call of its own would.
                    for code in again:
                        known.pop(code, None)
                    known.update(vouchers_by_code(again))
                _observe_sessions(router, sessions, seen_at or timezone.now(), known)
                handled |= codes & known.keys()
        return
    except Exception:
        if len(polls) == 1:
            logger.exception("vouchers: observing the poll of router %s failed", polls[0][0].pk)
            return
        logger.warning("vouchers: observing %d polls at once failed; one by one", len(polls))
    for router, sessions, seen_at in polls:
        vouchers_observe_poll(router=router, hotspot_sessions=sessions, seen_at=seen_at)
