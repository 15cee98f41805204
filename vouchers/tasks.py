"""Background work for packages and vouchers.

Per-organisation tasks take ``org_id`` first and run with it active
(``@tenant_task``). The two scheduled sweeps (expiry, reconciliation) find
work across tenants with ``all_tenants()`` and fan out one task per
organisation or router, so one slow router never delays the others.
Every task is safe to run twice.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from accounts.tenancy import all_tenants, tenant_task

logger = logging.getLogger(__name__)


@shared_task(time_limit=300, soft_time_limit=280)
@tenant_task
def sync_package_task(org_id: int, package_id: int) -> dict | None:
    from vouchers.models import Package
    from vouchers.services import package_sync

    package = Package.objects.filter(pk=package_id).first()
    if package is None:
        return None
    summary = package_sync(package=package)
    logger.info("package %s synced: %s", package_id, summary)
    return summary


@shared_task(time_limit=120, soft_time_limit=100)
@tenant_task
def remove_profile_task(org_id: int, router_id: int, profile_name: str) -> bool:
    from routers.models import Router
    from vouchers import routerops

    router = Router.objects.filter(pk=router_id).first()
    if router is None:
        return False
    try:
        with routerops.open_router(router) as client:
            removed = routerops.profile_remove(client, profile_name)
    except routerops.RouterError as error:
        logger.warning(
            "router %s: profile of a deleted package not removed (%s)", router_id, error.kind
        )
        return False
    logger.info("router %s: profile of a deleted package removed=%s", router_id, removed)
    return removed


@shared_task(time_limit=900, soft_time_limit=870)
@tenant_task
def generate_voucher_batch_task(org_id: int, batch_id: int) -> int:
    from vouchers.services import voucher_batch_generate

    return voucher_batch_generate(batch_id=batch_id).generated_count


@shared_task(time_limit=3600, soft_time_limit=3540)
@tenant_task
def push_batch_task(org_id: int, push_id: int) -> str:
    from vouchers.services import batch_push_run

    return batch_push_run(push_id=push_id).status


@shared_task(time_limit=600, soft_time_limit=570)
@tenant_task
def tidy_vouchers_task(org_id: int, voucher_ids: list[int]) -> dict:
    """Remove users of these vouchers from routers where they must not be."""
    from vouchers.services import vouchers_tidy

    return vouchers_tidy(voucher_ids=voucher_ids)


@shared_task(time_limit=300, soft_time_limit=280)
@tenant_task
def expire_vouchers_for_org_task(org_id: int) -> int:
    from vouchers.services import vouchers_expire_due

    return len(vouchers_expire_due())


@shared_task(time_limit=60, soft_time_limit=50)
def expire_vouchers_task() -> int:
    """Every minute: organisations with vouchers due to expire get a task each."""
    from django.db.models import Q

    from vouchers.models import Voucher

    now = timezone.now()
    with all_tenants():
        org_ids = list(
            Voucher.objects.filter(
                Q(status=Voucher.Status.ACTIVE, stacked_onto__isnull=True, expires_at__lte=now)
                | Q(status=Voucher.Status.UNUSED, unsold_expires_at__lte=now)
            )
            .values_list("organization_id", flat=True)
            .distinct()
        )
    for org_id in org_ids:
        expire_vouchers_for_org_task.delay(org_id)
    return len(org_ids)


@shared_task(time_limit=900, soft_time_limit=870)
@tenant_task
def reconcile_router_task(org_id: int, router_id: int) -> dict | None:
    from routers.models import Router
    from vouchers.services import router_reconcile

    router = Router.objects.filter(pk=router_id).first()
    if router is None:
        return None
    return router_reconcile(router=router)


@shared_task(time_limit=120, soft_time_limit=100)
def reconcile_routers_task() -> int:
    """Every 15 minutes: one reconciliation task per router that was online at
    its last poll (offline ones are retried on the next round)."""
    from routers.models import Router

    with all_tenants():
        routers = list(
            Router.objects.filter(is_enabled=True)
            .exclude(status=Router.Status.OFFLINE)
            .values_list("organization_id", "pk")
        )
    for org_id, router_id in routers:
        reconcile_router_task.delay(org_id, router_id)
    return len(routers)
