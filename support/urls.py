from django.urls import path

from support import views

app_name = "support"

urlpatterns = [
    path("", views.ticket_index, name="index"),
    path("new/", views.ticket_create, name="ticket_create"),
    path("<int:ticket_id>/", views.ticket_detail, name="ticket_detail"),
    path("<int:ticket_id>/status/", views.ticket_status, name="ticket_status"),
    path(
        "<int:ticket_id>/attachments/<int:ticketattachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
]
