"""Reconciliation: make each router's hotspot users match our vouchers.

The scheduled task runs :func:`router_reconcile` for every router, one
connection each. It

1. syncs the package profiles the router should have (recording drift);
2. reads the router's hotspot users and active sessions and learns from
   them (first logins, usage, used-up vouchers);
3. compares the users with our vouchers and repairs the difference:

   * a user whose voucher is revoked, expired or used up, or that belongs on
     another router → removed (its sessions ended first);
   * an active voucher of this router whose user is missing → recreated with
     what is left of its time and data;
   * an unused voucher of a batch pushed here whose user is missing → pushed
     again.

Users whose names are not our codes are the operator's own and are never
touched. Every action is a :class:`VoucherEvent` and a log line; running it
twice in a row changes nothing the second time.
"""

from __future__ import annotations

import logging

from django.db import transaction

from vouchers import routerops
from vouchers.models import (
    BatchPush,
    PackageRouterSync,
    Voucher,
    VoucherEvent,
)
from vouchers.services.lifecycle import (
    _events_bulk,
    event_add,
    vouchers_by_code,
    vouchers_observe_sessions,
    vouchers_observe_users,
)
from vouchers.services.packages import (
    package_sync_failed,
    package_sync_on_router,
    packages_ensure_sync_rows,
)

logger = logging.getLogger(__name__)


def _belongs_here(voucher: Voucher, router, pushed_batch_ids: set[int]) -> bool | None:
    """True: the user should be here; False: it must go; None: not ours to judge
    (an unused voucher that was never pushed here, e.g. added by hand)."""
    if voucher.status == Voucher.Status.UNUSED:
        return True if voucher.batch_id in pushed_batch_ids else None
    if voucher.status == Voucher.Status.ACTIVE:
        return not voucher.stacked_onto_id and voucher.router_id == router.pk
    return False


def _sync_profiles(router, client, summary: dict) -> None:
    packages_ensure_sync_rows(router=router)
    for sync in PackageRouterSync.objects.filter(router=router).select_related("package", "router"):
        try:
            package_sync_on_router(sync=sync, client=client)
        except routerops.RouterCommandRejected as error:
            package_sync_failed(sync=sync, message=error.message)
            summary["profile_errors"] += 1
        else:
            summary["profiles"] += 1


def router_reconcile(*, router, repair: bool = True) -> dict:
    """Compare one router with our vouchers and (with ``repair``) fix the drift."""
    summary = {
        "profiles": 0,
        "profile_errors": 0,
        "removed": 0,
        "recreated": 0,
        "repushed": 0,
        "first_logins": 0,
        "used_up": 0,
        "ok": True,
        "error": "",
    }
    try:
        with routerops.open_router(router) as client:
            _sync_profiles(router, client, summary)
            users = client.hotspot_users()
            sessions = client.hotspot_active()
            seen = vouchers_observe_sessions(router=router, sessions=sessions)
            usage = vouchers_observe_users(router=router, users=users)
            summary["first_logins"] = seen["first_logins"] + usage["first_logins"]
            summary["used_up"] = usage["used_up"]
            _repair(router, client, users, summary, repair=repair)
    except routerops.RouterError as error:
        summary.update(ok=False, error=error.message)
        logger.warning("reconcile router %s: %s", router.pk, error.kind)
        return summary
    actions = summary["removed"] + summary["recreated"] + summary["repushed"]
    if actions:
        event_add(
            None,
            VoucherEvent.Kind.RECONCILED,
            organization_id=router.organization_id,
            router=router,
            message=(
                f"{router.name}: {summary['removed']} removed, {summary['recreated']} "
                f"recreated, {summary['repushed']} pushed again."
            ),
        )
    logger.info(
        "reconcile router %s: %s removed, %s recreated, %s pushed again, %s first login(s), "
        "%s used up",
        router.pk,
        summary["removed"],
        summary["recreated"],
        summary["repushed"],
        summary["first_logins"],
        summary["used_up"],
    )
    return summary


def _repair(router, client, users, summary: dict, *, repair: bool) -> None:
    names = {user.name for user in users}
    pushed_batch_ids = set(
        BatchPush.objects.filter(router=router).values_list("batch_id", flat=True)
    )
    ours = vouchers_by_code(names)
    remove = {
        code: voucher.pk
        for code, voucher in ours.items()
        if _belongs_here(voucher, router, pushed_batch_ids) is False
    }
    active_missing = list(
        Voucher.objects.filter(
            router=router, status=Voucher.Status.ACTIVE, stacked_onto__isnull=True
        )
        .select_related("package")
        .exclude(pk__in=[v.pk for v in ours.values()])
    )
    active_missing = [v for v in active_missing if v.code not in names]
    pushed_missing = []
    done_pushes = BatchPush.objects.filter(router=router, status=BatchPush.Status.DONE)
    for batch_id in done_pushes.values_list("batch_id", flat=True):
        for voucher in Voucher.objects.filter(
            batch_id=batch_id, status=Voucher.Status.UNUSED
        ).select_related("package"):
            if voucher.code not in names:
                pushed_missing.append(voucher)
    summary["drift"] = {
        "remove": len(remove),
        "recreate": len(active_missing),
        "repush": len(pushed_missing),
    }
    if not repair:
        return
    if remove:
        removed, _kicked = routerops.users_remove(client, remove)
        _events_bulk(
            router.organization_id,
            [remove[name] for name in removed],
            VoucherEvent.Kind.REMOVED,
            router_id=router.pk,
            message=f"Removed from {router.name} by reconciliation (voucher no longer valid here).",
        )
        summary["removed"] = len(removed)
    for voucher in active_missing:
        _recreate(router, client, voucher)
        summary["recreated"] += 1
    for voucher in pushed_missing:
        routerops.user_add(client, voucher)
        summary["repushed"] += 1
    if pushed_missing:
        _events_bulk(
            router.organization_id,
            [voucher.pk for voucher in pushed_missing],
            VoucherEvent.Kind.RECREATED,
            router_id=router.pk,
            message=f"Missing on {router.name}; pushed again by reconciliation.",
        )


@transaction.atomic
def _recreate(router, client, voucher: Voucher) -> None:
    """The router lost an active voucher's user: add it back with what is left.

    The router's counters start from zero again, so what was used so far
    becomes the usage base.
    """
    locked = Voucher.objects.select_for_update(of=("self",)).get(pk=voucher.pk)
    if locked.status != Voucher.Status.ACTIVE:
        return
    locked.package = voucher.package
    locked.usage_base_seconds, locked.usage_base_bytes = locked.used_seconds, locked.used_bytes
    routerops.user_add(client, locked)
    locked.save(update_fields=["usage_base_seconds", "usage_base_bytes"])
    event_add(
        locked,
        VoucherEvent.Kind.RECREATED,
        router=router,
        message=f"Missing on {router.name}; recreated by reconciliation with the time and data left.",
    )
    logger.info("reconcile router %s: voucher %s recreated", router.pk, voucher.pk)
