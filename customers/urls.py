from django.urls import path

from nettportal.views import area_placeholder

app_name = "customers"

urlpatterns = [
    path(
        "",
        area_placeholder(
            "customers",
            "Customers",
            "customers.view",
            "Your hotspot and PPPoE customers, their usage and payments will be listed here. Customer management is being built.",
        ),
        name="index",
    ),
]
