"""Reports that a minor's data is on NettPortal, and what staff do with them."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nettportal.errors import Conflict, ValidationFailed
from nettportal.mail import send_email
from privacy.models import MinorDataReport, PrivacyRequest


def _staff_emails() -> list[str]:
    if settings.PRIVACY_STAFF_EMAILS:
        return list(settings.PRIVACY_STAFF_EMAILS)
    from accounts.models import User

    return list(
        User.objects.filter(is_staff=True, is_active=True)
        .order_by("pk")
        .values_list("email", flat=True)[:20]
    )


@transaction.atomic
def minor_report_create(
    *, reporter_name: str, reporter_email: str, concerns: str, where: str, details: str
) -> MinorDataReport:
    if concerns not in MinorDataReport.Concerns.values:
        raise ValidationFailed(_("Choose what the data is part of."), field="concerns")
    details = (details or "").strip()
    if len(details) < 10:
        raise ValidationFailed(_("Tell us a little more so we can find the data."), field="details")
    report = MinorDataReport.objects.create(
        reporter_name=" ".join(reporter_name.split())[:120],
        reporter_email=reporter_email.strip().lower(),
        concerns=concerns,
        where=" ".join((where or "").split())[:200],
        details=details[:4000],
    )
    send_email(
        to=_staff_emails(), template="privacy/minor_report_staff", context={"report": report}
    )
    send_email(
        to=report.reporter_email,
        template="privacy/minor_report_received",
        context={"report": report},
    )
    return report


def _close(report: MinorDataReport, *, actor, status: str, outcome: str) -> MinorDataReport:
    report.status = status
    report.outcome = (report.outcome + "\n" if report.outcome else "") + outcome
    report.handled_by = actor
    report.closed_at = timezone.now()
    report.save(
        update_fields=[
            "status",
            "outcome",
            "handled_by",
            "closed_at",
            "user",
            "organization",
            "privacy_request",
        ]
    )
    return report


@transaction.atomic
def minor_report_delete_user(*, report: MinorDataReport, user, actor) -> MinorDataReport:
    """Delete the reported account. Organisations the user alone owns are
    scheduled for deletion now (no grace period): an under-18 cannot hold a
    business account, and their data must go."""
    from accounts.models import Membership, Organization
    from accounts.roles import Role
    from accounts.tenancy import all_tenants
    from privacy.models import AccountDeletion

    locked = MinorDataReport.objects.select_for_update().get(pk=report.pk)
    if locked.status not in MinorDataReport.OPEN_STATUSES:
        raise Conflict(_("This report is already closed."))
    if user.is_staff:
        raise ValidationFailed(_("Staff accounts are not deleted this way."))
    scheduled = []
    now = timezone.now()
    with all_tenants():
        owned = Membership.objects.filter(user=user, role=Role.OWNER).values_list(
            "organization_id", flat=True
        )
        for organization_id in list(owned):
            other_owners = (
                Membership.objects.filter(organization_id=organization_id, role=Role.OWNER)
                .exclude(user=user)
                .exists()
            )
            if other_owners:
                continue
            organization = Organization.objects.select_for_update().get(pk=organization_id)
            if not AccountDeletion.objects.filter(
                organization=organization, status__in=AccountDeletion.ACTIVE
            ).exists():
                AccountDeletion.objects.create(
                    organization=organization,
                    organization_ref=organization.pk,
                    requested_by=actor,
                    scheduled_for=now,
                )
            organization.status = Organization.Status.PENDING_DELETION
            organization.save(update_fields=["status", "updated_at"])
            scheduled.append(organization_id)
        if not scheduled:
            from privacy.erasure import ErasureResult
            from privacy.services.deletion import users_erase

            user_id = user.pk
            users_erase(
                user_ids=[user_id],
                organization=None,
                reason="minor_report",
                result=ErasureResult(),
            )
            outcome = _("Account %(id)s deleted.") % {"id": user_id}
        else:
            # Leave every other organisation now, so the scheduled deletions
            # find the account in no other organisation and delete it too.
            Membership.objects.filter(user=user).exclude(organization_id__in=scheduled).delete()
            user.is_active = False
            user.set_unusable_password()
            user.save(update_fields=["is_active", "password"])
            outcome = _(
                "Account disabled; organisations %(ids)s scheduled for immediate deletion "
                "(the account is deleted with them)."
            ) % {"ids": ", ".join(str(i) for i in scheduled)}
    locked.user = None if not scheduled else user
    return _close(locked, actor=actor, status=MinorDataReport.Status.DELETED, outcome=outcome)


@transaction.atomic
def minor_report_forward(*, report: MinorDataReport, organization, actor) -> PrivacyRequest:
    """Refer a customer-record report to the operator as an erasure request."""
    from accounts.tenancy import tenant
    from privacy.services.requests import privacy_request_create

    locked = MinorDataReport.objects.select_for_update().get(pk=report.pk)
    if locked.status not in MinorDataReport.OPEN_STATUSES:
        raise Conflict(_("This report is already closed."))
    with tenant(organization):
        privacy_request = privacy_request_create(
            organization=organization,
            kind=PrivacyRequest.Kind.ERASURE,
            requester_name=locked.reporter_name,
            requester_email=locked.reporter_email,
            message=_(
                "Forwarded by NettPortal: we were told that your customer records hold the "
                "data of a person under 18. Please find and erase it.\n\n%(details)s"
            )
            % {"details": locked.details},
            source=PrivacyRequest.Source.PLATFORM,
        )
    locked.organization = organization
    locked.privacy_request = privacy_request
    _close(
        locked,
        actor=actor,
        status=MinorDataReport.Status.FORWARDED,
        outcome=_("Forwarded to organisation %(id)s as request %(ref)s.")
        % {"id": organization.pk, "ref": privacy_request.reference},
    )
    return privacy_request


@transaction.atomic
def minor_report_close(*, report: MinorDataReport, actor, outcome: str) -> MinorDataReport:
    outcome = (outcome or "").strip()
    if len(outcome) < 5:
        raise ValidationFailed(_("Write why no action is needed."))
    locked = MinorDataReport.objects.select_for_update().get(pk=report.pk)
    if locked.status not in MinorDataReport.OPEN_STATUSES:
        raise Conflict(_("This report is already closed."))
    return _close(locked, actor=actor, status=MinorDataReport.Status.NO_ACTION, outcome=outcome)
