"""Account (organisation) deletion: schedule, remind, cancel, hold, carry out.

The owner asks (after re-authenticating); the organisation is suspended at
once and deleted ``PRIVACY_DELETION_GRACE_DAYS`` later unless an owner
cancels or staff place a legal hold. The deletion runs in chunks under a time
budget and continues where it stopped, so it survives worker restarts. It
keeps only the transaction records the law requires (``keep_for_law`` in the
registry), pseudonymised, plus the pseudonymised organisation row they hang
on; both go when the legal period ends (see retention).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization, User
from accounts.roles import Role
from accounts.tenancy import all_tenants, tenant
from nettportal.errors import Conflict, PermissionDenied, ValidationFailed
from privacy.access_log import access_log_record
from privacy.datasets import (
    children_first,
    organization_owned_classes,
    organization_rows,
    retained_classes,
    user_owned_classes,
    user_rows,
)
from privacy.erasure import (
    DELETE,
    PSEUDONYMISE,
    Budget,
    ErasureResult,
    erase_queryset,
    pseudonymise_assignments,
)
from privacy.models import AccessLog, AccountDeletion, LegalHold
from privacy.registry import REGISTRY, USER_MODEL
from privacy.services.retention import retention_days

logger = logging.getLogger(__name__)

STALE_RUN = timedelta(minutes=15)


def _owners(organization) -> list[User]:
    with all_tenants():
        return list(
            User.objects.filter(
                is_active=True,
                memberships__organization=organization,
                memberships__role=Role.OWNER,
            ).order_by("pk")
        )


def _notify_owners(organization, event: str, context: dict, *, emails=()) -> dict:
    """Account-deletion notices go to the organisation's owners (in-app and
    email, through ``notify``; never optional). ``emails`` reaches owners who
    are no longer members once the deletion has run."""
    from django.urls import reverse

    from notifications.services import notify

    with tenant(organization):
        return notify(
            organization=organization,
            event=event,
            context=context,
            url="" if event == "deletion.done" else reverse("privacy:deletion"),
            recipients=[] if event == "deletion.done" else _owners(organization),
            emails=emails,
        )


def _owner_emails(organization) -> list[str]:
    return sorted({user.email for user in _owners(organization)})


def has_active_hold(organization_id) -> bool:
    return LegalHold.objects.filter(
        organization_id=organization_id, released_at__isnull=True
    ).exists()


# --- request / cancel ---------------------------------------------------------------------


@transaction.atomic
def organization_deletion_request(
    *, organization: Organization, actor: User, confirm_name: str, request=None
) -> AccountDeletion:
    """Suspend the organisation now and schedule its deletion."""
    with all_tenants():
        is_owner = Membership.objects.filter(
            organization=organization, user=actor, role=Role.OWNER
        ).exists()
    if not is_owner:
        raise PermissionDenied(_("Only an owner can delete the organisation."))
    if " ".join((confirm_name or "").split()).casefold() != organization.name.casefold():
        raise ValidationFailed(
            _("Type the organisation's name exactly as shown to confirm."), field="confirm_name"
        )
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    if AccountDeletion.objects.filter(
        organization=locked, status__in=AccountDeletion.ACTIVE
    ).exists():
        raise Conflict(_("The deletion of this organisation is already scheduled."))
    now = timezone.now()
    try:
        with transaction.atomic():
            deletion = AccountDeletion.objects.create(
                organization=locked,
                organization_ref=locked.pk,
                requested_by=actor,
                requested_at=now,
                scheduled_for=now + timedelta(days=settings.PRIVACY_DELETION_GRACE_DAYS),
            )
    except IntegrityError:
        raise Conflict(_("The deletion of this organisation is already scheduled.")) from None
    locked.status = Organization.Status.PENDING_DELETION
    locked.save(update_fields=["status", "updated_at"])
    access_log_record(
        organization=locked,
        action=AccessLog.Action.DELETE,
        target=locked,
        actor=actor,
        request=request,
        detail={"scheduled_for": deletion.scheduled_for.isoformat(), "step": "scheduled"},
    )
    _notify_owners(
        locked,
        "deletion.scheduled",
        {"deletion": deletion, "scheduled_for": deletion.scheduled_for, "requested_by": actor},
    )
    return deletion


@transaction.atomic
def organization_deletion_cancel(*, deletion: AccountDeletion, actor, request=None):
    """Cancel a scheduled deletion and lift the suspension."""
    locked = AccountDeletion.objects.select_for_update().get(pk=deletion.pk)
    if locked.status == AccountDeletion.Status.RUNNING:
        raise Conflict(_("The deletion has already started and cannot be cancelled."))
    if locked.status != AccountDeletion.Status.SCHEDULED:
        raise Conflict(_("There is no scheduled deletion to cancel."))
    if locked.started_at is not None:
        # Paused part-way by a legal hold: some data is already gone.
        raise Conflict(_("The deletion has already started and cannot be cancelled."))
    organization = Organization.objects.select_for_update().get(pk=locked.organization_id)
    if not actor.is_staff:
        with all_tenants():
            is_owner = Membership.objects.filter(
                organization=organization, user=actor, role=Role.OWNER
            ).exists()
        if not is_owner:
            raise PermissionDenied(_("Only an owner can cancel the deletion."))
    locked.status = AccountDeletion.Status.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.cancelled_by = actor
    locked.save(update_fields=["status", "cancelled_at", "cancelled_by"])
    if organization.status == Organization.Status.PENDING_DELETION:
        organization.status = Organization.Status.ACTIVE
        organization.save(update_fields=["status", "updated_at"])
    access_log_record(
        organization=organization,
        action=AccessLog.Action.CHANGE,
        target=organization,
        actor=actor,
        request=request,
        via=AccessLog.Via.ADMIN if actor.is_staff and request is None else AccessLog.Via.DASHBOARD,
        detail={"step": "deletion cancelled"},
    )
    _notify_owners(
        organization,
        "deletion.cancelled",
        {
            "cancelled_by_name": _("NettPortal staff")
            if actor.is_staff
            else (actor.get_full_name() or _("An owner")),
        },
    )
    return locked


# --- legal hold ------------------------------------------------------------------------------


@transaction.atomic
def legal_hold_place(*, organization, actor, reason: str) -> LegalHold:
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationFailed(_("Give the reason for the hold (10 characters or more)."))
    return LegalHold.objects.create(organization=organization, reason=reason, placed_by=actor)


@transaction.atomic
def legal_hold_release(*, hold: LegalHold, actor, note: str = "") -> LegalHold:
    updated = LegalHold.objects.filter(pk=hold.pk, released_at__isnull=True).update(
        released_at=timezone.now(), released_by=actor, release_note=(note or "").strip()
    )
    if not updated:
        raise Conflict(_("This hold was already released."))
    hold.refresh_from_db()
    return hold


# --- reminders and the schedule ------------------------------------------------------------------


def deletion_reminders_send(*, now=None) -> int:
    """Email owners N days before the deletion (each reminder once)."""
    now = now or timezone.now()
    marks = sorted(set(settings.PRIVACY_DELETION_REMINDER_DAYS))
    sent = 0
    for deletion_id in AccountDeletion.objects.filter(
        status=AccountDeletion.Status.SCHEDULED, scheduled_for__gt=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            deletion = (
                AccountDeletion.objects.select_for_update(of=("self",))
                .select_related("organization")
                .get(pk=deletion_id)
            )
            if deletion.status != AccountDeletion.Status.SCHEDULED:
                continue
            left = deletion.scheduled_for - now
            due = [mark for mark in marks if left <= timedelta(days=mark)]
            fresh = [mark for mark in due if mark not in deletion.reminders_sent]
            if not fresh:
                continue
            deletion.reminders_sent = sorted(set(deletion.reminders_sent) | set(due))
            deletion.save(update_fields=["reminders_sent"])
            _notify_owners(
                deletion.organization,
                "deletion.reminder",
                {
                    "deletion": deletion,
                    "scheduled_for": deletion.scheduled_for,
                    "days_left": max(1, left.days + (1 if left.seconds else 0)),
                },
            )
            sent += 1
    return sent


def deletions_due(*, now=None) -> list[int]:
    """Deletions to run now: scheduled and due, or running but stalled."""
    now = now or timezone.now()
    due = AccountDeletion.objects.filter(
        status=AccountDeletion.Status.SCHEDULED, scheduled_for__lte=now
    ) | AccountDeletion.objects.filter(
        status=AccountDeletion.Status.RUNNING, heartbeat_at__lt=now - STALE_RUN
    )
    return [
        deletion.pk
        for deletion in due.only("pk", "organization_id")
        if not has_active_hold(deletion.organization_id)
    ]


# --- carrying it out ----------------------------------------------------------------------------


def _claim(deletion_id: int, now) -> AccountDeletion | None:
    with transaction.atomic():
        deletion = (
            AccountDeletion.objects.select_for_update(of=("self",))
            .select_related("organization")
            .filter(pk=deletion_id)
            .first()
        )
        if deletion is None or deletion.organization is None:
            return None
        if deletion.status == AccountDeletion.Status.SCHEDULED:
            if deletion.scheduled_for > now:
                return None
        elif deletion.status != AccountDeletion.Status.RUNNING:
            return None
        if has_active_hold(deletion.organization_id):
            if deletion.status == AccountDeletion.Status.RUNNING:
                _paused(deletion.pk)
            return None
        organization = deletion.organization
        if deletion.status == AccountDeletion.Status.SCHEDULED and deletion.started_at:
            deletion.status = AccountDeletion.Status.RUNNING  # resuming after a hold
        elif deletion.status == AccountDeletion.Status.SCHEDULED:
            deletion.status = AccountDeletion.Status.RUNNING
            deletion.started_at = now
            with all_tenants():
                members = list(
                    Membership.objects.filter(organization=organization).values_list(
                        "user_id", "role"
                    )
                )
            deletion.summary = {
                "member_user_ids": sorted({user_id for user_id, _role in members}),
                # Kept only until the final email is queued, then cleared.
                "notify": _owner_emails(organization),
                "organization_name": organization.name,
            }
        deletion.heartbeat_at = now
        deletion.save(update_fields=["status", "started_at", "summary", "heartbeat_at"])
        return deletion


def _heartbeat(deletion_id: int) -> None:
    AccountDeletion.objects.filter(pk=deletion_id).update(heartbeat_at=timezone.now())


def organization_deletion_execute(*, deletion_id: int, budget_seconds: float | None = None) -> str:
    """Carry out a due deletion. Returns ``"done"``, ``"continue"`` (budget used
    up; run again) or ``"skipped"`` (not due, cancelled, on hold, or another
    worker is on it: a cache lock keeps two runs of one deletion apart)."""
    from django.core.cache import cache

    lock = f"privacy:deletion-lock:{deletion_id}"
    if not cache.add(lock, 1, timeout=int(budget_seconds or 3600) + 120):
        return "skipped"
    try:
        return _execute(deletion_id, budget_seconds)
    finally:
        cache.delete(lock)


def _execute(deletion_id: int, budget_seconds: float | None) -> str:
    now = timezone.now()
    deletion = _claim(deletion_id, now)
    if deletion is None:
        return "skipped"
    organization = deletion.organization
    budget = Budget(budget_seconds)
    result = ErasureResult()
    chunk = settings.PRIVACY_CHUNK_SIZE

    def stop_requested() -> bool:
        _heartbeat(deletion_id)
        return has_active_hold(organization.pk)

    with all_tenants():  # platform job: rows of one organisation, named explicitly
        # 1. Everything the organisation owns, children first. Legal records
        #    are pseudonymised and kept; everything else is deleted.
        for data_class in children_first(organization_owned_classes()):
            if stop_requested():
                return _paused(deletion_id)
            mode = PSEUDONYMISE if data_class.erasure == "keep_for_law" else DELETE
            finished = erase_queryset(
                data_class=data_class,
                queryset=organization_rows(data_class, organization),
                mode=mode,
                organization=organization,
                reason="organization_deletion",
                result=result,
                chunk_size=chunk,
                budget=budget,
            )
            if not finished:
                return _continue(deletion_id, result)
        # 2. Members who belong to no other organisation, with their own rows.
        member_ids = deletion.summary.get("member_user_ids", [])
        leaving = list(
            User.objects.filter(pk__in=member_ids, is_staff=False, is_superuser=False)
            .exclude(memberships__isnull=False)
            .values_list("pk", flat=True)
        )
        if stop_requested():
            return _paused(deletion_id)
        finished = users_erase(
            user_ids=leaving,
            organization=organization,
            reason="organization_deletion",
            result=result,
            budget=budget,
        )
        if not finished:
            return _continue(deletion_id, result)
        # 3. The organisation row stays, pseudonymised, while legal records hang on it.
        _pseudonymise_organization(organization)
        has_legal_records = any(
            organization_rows(dc, organization).exists()
            for dc in retained_classes()
            if dc.owner == "organization" and dc.label != "accounts.Organization"
        )
    return _complete(deletion_id, result, has_legal_records=has_legal_records)


def users_erase(*, user_ids, organization, reason, result, budget=None) -> bool:
    """Delete users and every row they own (consents, sessions, devices...).
    A user something else protects is pseudonymised and deactivated instead."""
    chunk = settings.PRIVACY_CHUNK_SIZE
    with all_tenants():
        for data_class in children_first(user_owned_classes()):
            finished = erase_queryset(
                data_class=data_class,
                queryset=user_rows(data_class, user_ids),
                mode=DELETE,
                organization=organization,
                reason=reason,
                result=result,
                chunk_size=chunk,
                budget=budget,
            )
            if not finished:
                return False
        users = User.objects.filter(pk__in=list(user_ids))
        finished = erase_queryset(
            data_class=REGISTRY[USER_MODEL],
            queryset=users,
            mode=DELETE,
            organization=organization,
            reason=reason,
            result=result,
            chunk_size=chunk,
            budget=budget,
        )
        # Kept (protected) users must not be able to log in any more.
        users.update(is_active=False)
    return finished


def _pseudonymise_organization(organization) -> None:
    assignments = pseudonymise_assignments(REGISTRY["accounts.Organization"])
    Organization.objects.filter(pk=organization.pk).update(
        **assignments,
        name=_("Deleted organisation %(id)s") % {"id": organization.pk},
        slug=f"deleted-{organization.pk}",
        status=Organization.Status.SUSPENDED,
        require_2fa=False,
        updated_at=timezone.now(),
    )


def _merge_counts(summary: dict, result: ErasureResult) -> dict:
    for key in ("deleted", "pseudonymised"):
        totals = dict(summary.get(key, {}))
        for label, count in getattr(result, key).items():
            totals[label] = totals.get(label, 0) + count
        summary[key] = totals
    if result.hook_errors:
        summary["hook_errors"] = summary.get("hook_errors", 0) + len(result.hook_errors)
    return summary


def _continue(deletion_id: int, result: ErasureResult) -> str:
    with transaction.atomic():
        deletion = AccountDeletion.objects.select_for_update().get(pk=deletion_id)
        deletion.summary = _merge_counts(dict(deletion.summary), result)
        deletion.heartbeat_at = timezone.now()
        deletion.save(update_fields=["summary", "heartbeat_at"])
    return "continue"


def _paused(deletion_id: int) -> str:
    """A legal hold arrived mid-way: stop; the organisation stays suspended."""
    AccountDeletion.objects.filter(pk=deletion_id, status=AccountDeletion.Status.RUNNING).update(
        status=AccountDeletion.Status.SCHEDULED
    )
    return "skipped"


def _complete(deletion_id: int, result: ErasureResult, *, has_legal_records: bool) -> str:
    now = timezone.now()
    with transaction.atomic():
        deletion = AccountDeletion.objects.select_for_update().get(pk=deletion_id)
        summary = _merge_counts(dict(deletion.summary), result)
        recipients = summary.pop("notify", [])
        organization_name = summary.pop("organization_name", "")
        summary.pop("member_user_ids", None)
        summary["legal_records_kept"] = has_legal_records
        deletion.summary = summary
        deletion.status = AccountDeletion.Status.COMPLETED
        deletion.completed_at = now
        deletion.heartbeat_at = now
        if has_legal_records:
            deletion.legal_records_until = now + timedelta(
                days=365 * settings.PRIVACY_LEGAL_RETENTION_YEARS
            )
        deletion.save(
            update_fields=[
                "summary",
                "status",
                "completed_at",
                "heartbeat_at",
                "legal_records_until",
            ]
        )
        # The members are gone, so the owners captured when the job started are
        # emailed by address (deletion.done has no in-app notice).
        _notify_owners(
            deletion.organization,
            "deletion.done",
            {
                "deletion": deletion,
                "organization_name": organization_name,
                "completed_at": now,
                "legal_years": settings.PRIVACY_LEGAL_RETENTION_YEARS,
                "has_legal_records": has_legal_records,
                # None while staff keep backups (rotation switched off): the email
                # then names no period it could not keep
                "backup_days": retention_days("backups"),
            },
            emails=recipients,
        )
    logger.info(
        "organisation %s deleted: %s rows deleted, %s kept pseudonymised",
        deletion.organization_ref,
        sum(summary.get("deleted", {}).values()),
        sum(summary.get("pseudonymised", {}).values()),
    )
    return "done"


# --- leftovers after the legal period -----------------------------------------------------------


def deleted_organization_leftovers_purge(*, now=None, leftover_days: int | None = None) -> int:
    """Remove what a completed deletion kept, once no longer needed: legal
    records after ``PRIVACY_LEGAL_RETENTION_YEARS``; an organisation shell with
    no legal records after the ``deleted_organizations`` retention period."""
    from django.db.models import Q

    from privacy.models import RetentionPurge

    now = now or timezone.now()
    conditions = Q(legal_records_until__isnull=False, legal_records_until__lte=now)
    if leftover_days is not None:
        conditions |= Q(
            legal_records_until__isnull=True,
            completed_at__lte=now - timedelta(days=leftover_days),
        )
    purged = 0
    for deletion in AccountDeletion.objects.filter(
        conditions,
        status=AccountDeletion.Status.COMPLETED,
        leftovers_purged_at__isnull=True,
        organization__isnull=False,
    ):
        organization_id = deletion.organization_id
        if has_active_hold(organization_id):
            continue
        organization = Organization.objects.get(pk=organization_id)
        result = ErasureResult()
        with all_tenants():
            for data_class in children_first(organization_owned_classes()):
                erase_queryset(
                    data_class=data_class,
                    queryset=organization_rows(data_class, organization),
                    mode=DELETE,
                    organization=organization,
                    reason="retention",
                    result=result,
                )
            LegalHold.objects.filter(organization_id=organization_id).delete()
            Organization.objects.filter(pk=organization_id).delete()
        AccountDeletion.objects.filter(pk=deletion.pk).update(
            leftovers_purged_at=now, summary=_merge_counts(dict(deletion.summary), result)
        )
        RetentionPurge.objects.create(
            retention_class="deleted_organizations",
            model_label="accounts.Organization",
            reason="deleted_organization",
            deleted=1 + sum(result.deleted.values()),
            status=RetentionPurge.Status.FINISHED,
            message=f"organisation {organization_id}",
            finished_at=timezone.now(),
        )
        purged += 1
    return purged
