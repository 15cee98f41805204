"""Pushing a batch to routers ahead of time.

For operators who also sell through the router's own login page (it keeps
working when NettPortal cannot be reached), a batch's unused vouchers can be
copied to chosen routers as hotspot users.

Each router gets one :class:`BatchPush` and one task holding **one
connection**: it reads the router's user list once, then adds only the users
that are missing (users that exist are left alone, so pushing again is safe),
in id order, saving a cursor after every chunk. An interrupted push resumes
from its cursor; a finished one pushed again re-checks everything.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from nettportal.errors import ValidationFailed
from nettportal.jobs import job_create, job_finish, job_is_cancelled, job_progress, job_start
from nettportal.models import BackgroundJob
from vouchers import routerops
from vouchers.models import BatchPush, Voucher, VoucherBatch
from vouchers.services.packages import package_offered_on

logger = logging.getLogger(__name__)
CHUNK_SIZE = 500
STALE_AFTER = timedelta(minutes=10)


def _unused(batch):
    return Voucher.objects.filter(batch=batch, status=Voucher.Status.UNUSED)


@transaction.atomic
def batch_push_start(*, batch: VoucherBatch, routers, actor) -> list[BatchPush]:
    """Queue a push of ``batch`` to each router (resuming any that stopped)."""
    routers = list(routers)
    if not routers:
        raise ValidationFailed("Choose at least one router.", field="routers")
    if any(router.organization_id != batch.organization_id for router in routers):
        raise ValidationFailed("Choose routers of your own organisation.", field="routers")
    if batch.status != VoucherBatch.Status.READY:
        raise ValidationFailed("Wait until the batch is generated.")
    for router in routers:
        if not package_offered_on(batch.package, router):
            raise ValidationFailed(
                f"{batch.package.name} is not offered on {router.name}.", field="routers"
            )
    total = _unused(batch).count()
    if not total:
        raise ValidationFailed("This batch has no unused vouchers to push.")
    pushes = []
    now = timezone.now()
    for router in routers:
        push, _created = BatchPush.objects.get_or_create(
            organization_id=batch.organization_id,
            batch=batch,
            router=router,
            defaults={"created_by": actor},
        )
        running = (
            push.status == BatchPush.Status.RUNNING
            and push.heartbeat_at
            and push.heartbeat_at > now - STALE_AFTER
        )
        if running:
            pushes.append(push)
            continue
        if push.status == BatchPush.Status.DONE:
            push.cursor, push.pushed, push.skipped = 0, 0, 0  # push again: check everything
        push.status = BatchPush.Status.QUEUED
        push.last_error = ""
        push.finished_at = None
        push.job = job_create(
            organization=batch.organization,
            kind="voucher_push",
            title=f"Pushing batch {batch.pk} to {router.name}",
            total=total,
            actor=actor,
        )
        push.save()
        pushes.append(push)
        from vouchers.tasks import push_batch_task

        org_id, push_id = batch.organization_id, push.pk
        transaction.on_commit(
            lambda org_id=org_id, push_id=push_id: push_batch_task.delay(org_id, push_id)
        )
    logger.info(
        "batch %s: push to %s router(s) queued by user %s",
        batch.pk,
        len(routers),
        getattr(actor, "pk", None),
    )
    return pushes


def _claim(push_id: int) -> bool:
    now = timezone.now()
    return bool(
        BatchPush.objects.filter(pk=push_id)
        .filter(
            Q(status__in=[BatchPush.Status.QUEUED, BatchPush.Status.FAILED])
            | Q(status=BatchPush.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
            | Q(status=BatchPush.Status.RUNNING, heartbeat_at__isnull=True)
        )
        .update(status=BatchPush.Status.RUNNING, heartbeat_at=now, last_error="")
    )


def _stop(push: BatchPush, *, status: str, message: str, job_status: str) -> None:
    failed = status == BatchPush.Status.FAILED
    BatchPush.objects.filter(pk=push.pk).update(
        status=status, last_error=message[:300] if failed else "", finished_at=timezone.now()
    )
    if push.job_id:
        job_finish(push.job_id, status=job_status, message=message)


def batch_push_run(*, push_id: int, chunk_size: int | None = None) -> BatchPush:
    """Do (or resume) one push over one connection. Safe to run twice: a push
    another worker holds is left alone, and existing users are skipped."""
    chunk_size = chunk_size or CHUNK_SIZE
    if not _claim(push_id):
        return BatchPush.objects.get(pk=push_id)
    push = BatchPush.objects.select_related("batch__package", "router").get(pk=push_id)
    batch, router, package = push.batch, push.router, push.batch.package
    remaining = _unused(batch).filter(pk__gt=push.cursor)
    total = _unused(batch).count()
    if push.job_id:
        job_start(push.job_id, total=total)
        job_progress(push.job_id, done=total - remaining.count())
    sample = Voucher(package=package)  # the limits every unused voucher of the batch gets
    limit_uptime = routerops.router_time_limit(sample)
    limit_bytes = routerops.router_data_limit(sample)
    cursor = push.cursor
    try:
        with routerops.open_router(router) as client:
            routerops.profile_put(client, package)
            existing = {user.name for user in client.hotspot_users()}
            while True:
                rows = list(
                    remaining.filter(pk__gt=cursor)
                    .order_by("pk")
                    .values_list("pk", "code", "pin")[:chunk_size]
                )
                if not rows:
                    break
                pushed = skipped = 0
                for _pk, code, pin in rows:
                    if code in existing:
                        skipped += 1
                        continue
                    try:
                        client.hotspot_user_add(
                            name=code,
                            password=pin or code,
                            profile=package.profile_name,
                            limit_uptime=limit_uptime,
                            limit_bytes_total=limit_bytes,
                            comment=routerops.MANAGED_COMMENT,
                        )
                    except routerops.RouterCommandRejected as error:
                        if "already exists" not in error.router_message:
                            raise
                        skipped += 1  # created meanwhile (e.g. redeemed there)
                        continue
                    existing.add(code)
                    pushed += 1
                cursor = rows[-1][0]
                BatchPush.objects.filter(pk=push.pk).update(
                    cursor=cursor,
                    pushed=F("pushed") + pushed,
                    skipped=F("skipped") + skipped,
                    heartbeat_at=timezone.now(),
                )
                if push.job_id:
                    job_progress(push.job_id, add=len(rows))
                    if job_is_cancelled(push.job_id):
                        BatchPush.objects.filter(pk=push.pk).update(
                            status=BatchPush.Status.FAILED,
                            last_error="Cancelled; push again to resume.",
                        )
                        return BatchPush.objects.get(pk=push.pk)
    except routerops.RouterError as error:
        logger.warning("batch push %s stopped at voucher %s: %s", push.pk, cursor, error.kind)
        _stop(
            push,
            status=BatchPush.Status.FAILED,
            message=f"{error.message} Push again to resume where it stopped.",
            job_status=BackgroundJob.Status.FAILED,
        )
        return BatchPush.objects.get(pk=push.pk)
    push.refresh_from_db()
    _stop(
        push,
        status=BatchPush.Status.DONE,
        message=f"{push.pushed:,} added, {push.skipped:,} already there.",
        job_status=BackgroundJob.Status.SUCCEEDED,
    )
    logger.info("batch push %s done: %s added, %s skipped", push.pk, push.pushed, push.skipped)
    push.refresh_from_db()
    return push
