from django.urls import path

from nettportal.views import area_placeholder

app_name = "privacy"

urlpatterns = [
    path(
        "",
        area_placeholder(
            "privacy",
            "Privacy",
            "privacy.view",
            "Export your organisation's data, handle your customers' privacy requests and manage account deletion here. This area is being built.",
        ),
        name="index",
    ),
]
