from django.urls import path

from nettportal.views import area_placeholder

app_name = "routers"

urlpatterns = [
    path(
        "",
        area_placeholder(
            "routers",
            "Routers",
            "routers.view",
            "Add your MikroTik routers here to see which are online, who is connected and how much traffic flows. Router management is being built.",
        ),
        name="index",
    ),
]
