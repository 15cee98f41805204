from django.core.files.base import ContentFile

from accounts.roles import Role
from support.models import Ticket, TicketAttachment, TicketEvent, TicketMessage


def build(world):
    owner = world.users[Role.OWNER]
    ticket = Ticket.objects.create(
        organization=world.organization,
        subject=f"Router down {world.marker}",
        category=Ticket.Category.ROUTERS,
        opened_by=owner,
    )
    message = TicketMessage.objects.create(
        organization=world.organization,
        ticket=ticket,
        author=owner,
        body=f"Please help {world.marker}",
    )
    attachment = TicketAttachment(
        organization=world.organization,
        message=message,
        original_name=f"log-{world.marker}.txt",
        content_type="text/plain",
        size=10,
        sha256="0" * 64,
    )
    attachment.file.save(
        f"log-{world.marker}.txt", ContentFile(f"log {world.marker}".encode()), save=False
    )
    attachment.save()
    event = TicketEvent.objects.create(
        organization=world.organization,
        ticket=ticket,
        actor=owner,
        kind=TicketEvent.Kind.OPENED,
        to_value=world.marker,
    )
    world.add(ticket, message, attachment, event)
    world.post_data.update(
        {
            "subject": "Hijacked",
            "category": "other",
            "priority": "low",
            "body": "Hijacked",
            "status": "closed",
        }
    )
