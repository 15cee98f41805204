"""The privacy request queue: end customers' data-rights requests to the operator."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nettportal.errors import Conflict, ValidationFailed
from privacy.access_log import access_log_record
from privacy.models import AccessLog, PrivacyRequest

_REFERENCE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no look-alikes (0/O, 1/I, 5/S, 8/B)


def _reference() -> str:
    return "PR-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))


def _clean(value: str, limit: int) -> str:
    return " ".join((value or "").split())[:limit]


@transaction.atomic
def privacy_request_create(
    *,
    organization,
    kind: str,
    requester_name: str,
    requester_email: str = "",
    requester_phone: str = "",
    message: str = "",
    source: str = PrivacyRequest.Source.LANDING_PAGE,
    actor=None,
    customer_ref: str = "",
    request=None,
) -> PrivacyRequest:
    """Record a request; due 30 days after receipt.

    Called by the hotspot landing page (portal), by the operator's staff in
    the dashboard, and by platform staff forwarding a report.
    """
    if kind not in PrivacyRequest.Kind.values:
        raise ValidationFailed(_("Choose what you are asking for."), field="kind")
    if source not in PrivacyRequest.Source.values:
        raise ValidationFailed(_("Unknown source."), field="source")
    name = _clean(requester_name, 120)
    if len(name) < 2:
        raise ValidationFailed(_("Enter a name."), field="requester_name")
    email = (requester_email or "").strip().lower()
    phone = _clean(requester_phone, 32)
    if not email and not phone:
        raise ValidationFailed(
            _("Give an email address or a phone number so the operator can answer."),
            field="requester_email",
        )
    if len(message or "") > 2000:
        raise ValidationFailed(_("Keep the message under 2,000 characters."), field="message")
    now = timezone.now()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                privacy_request = PrivacyRequest.objects.create(
                    organization=organization,
                    reference=_reference(),
                    kind=kind,
                    source=source,
                    requester_name=name,
                    requester_email=email,
                    requester_phone=phone,
                    message=(message or "").strip(),
                    customer_ref=str(customer_ref or ""),
                    received_at=now,
                    due_at=PrivacyRequest.due_from(now),
                    created_by=actor,
                )
            break
        except IntegrityError:  # a reference collision; draw another
            continue
    else:  # pragma: no cover - 26^6 references per organisation
        raise Conflict(_("Please try again."))
    if actor is not None:
        access_log_record(
            organization=organization,
            action=AccessLog.Action.CREATE,
            target=privacy_request,
            actor=actor,
            request=request,
        )
    _notify_managers(privacy_request)
    return privacy_request


def _notify_managers(privacy_request: PrivacyRequest) -> None:
    from accounts.models import Membership
    from accounts.roles import PERMISSIONS
    from nettportal.mail import send_email

    emails = sorted(
        set(
            Membership.objects.filter(
                organization_id=privacy_request.organization_id,
                role__in=PERMISSIONS["privacy.manage"],
                user__is_active=True,
            ).values_list("user__email", flat=True)
        )
    )
    if emails:
        send_email(
            to=emails,
            template="privacy/request_received",
            context={"privacy_request": privacy_request},
        )


@transaction.atomic
def privacy_request_start(*, privacy_request: PrivacyRequest, actor) -> PrivacyRequest:
    updated = PrivacyRequest.objects.filter(
        pk=privacy_request.pk, status=PrivacyRequest.Status.OPEN
    ).update(status=PrivacyRequest.Status.IN_PROGRESS, handled_by=actor)
    privacy_request.refresh_from_db()
    if not updated and not privacy_request.is_open:
        raise Conflict(_("This request is already closed."))
    return privacy_request


@transaction.atomic
def privacy_request_close(
    *, privacy_request: PrivacyRequest, actor, status: str, outcome: str, request=None
) -> PrivacyRequest:
    """Close a request with a written outcome (what was done, or why not)."""
    if status not in (PrivacyRequest.Status.COMPLETED, PrivacyRequest.Status.REJECTED):
        raise ValidationFailed(_("Choose completed or rejected."), field="status")
    outcome = (outcome or "").strip()
    if len(outcome) < 5:
        raise ValidationFailed(
            _("Write the outcome: what you did, or why the request was refused."),
            field="outcome",
        )
    locked = (
        PrivacyRequest.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=privacy_request.pk)
    )
    if not locked.is_open:
        raise Conflict(_("This request is already closed."))
    locked.status = status
    locked.outcome = outcome
    locked.closed_at = timezone.now()
    locked.handled_by = actor
    locked.save(update_fields=["status", "outcome", "closed_at", "handled_by"])
    access_log_record(
        organization=locked.organization,
        action=AccessLog.Action.CHANGE,
        target=locked,
        actor=actor,
        request=request,
        detail={"status": status},
    )
    _tell_requester(locked)
    return locked


def _tell_requester(privacy_request: PrivacyRequest) -> None:
    """The person who asked hears the answer: by email when they gave an
    address, otherwise by SMS to the phone they gave (after commit)."""
    if privacy_request.requester_email:
        from nettportal.mail import send_email

        send_email(
            to=privacy_request.requester_email,
            template="privacy/request_closed",
            context={"privacy_request": privacy_request},
        )
    elif privacy_request.requester_phone:
        from nettportal.sms import send_sms

        send_sms(
            to=privacy_request.requester_phone,
            body=_(
                "%(organization)s answered your privacy request %(reference)s "
                "(%(status)s): %(outcome)s"
            )
            % {
                "organization": privacy_request.organization.name,
                "reference": privacy_request.reference,
                "status": privacy_request.get_status_display().lower(),
                "outcome": privacy_request.outcome,
            },
        )


@transaction.atomic
def privacy_request_note_outcome(*, privacy_request: PrivacyRequest, text: str) -> None:
    """Append a line to the outcome as work is done (an export, an erasure)."""
    locked = (
        PrivacyRequest.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=privacy_request.pk)
    )
    stamp = timezone.now().strftime("%Y-%m-%d %H:%M")
    locked.outcome = (locked.outcome + "\n" if locked.outcome else "") + f"[{stamp}] {text}"
    if locked.status == PrivacyRequest.Status.OPEN:
        locked.status = PrivacyRequest.Status.IN_PROGRESS
    locked.save(update_fields=["outcome", "status"])


@transaction.atomic
def privacy_request_link_customer(
    *, privacy_request: PrivacyRequest, customer, actor
) -> PrivacyRequest:
    privacy_request.customer_ref = str(customer.pk)
    privacy_request.save(update_fields=["customer_ref"])
    return privacy_request
