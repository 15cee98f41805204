from django.urls import path

from billing import api

urlpatterns = [
    path("payments/", api.PaymentList.as_view(), name="api_payments"),
    path("payments/manual/", api.PaymentRecordManual.as_view(), name="api_payment_record"),
    path("payments/<int:payment_id>/", api.PaymentDetail.as_view(), name="api_payment"),
]
