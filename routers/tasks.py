"""Celery tasks: the scheduled fan-out, the chunk pollers and on-demand polls.

Old samples and events are deleted by the privacy retention sweep (see
``routers/personal_data.py``), not here.

The fan-out and the chunk tasks are platform-wide sweeps (routers of every
organisation share chunks so a chunk is a useful size), which is why they use
``all_tenants`` inside :mod:`routers.polling`; each result is stored with its
own organisation active. ``poll_router_task`` serves one organisation's router.
"""

import logging

from celery import shared_task
from django.conf import settings

from accounts.tenancy import tenant_task
from routers.models import Router
from routers.polling import chunked, due_router_ids, poll_routers

logger = logging.getLogger(__name__)

CHUNK_SOFT_LIMIT = settings.ROUTER_POLL_TIME_LIMIT * 2 + 60


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
