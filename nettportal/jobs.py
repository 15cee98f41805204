"""Services for :class:`~nettportal.models.BackgroundJob` progress.

Tasks report progress with single conditional UPDATEs, so a worker never
overwrites a finished or cancelled job and no row is read back first.
"""

from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from nettportal.models import BackgroundJob


def job_create(*, organization, kind: str, title: str, total: int = 0, actor=None) -> BackgroundJob:
    return BackgroundJob.objects.create(
        organization=organization, kind=kind, title=title, total=total, created_by=actor
    )


def _unfinished(job_id: int):
    return BackgroundJob.objects.filter(pk=job_id).exclude(status__in=BackgroundJob.FINISHED)


def job_start(job_id: int, *, total: int | None = None, message: str = "") -> bool:
    fields = {"status": BackgroundJob.Status.RUNNING, "message": message}
    if total is not None:
        fields["total"] = total
    updated = (
        _unfinished(job_id)
        .filter(started_at__isnull=True)
        .update(started_at=timezone.now(), **fields)
    )
    if not updated:
        updated = _unfinished(job_id).update(**fields)
    return bool(updated)


def job_progress(job_id: int, *, done: int | None = None, add: int = 0, message=None) -> bool:
    """Set ``done`` (never backwards) or add ``add`` to it. False if the job ended."""
    fields = {}
    if done is not None:
        fields["done"] = Greatest(F("done"), done)
    elif add:
        fields["done"] = F("done") + add
    if message is not None:
        fields["message"] = message[:300]
    return bool(_unfinished(job_id).update(**fields)) if fields else True


def job_finish(job_id: int, *, status=BackgroundJob.Status.SUCCEEDED, message="", result=None):
    fields = {"status": status, "message": message[:300], "finished_at": timezone.now()}
    if result is not None:
        fields["result"] = result
    if status == BackgroundJob.Status.SUCCEEDED:
        fields["done"] = F("total")
    return bool(_unfinished(job_id).update(**fields))


def job_is_cancelled(job_id: int) -> bool:
    return BackgroundJob.objects.filter(pk=job_id, status=BackgroundJob.Status.CANCELLED).exists()
