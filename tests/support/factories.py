import factory

from accounts.tenancy import tenant
from support.models import Ticket, TicketMessage


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    subject = factory.Sequence(lambda n: f"Ticket {n}")
    category = Ticket.Category.ROUTERS
    priority = Ticket.Priority.NORMAL

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with tenant(kwargs["organization"]):
            ticket = super()._create(model_class, *args, **kwargs)
            TicketMessage.objects.create(
                organization=ticket.organization,
                ticket=ticket,
                author=ticket.opened_by,
                body="First message",
            )
            return ticket
