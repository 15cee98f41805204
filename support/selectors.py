from django.db.models import Prefetch

from support.models import Ticket, TicketAttachment, TicketEvent, TicketMessage

OPEN_STATUSES = (Ticket.Status.OPEN, Ticket.Status.WAITING)


def ticket_list(*, organization, status: str = ""):
    tickets = Ticket.objects.filter(organization=organization).select_related("opened_by")
    if status == "active":
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    elif status in Ticket.Status.values:
        tickets = tickets.filter(status=status)
    return tickets


def ticket_thread(*, ticket: Ticket, include_internal: bool = False) -> list[TicketMessage]:
    messages = TicketMessage.objects.filter(ticket=ticket)
    if not include_internal:
        messages = messages.filter(is_internal=False)
    return list(
        messages.select_related("author").prefetch_related(
            Prefetch("attachments", queryset=TicketAttachment.objects.order_by("id"))
        )
    )


def ticket_history(*, ticket: Ticket, include_internal: bool = False) -> list[TicketEvent]:
    events = TicketEvent.objects.filter(ticket=ticket).select_related("actor")
    if not include_internal:
        events = events.exclude(kind=TicketEvent.Kind.NOTE)
    return list(events)
