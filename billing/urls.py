from django.urls import path

from nettportal.views import area_placeholder

app_name = "billing"

urlpatterns = [
    path(
        "",
        area_placeholder(
            "billing",
            "Payments",
            "billing.view",
            "Payments from M-Pesa, Paystack, bank transfer and cash, receipts, invoices and your platform invoices will appear here. This area is being built.",
        ),
        name="index",
    ),
]
