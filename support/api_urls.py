from django.urls import path

from support import api

urlpatterns = [
    path("support/tickets/", api.TicketList.as_view(), name="api_ticket_list"),
    path("support/tickets/<int:ticket_id>/", api.TicketDetail.as_view(), name="api_ticket_detail"),
    path(
        "support/tickets/<int:ticket_id>/messages/",
        api.TicketMessages.as_view(),
        name="api_ticket_messages",
    ),
]
