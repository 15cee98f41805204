from django.urls import path

from nettportal.views import area_placeholder

app_name = "vouchers"

urlpatterns = [
    path(
        "",
        area_placeholder(
            "vouchers",
            "Packages & vouchers",
            "vouchers.view",
            "Create packages, generate and print voucher batches, and push them to your routers. This area is being built.",
        ),
        name="index",
    ),
]
