"""Writes for tickets: open, reply (either side), change status/priority/assignee.

Every change adds a :class:`TicketEvent`, so the history is complete. Emails
and webhooks go out after commit.
"""

import threading

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nettportal.errors import Conflict, ValidationFailed
from nettportal.mail import send_email
from support.attachments import check_attachments
from support.models import Ticket, TicketAttachment, TicketEvent, TicketMessage

_UNSET = object()
_local = threading.local()
MAX_BODY = 20000


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("Write a message."), field="body")
    if len(body) > MAX_BODY:
        raise ValidationFailed(
            _("Keep the message under %(n)s characters.") % {"n": MAX_BODY}, field="body"
        )
    return body


def _add_message(*, ticket, actor, body, files, is_staff_reply, is_internal=False):
    checked = check_attachments(files)
    message = TicketMessage.objects.create(
        organization_id=ticket.organization_id,
        ticket=ticket,
        author=actor,
        body=body,
        is_staff_reply=is_staff_reply,
        is_internal=is_internal,
    )
    for upload, facts in checked:
        attachment = TicketAttachment(
            organization_id=ticket.organization_id, message=message, **facts
        )
        attachment.file.save(facts["original_name"], upload, save=False)
        attachment.save()
        _stored_files().append(attachment.file.name)
    return message


def _stored_files() -> list[str]:
    """Files stored by the service running in this thread, so that a failed
    service removes them again (nothing half-written)."""
    names = getattr(_local, "names", None)
    if names is None:
        names = _local.names = []
    return names


def _event(ticket, actor, kind, from_value="", to_value=""):
    TicketEvent.objects.create(
        organization_id=ticket.organization_id,
        ticket=ticket,
        actor=actor,
        kind=kind,
        from_value=str(from_value)[:120],
        to_value=str(to_value)[:120],
    )


def staff_recipients(ticket) -> list[str]:
    if ticket.assignee_id and ticket.assignee.is_active:
        return [ticket.assignee.email]
    if settings.SUPPORT_STAFF_EMAILS:
        return list(settings.SUPPORT_STAFF_EMAILS)
    return list(
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .values_list("email", flat=True)
    )


def _email_staff(ticket, message, template):
    admin_url = settings.SITE_URL + reverse("admin:support_ticket_change", args=[ticket.pk])
    send_email(
        to=staff_recipients(ticket),
        template=template,
        context={
            "ticket": ticket,
            "message": message,
            "organization": ticket.organization,
            "admin_url": admin_url,
            "attachments": list(message.attachments.all()),
        },
    )


def ticket_open(
    *, organization, actor, subject: str, category: str, priority: str, body: str, files=()
) -> Ticket:
    return _with_file_cleanup(
        _ticket_open,
        organization=organization,
        actor=actor,
        subject=subject,
        category=category,
        priority=priority,
        body=body,
        files=files,
    )


@transaction.atomic
def _ticket_open(*, organization, actor, subject, category, priority, body, files) -> Ticket:
    subject = (subject or "").strip()
    if not subject:
        raise ValidationFailed(_("Give the ticket a subject."), field="subject")
    if category not in Ticket.Category.values:
        raise ValidationFailed(_("Choose a category from the list."), field="category")
    if priority not in Ticket.Priority.values:
        raise ValidationFailed(_("Choose a priority from the list."), field="priority")
    body = _clean_body(body)
    now = timezone.now()
    ticket = Ticket.objects.create(
        organization=organization,
        subject=subject[:160],
        category=category,
        priority=priority,
        opened_by=actor,
        last_message_at=now,
    )
    message = _add_message(ticket=ticket, actor=actor, body=body, files=files, is_staff_reply=False)
    _event(ticket, actor, TicketEvent.Kind.OPENED, to_value=ticket.get_priority_display())
    _email_staff(ticket, message, "support_ticket_opened")
    return ticket


def ticket_reply(
    *,
    ticket: Ticket,
    actor,
    body: str,
    files=(),
    as_staff: bool = False,
    is_internal: bool = False,
    new_status: str | None = None,
) -> TicketMessage:
    """A reply on ``ticket``: by the operator (reopens a resolved ticket), or by
    staff (``as_staff``; the ticket then waits on the customer unless
    ``new_status`` says otherwise). Internal notes are staff-only."""
    return _with_file_cleanup(
        _ticket_reply,
        ticket=ticket,
        actor=actor,
        body=body,
        files=files,
        as_staff=as_staff,
        is_internal=is_internal,
        new_status=new_status,
    )


@transaction.atomic
def _ticket_reply(*, ticket, actor, body, files, as_staff, is_internal, new_status):
    if is_internal and not as_staff:
        raise ValueError("only staff write internal notes")
    body = _clean_body(body)
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.is_closed and not as_staff:
        raise Conflict(_("This ticket is closed. Open a new ticket to continue."))
    message = _add_message(
        ticket=locked,
        actor=actor,
        body=body,
        files=files,
        is_staff_reply=as_staff,
        is_internal=is_internal,
    )
    if is_internal:
        _event(locked, actor, TicketEvent.Kind.NOTE)
        return message
    _event(locked, actor, TicketEvent.Kind.REPLIED, to_value="staff" if as_staff else "customer")
    if as_staff:
        target = new_status or Ticket.Status.WAITING
    elif locked.status in (Ticket.Status.WAITING, Ticket.Status.RESOLVED):
        target = Ticket.Status.OPEN
    else:
        target = locked.status
    if new_status is not None and new_status not in Ticket.Status.values:
        raise ValidationFailed(_("Choose a status from the list."), field="status")
    if target != locked.status:
        _event(
            locked,
            actor,
            TicketEvent.Kind.STATUS,
            locked.get_status_display(),
            Ticket.Status(target).label,
        )
        locked.status = target
    locked.last_message_at = timezone.now()
    locked.save(update_fields=["status", "last_message_at", "updated_at"])
    if as_staff:
        _notify_operator(locked, message)
    else:
        _email_staff(locked, message, "support_customer_replied")
    ticket.status, ticket.last_message_at = locked.status, locked.last_message_at
    return message


def _notify_operator(ticket, message):
    from integrations.services import webhook_emit
    from notifications.services import notify

    participants = {ticket.opened_by_id} | set(
        TicketMessage.objects.filter(ticket=ticket, is_staff_reply=False).values_list(
            "author_id", flat=True
        )
    )
    users = get_user_model().objects.filter(pk__in=[pk for pk in participants if pk])
    notify(
        organization=ticket.organization,
        event="ticket.replied",
        context={"ticket": ticket, "message": message},
        url=reverse("support:ticket_detail", args=[ticket.pk]),
        recipients=list(users),
    )
    webhook_emit(
        organization=ticket.organization,
        event="ticket.replied",
        payload={"ticket_id": ticket.pk, "subject": ticket.subject, "status": ticket.status},
    )


@transaction.atomic
def ticket_update(
    *, ticket: Ticket, actor, status=None, priority=None, category=None, assignee=_UNSET
) -> Ticket:
    """Change fields of a ticket, recording each change in the history."""
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    changed = []
    for field, value, kind, choices in (
        ("status", status, TicketEvent.Kind.STATUS, Ticket.Status),
        ("priority", priority, TicketEvent.Kind.PRIORITY, Ticket.Priority),
        ("category", category, TicketEvent.Kind.CATEGORY, Ticket.Category),
    ):
        if value is None or value == getattr(locked, field):
            continue
        if value not in choices.values:
            raise ValidationFailed(_("Choose a value from the list."), field=field)
        _event(locked, actor, kind, choices(getattr(locked, field)).label, choices(value).label)
        setattr(locked, field, value)
        changed.append(field)
    if assignee is not _UNSET and getattr(assignee, "pk", None) != locked.assignee_id:
        if assignee is not None and not assignee.is_staff:
            raise ValidationFailed(_("Only staff can be assigned."), field="assignee")
        _event(
            locked,
            actor,
            TicketEvent.Kind.ASSIGNED,
            locked.assignee.email if locked.assignee_id else "",
            assignee.email if assignee else "",
        )
        locked.assignee = assignee
        changed.append("assignee")
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    for field in changed:
        setattr(ticket, field, getattr(locked, field))
    return locked


def ticket_set_status_by_operator(*, ticket: Ticket, actor, status: str) -> Ticket:
    """Operators may mark their ticket resolved or closed, or reopen it."""
    allowed = {Ticket.Status.RESOLVED, Ticket.Status.CLOSED, Ticket.Status.OPEN}
    if status not in allowed:
        raise ValidationFailed(_("Choose resolved, closed or open."), field="status")
    if ticket.is_closed and status == Ticket.Status.OPEN:
        raise Conflict(_("A closed ticket cannot be reopened. Open a new ticket."))
    return ticket_update(ticket=ticket, actor=actor, status=status)


def _with_file_cleanup(function, **kwargs):
    """Run a service; if it fails, delete the attachment files it stored."""
    from support.models import private_storage

    names = _stored_files()
    start = len(names)
    try:
        return function(**kwargs)
    except BaseException:
        for name in names[start:]:
            private_storage.delete(name)
        raise
    finally:
        del names[start:]
