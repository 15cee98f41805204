"""Organisation and customer exports: request, build, download, expire.

An export is a ZIP written by a background task (progress on a
``BackgroundJob``), stored privately for ``PRIVACY_EXPORT_LINK_DAYS`` and
fetched through a signed link that is only honoured for a logged-in member
with the privacy permission of the same organisation.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nettportal.errors import Conflict, NotFound, ValidationFailed
from nettportal.jobs import job_create, job_finish, job_progress, job_start
from nettportal.models import BackgroundJob
from privacy.access_log import access_log_record
from privacy.datasets import (
    customer_classes,
    customer_rows,
    organization_export_classes,
    organization_rows,
    user_export_classes,
    user_rows,
)
from privacy.export_writer import ExportCancelled, ExportWriter, Section
from privacy.models import AccessLog, DataExport
from privacy.registry import customer_model

logger = logging.getLogger(__name__)

_LINK_SALT = "privacy.export.download"
EXPORTS_PER_DAY = 10
STALE_AFTER = timedelta(hours=3)


def export_root() -> Path:
    return Path(settings.PRIVACY_EXPORT_ROOT)


def export_file_path(export: DataExport) -> Path:
    return export_root() / export.file_name


# --- requesting ---------------------------------------------------------------------------


def _check_rate(organization) -> None:
    since = timezone.now() - timedelta(days=1)
    recent = DataExport.objects.filter(organization=organization, created_at__gte=since).count()
    if recent >= EXPORTS_PER_DAY:
        raise Conflict(
            _("You have asked for %(n)s exports today. Please use one of those or try tomorrow.")
            % {"n": recent}
        )


def _enqueue_build(export: DataExport) -> None:
    from privacy.tasks import export_build_task

    transaction.on_commit(lambda: export_build_task.delay(export.organization_id, export.pk))


@transaction.atomic
def organization_export_request(*, organization, actor, request=None) -> DataExport:
    """Start an export of everything the organisation stores."""
    _check_rate(organization)
    job = job_create(
        organization=organization,
        kind="privacy_export",
        title=_("Export of %(name)s") % {"name": organization.name},
        actor=actor,
    )
    try:
        with transaction.atomic():
            export = DataExport.objects.create(
                organization=organization,
                kind=DataExport.Kind.ORGANIZATION,
                job=job,
                requested_by=actor,
            )
    except IntegrityError:
        raise Conflict(
            _("An export is already being prepared. You will get an email when it is ready.")
        ) from None
    access_log_record(
        organization=organization,
        action=AccessLog.Action.EXPORT,
        target=organization,
        actor=actor,
        request=request,
        detail={"export_id": export.pk, "scope": "organization"},
    )
    _enqueue_build(export)
    return export


@transaction.atomic
def customer_export_request(
    *, organization, actor, customer, privacy_request=None, request=None
) -> DataExport:
    """Start an export of one customer's data (the same format, that customer only)."""
    _check_rate(organization)
    job = job_create(
        organization=organization,
        kind="privacy_customer_export",
        title=_("Export of customer #%(id)s") % {"id": customer.pk},
        actor=actor,
    )
    export = DataExport.objects.create(
        organization=organization,
        kind=DataExport.Kind.CUSTOMER,
        subject_id=str(customer.pk),
        job=job,
        requested_by=actor,
        privacy_request=privacy_request,
    )
    access_log_record(
        organization=organization,
        action=AccessLog.Action.EXPORT,
        target=customer,
        actor=actor,
        request=request,
        detail={"export_id": export.pk, "scope": "customer"},
    )
    _enqueue_build(export)
    return export


# --- building --------------------------------------------------------------------------------


def _sections(export: DataExport) -> tuple[list[Section], dict]:
    organization = export.organization
    if export.kind == DataExport.Kind.ORGANIZATION:
        scope = {
            "kind": "organization",
            "organization": {"id": organization.pk, "name": organization.name},
        }
        sections = [
            Section(dc, organization_rows(dc, organization)) for dc in organization_export_classes()
        ]
        return sections, scope
    if customer_model() is None:
        raise NotFound(_("Customers are not available."))
    scope = {
        "kind": "customer",
        "organization": {"id": organization.pk, "name": organization.name},
        "customer": {"id": export.subject_id},
    }
    sections = [
        Section(dc, customer_rows(dc, organization, export.subject_id))
        for dc in customer_classes()
        if dc.export
    ]
    return sections, scope


def export_build(*, export_id: int) -> DataExport | None:
    """Write the ZIP for a queued export. Safe to run twice: only a queued
    export is claimed, so a duplicate delivery of the task does nothing."""
    claimed = DataExport.objects.filter(pk=export_id, status=DataExport.Status.QUEUED).update(
        status=DataExport.Status.RUNNING
    )
    if not claimed:
        return None
    export = DataExport.objects.select_related("organization", "requested_by").get(pk=export_id)
    sections, scope = _sections(export)
    total = sum(section.queryset.count() for section in sections)
    job_id = export.job_id
    if job_id:
        job_start(job_id, total=total, message=_("Collecting your data…"))
    directory = export_root() / str(export.organization_id)
    directory.mkdir(parents=True, exist_ok=True)
    relative = f"{export.organization_id}/{uuid.uuid4().hex}.zip"
    final_path = export_root() / relative
    partial_path = str(final_path) + ".part"

    def progress(rows: int) -> bool:
        return job_progress(job_id, add=rows) if job_id else True

    try:
        writer = ExportWriter(
            partial_path, scope=scope, chunk_size=settings.PRIVACY_CHUNK_SIZE, progress=progress
        )
        manifest = writer.write(sections)
        os.replace(partial_path, final_path)
    except ExportCancelled:
        _remove_quietly(partial_path)
        DataExport.objects.filter(pk=export.pk).update(
            status=DataExport.Status.FAILED, finished_at=timezone.now()
        )
        return export
    except Exception as error:
        _remove_quietly(partial_path)
        logger.error("export %s failed: %s", export.pk, type(error).__name__)
        DataExport.objects.filter(pk=export.pk).update(
            status=DataExport.Status.FAILED, finished_at=timezone.now()
        )
        if job_id:
            job_finish(
                job_id,
                status=BackgroundJob.Status.FAILED,
                message=_("The export failed. Please try again; our team has been alerted."),
            )
        try:
            import sentry_sdk

            sentry_sdk.capture_exception(error)
        except ImportError:  # pragma: no cover - sentry is a dependency
            pass
        return export
    return _export_finish(export, relative=relative, final_path=final_path, manifest=manifest)


def _export_finish(export, *, relative, final_path, manifest) -> DataExport:
    digest = hashlib.sha256()
    with open(final_path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    now = timezone.now()
    with transaction.atomic():
        DataExport.objects.filter(pk=export.pk).update(
            status=DataExport.Status.READY,
            file_name=relative,
            file_size=final_path.stat().st_size,
            sha256=digest.hexdigest(),
            counts=manifest["counts"],
            finished_at=now,
            expires_at=now + timedelta(days=settings.PRIVACY_EXPORT_LINK_DAYS),
        )
        export.refresh_from_db()
        if export.job_id:
            job_finish(
                export.job_id,
                message=_("%(rows)s records exported.") % {"rows": manifest["total_rows"]},
                result={"export_id": export.pk},
            )
        recipient = export.requested_by
        if recipient is not None and recipient.is_active:
            from notifications.services import notify

            # In-app and email; the link is the signed download link, which
            # still needs a logged-in member with the privacy permission.
            notify(
                organization=export.organization,
                event="export.ready",
                context={"export": export, "expires_at": export.expires_at},
                url=export_download_path(export),
                recipients=[recipient],
            )
    logger.info("export %s ready: %s rows", export.pk, manifest["total_rows"])
    return export


def _remove_quietly(path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


# --- downloading --------------------------------------------------------------------------------


def export_download_token(export: DataExport) -> str:
    return signing.dumps({"e": export.pk, "o": export.organization_id}, salt=_LINK_SALT)


def export_download_path(export: DataExport) -> str:
    url = reverse("privacy:export_download", args=[export.pk])
    return f"{url}?t={export_download_token(export)}"


def export_check_token(*, export: DataExport, token: str) -> None:
    try:
        data = signing.loads(
            token or "",
            salt=_LINK_SALT,
            max_age=timedelta(days=settings.PRIVACY_EXPORT_LINK_DAYS),
        )
    except signing.SignatureExpired:
        raise ValidationFailed(_("This download link has expired.")) from None
    except signing.BadSignature:
        raise ValidationFailed(_("This download link is not valid.")) from None
    if data.get("e") != export.pk or data.get("o") != export.organization_id:
        raise ValidationFailed(_("This download link is not valid."))
    if not export.is_downloadable:
        raise ValidationFailed(
            _("This export has expired and its file was removed. Ask for a new export.")
        )


def export_record_download(*, export: DataExport, actor, request=None) -> None:
    from django.db.models import F

    DataExport.objects.filter(pk=export.pk).update(
        download_count=F("download_count") + 1, last_downloaded_at=timezone.now()
    )
    access_log_record(
        organization=export.organization,
        action=AccessLog.Action.EXPORT,
        target=export,
        actor=actor,
        request=request,
        detail={"downloaded": True, "scope": export.kind},
    )


# --- expiry -----------------------------------------------------------------------------------


def export_files_remove_hook(*, organization, instances, reason) -> None:
    """Registry erasure hook: an export row going away takes its file along."""
    for export in instances:
        if export.file_name:
            _remove_quietly(export_file_path(export))


def exports_expire(*, now=None) -> dict:
    """Remove the files of expired exports; fail exports stuck for hours."""
    from accounts.tenancy import all_tenants

    now = now or timezone.now()
    expired = 0
    with all_tenants():  # platform-wide clean-up
        due = DataExport.objects.filter(status=DataExport.Status.READY, expires_at__lte=now).only(
            "pk", "file_name"
        )
        for export in due.iterator():
            if export.file_name:
                _remove_quietly(export_file_path(export))
            expired += DataExport.objects.filter(
                pk=export.pk, status=DataExport.Status.READY
            ).update(status=DataExport.Status.EXPIRED, file_removed_at=now)
        stale = DataExport.objects.filter(
            status__in=DataExport.ACTIVE, created_at__lt=now - STALE_AFTER
        )
        failed = 0
        for export in stale.only("pk", "job_id"):
            failed += DataExport.objects.filter(pk=export.pk, status__in=DataExport.ACTIVE).update(
                status=DataExport.Status.FAILED, finished_at=now
            )
            if export.job_id:
                job_finish(
                    export.job_id,
                    status=BackgroundJob.Status.FAILED,
                    message=_("The export took too long and was stopped. Please try again."),
                )
    orphans = _remove_orphan_files(now)
    return {"expired": expired, "failed": failed, "orphans": orphans}


def _remove_orphan_files(now) -> int:
    """Files with no ready export row (a crashed build, a purged row)."""
    from accounts.tenancy import all_tenants

    root = export_root()
    if not root.exists():
        return 0
    with all_tenants():
        live = set(
            DataExport.objects.filter(status=DataExport.Status.READY).values_list(
                "file_name", flat=True
            )
        )
    removed = 0
    grace = (now - STALE_AFTER).timestamp()
    for path in root.glob("*/*"):
        relative = f"{path.parent.name}/{path.name}"
        if relative in live or path.stat().st_mtime > grace:
            continue
        _remove_quietly(path)
        removed += 1
    return removed


# --- the user's own data ("my data") -------------------------------------------------------------


def user_export_write(*, user, path: str, request=None) -> dict:
    """Write a ZIP of everything stored about ``user`` (small; done in the request)."""
    from accounts.tenancy import all_tenants

    scope = {"kind": "user", "user": {"id": user.pk}}
    with all_tenants():  # a user's rows span their organisations
        sections = [Section(dc, user_rows(dc, [user.pk])) for dc in user_export_classes()]
        manifest = ExportWriter(path, scope=scope).write(sections)
        from privacy.selectors import organizations_of_user

        for organization_id in organizations_of_user(user):
            from accounts.models import Organization

            access_log_record(
                organization=Organization.objects.get(pk=organization_id),
                action=AccessLog.Action.EXPORT,
                target=user,
                actor=user,
                request=request,
                detail={"scope": "user"},
            )
    return manifest
