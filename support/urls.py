from django.urls import path

from nettportal.views import area_placeholder

app_name = "support"

urlpatterns = [
    path(
        "",
        area_placeholder(
            "support",
            "Support",
            "support.view",
            "Open a ticket with the NettPortal team and follow the conversation here. Support tickets are being built.",
        ),
        name="index",
    ),
]
