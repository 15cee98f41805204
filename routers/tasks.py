"""Celery tasks: the scheduled fan-out, the chunk pollers, on-demand polls and pruning.

The fan-out and the chunk tasks are platform-wide sweeps (routers of every
organisation share chunks so a chunk is a useful size), which is why they use
``all_tenants`` inside :mod:`routers.polling`; each result is stored with its
own organisation active. ``poll_router_task`` serves one organisation's router.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from accounts.tenancy import all_tenants, tenant_task
from routers.models import InterfaceTrafficSample, Router, RouterEvent, RouterStatusSample
from routers.polling import chunked, due_router_ids, poll_routers

logger = logging.getLogger(__name__)

CHUNK_SOFT_LIMIT = settings.ROUTER_POLL_TIME_LIMIT * 2 + 60
PRUNE_BATCH = 10_000


@shared_task(time_limit=120, soft_time_limit=100, ignore_result=True)
def poll_routers_task() -> int:
    """Every ROUTER_POLL_INTERVAL: split the due routers into chunk tasks."""
    ids = due_router_ids()
    chunks = chunked(ids, settings.ROUTER_POLL_CHUNK_SIZE)
    for chunk in chunks:
        poll_router_chunk_task.delay(chunk)
    logger.info("router poll fan-out: %d router(s) in %d chunk(s)", len(ids), len(chunks))
    return len(ids)


@shared_task(time_limit=CHUNK_SOFT_LIMIT + 30, soft_time_limit=CHUNK_SOFT_LIMIT, ignore_result=True)
def poll_router_chunk_task(router_ids: list[int]) -> dict:
    """Poll a group of routers concurrently; routers being polled elsewhere are skipped."""
    outcomes = poll_routers(list(router_ids))
    ok = sum(1 for outcome in outcomes if outcome.ok)
    return {"polled": len(outcomes), "ok": ok, "failed": len(outcomes) - ok}


@shared_task(
    time_limit=settings.ROUTER_POLL_TIME_LIMIT + 60,
    soft_time_limit=settings.ROUTER_POLL_TIME_LIMIT + 30,
    ignore_result=True,
)
@tenant_task
def poll_router_task(org_id: int, router_id: int) -> bool:
    """Poll one router of one organisation now (after it was added or changed)."""
    if not Router.objects.filter(pk=router_id).exists():  # scoped: another org's id is nothing
        return False
    outcomes = poll_routers([router_id], force=True)
    return bool(outcomes and outcomes[0].ok)


@shared_task(time_limit=1800, soft_time_limit=1700, ignore_result=True)
def prune_router_history_task() -> dict:
    """Delete samples and events older than their retention (platform-wide sweep)."""
    now = timezone.now()
    history_cutoff = now - timedelta(days=settings.ROUTER_HISTORY_RETENTION_DAYS)
    event_cutoff = now - timedelta(days=settings.ROUTER_EVENT_RETENTION_DAYS)
    deleted = {}
    with all_tenants():
        for model, field, cutoff in (
            (RouterStatusSample, "taken_at", history_cutoff),
            (InterfaceTrafficSample, "taken_at", history_cutoff),
            (RouterEvent, "created_at", event_cutoff),
        ):
            total = 0
            while True:
                ids = list(
                    model.objects.filter(**{f"{field}__lt": cutoff}).values_list("pk", flat=True)[
                        :PRUNE_BATCH
                    ]
                )
                if not ids:
                    break
                total += model.objects.filter(pk__in=ids).delete()[0]
            deleted[model._meta.model_name] = total
    logger.info("router history pruned: %s", deleted)
    return deleted
