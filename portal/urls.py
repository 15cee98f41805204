from django.urls import path

from nettportal.views import area_placeholder

app_name = "portal"

urlpatterns = [
    path(
        "",
        area_placeholder(
            "portal",
            "Landing pages",
            "portal.view",
            "Design the branded hotspot landing page your customers see when they connect. The builder is being built.",
        ),
        name="index",
    ),
]
