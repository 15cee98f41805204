"""Celery tasks: thin wrappers that activate the tenant and call one service."""

import logging

from celery import shared_task

from accounts.tenancy import all_tenants, tenant_task

logger = logging.getLogger(__name__)


@shared_task(time_limit=1800, soft_time_limit=1700, acks_late=True)
@tenant_task
def validate_customer_import_task(org_id: int, customer_import_id: int) -> None:
    from customers.services.imports import customer_import_validate

    customer_import_validate(customer_import_id=customer_import_id)


@shared_task(time_limit=1800, soft_time_limit=1700, acks_late=True)
@tenant_task
def run_customer_import_task(org_id: int, customer_import_id: int) -> None:
    from customers.services.imports import customer_import_execute

    customer_import_execute(customer_import_id=customer_import_id)


# --- PPPoE -------------------------------------------------------------------------------


def _router(router_id: int):
    from routers.models import Router

    return Router.objects.filter(pk=router_id).first()


@shared_task(time_limit=300, soft_time_limit=270)
@tenant_task
def sync_pppoe_accounts_task(org_id: int, router_id: int, account_ids: list[int]) -> dict:
    """Bring these accounts' secrets onto their router (idempotent: upserts)."""
    from customers.services.pppoe import pppoe_router_sync

    router = _router(router_id)
    if router is None:
        return {}
    report = pppoe_router_sync(router=router, account_ids=account_ids)
    return {"synced": len(report.synced), "failed": len(report.failed)}


@shared_task(
    bind=True,
    time_limit=120,
    soft_time_limit=100,
    max_retries=6,
    retry_backoff=60,
    retry_backoff_max=3600,
)
def remove_pppoe_secret_task(self, org_id: int, router_id: int, username: str) -> bool:
    """Remove a secret we no longer want; retried with back-off while the router is away
    (reconciliation removes it later otherwise, thanks to its ``nettportal:`` comment)."""
    from accounts.models import Organization
    from accounts.tenancy import tenant
    from customers.services.pppoe import pppoe_secret_remove
    from nettportal.errors import ExternalServiceError

    with tenant(Organization.objects.get(pk=org_id)):
        router = _router(router_id)
        if router is None:
            return False
        try:
            return pppoe_secret_remove(router=router, username=username)
        except ExternalServiceError as error:
            raise self.retry(exc=error) from None


@shared_task(time_limit=300, soft_time_limit=270)
@tenant_task
def reconcile_pppoe_router_task(org_id: int, router_id: int) -> dict:
    from customers.services.pppoe import pppoe_router_reconcile

    router = _router(router_id)
    if router is None:
        return {}
    report = pppoe_router_reconcile(router=router)
    return {"changed": report.changed, "error": bool(report.error)}


def _routers_with_accounts(**account_filters) -> list[tuple[int, int]]:
    from customers.models import PppoeAccount
    from routers.models import Router

    pairs = (
        PppoeAccount.objects.filter(router__isnull=False, **account_filters)
        .exclude(router__status__in=[Router.Status.OFFLINE, Router.Status.AUTH_FAILED])
        .values_list("organization_id", "router_id")
        .distinct()
    )
    return sorted(set(pairs))


@shared_task(time_limit=120, soft_time_limit=100)
def retry_pppoe_sync_task() -> int:
    """Platform-wide: accounts still pending or failed a while after their change."""
    from datetime import timedelta

    from django.utils import timezone

    with all_tenants():
        pairs = _routers_with_accounts(
            sync_state__in=["pending", "failed"],
            updated_at__lt=timezone.now() - timedelta(minutes=2),
        )
    for org_id, router_id in pairs:
        sync_pppoe_router_pending_task.delay(org_id, router_id)
    logger.info("pppoe retry: %s router(s)", len(pairs))
    return len(pairs)


@shared_task(time_limit=300, soft_time_limit=270)
@tenant_task
def sync_pppoe_router_pending_task(org_id: int, router_id: int) -> dict:
    from customers.services.pppoe import pppoe_router_sync

    router = _router(router_id)
    if router is None:
        return {}
    report = pppoe_router_sync(router=router)
    return {"synced": len(report.synced), "failed": len(report.failed)}


@shared_task(time_limit=120, soft_time_limit=100)
def reconcile_pppoe_task() -> int:
    """Platform-wide fan-out: one reconciliation per reachable router with PPPoE accounts."""
    with all_tenants():
        pairs = _routers_with_accounts()
    for org_id, router_id in pairs:
        reconcile_pppoe_router_task.delay(org_id, router_id)
    logger.info("pppoe reconcile: %s router(s)", len(pairs))
    return len(pairs)


# --- usage -------------------------------------------------------------------------------


@shared_task(time_limit=1800, soft_time_limit=1700)
def usage_housekeeping_task() -> dict:
    """Platform-wide: close sessions of routers no longer polled. (Old sessions and
    rollups are deleted by the privacy retention sweep, see ``personal_data.py``.)"""
    from customers.services.usage import usage_close_stale

    with all_tenants():
        closed = usage_close_stale()
    logger.info("usage housekeeping: closed=%s", closed)
    return {"closed": closed}
