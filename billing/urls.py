from django.urls import path

from billing.views import hooks, invoices, payments, public, reports, setup

app_name = "billing"

# Also served ahead of the dashboard's middleware (billing/middleware.py).
hook_urlpatterns = [
    path("hooks/mpesa/<str:callback_key>/<str:token>/", hooks.mpesa_callback, name="hook_mpesa"),
    path("hooks/paystack/<str:callback_key>/", hooks.paystack_webhook, name="hook_paystack"),
]

urlpatterns = [
    # Dashboard
    path("", payments.payment_list, name="index"),
    path("record/", payments.payment_record, name="record"),
    path("<int:payment_id>/", payments.payment_detail, name="payment_detail"),
    path("<int:payment_id>/receipt.pdf", payments.payment_receipt_pdf, name="payment_receipt"),
    path(
        "<int:payment_id>/resend-receipt/", payments.payment_resend_receipt, name="payment_resend"
    ),
    path("<int:payment_id>/check/", payments.payment_check, name="payment_check"),
    path("<int:payment_id>/resolve/", payments.payment_resolve, name="payment_resolve"),
    path("<int:payment_id>/refund/", payments.payment_refund, name="payment_refund"),
    path(
        "<int:payment_id>/retry-delivery/",
        payments.payment_retry_delivery,
        name="payment_retry_delivery",
    ),
    path("processors/", setup.processor_list, name="processors"),
    path("processors/mpesa/", setup.processor_mpesa, name="processor_mpesa"),
    path("processors/paystack/", setup.processor_paystack, name="processor_paystack"),
    path("processors/<int:processoraccount_id>/test/", setup.processor_test, name="processor_test"),
    path(
        "processors/<int:processoraccount_id>/rotate/",
        setup.processor_rotate,
        name="processor_rotate",
    ),
    path("settings/", setup.billing_settings, name="settings"),
    path("invoices/", invoices.invoice_list, name="invoices"),
    path("invoices/new/", invoices.invoice_create, name="invoice_create"),
    path("invoices/<int:invoice_id>/", invoices.invoice_detail, name="invoice_detail"),
    path("invoices/<int:invoice_id>/invoice.pdf", invoices.invoice_pdf_view, name="invoice_pdf"),
    path("invoices/<int:invoice_id>/void/", invoices.invoice_void, name="invoice_void"),
    path("subscriptions/", invoices.subscription_list, name="subscriptions"),
    path("subscriptions/new/", invoices.subscription_create, name="subscription_create"),
    path(
        "subscriptions/<int:subscription_id>/status/",
        invoices.subscription_status,
        name="subscription_status",
    ),
    path("revenue/", reports.revenue, name="revenue"),
    path("revenue.csv", reports.revenue_csv, name="revenue_csv"),
    path("platform/", reports.platform_invoice_list, name="platform_invoices"),
    path(
        "platform/<int:platforminvoice_id>/invoice.pdf",
        reports.platform_invoice_pdf_view,
        name="platform_invoice_pdf",
    ),
    # Processors call these (tenant from the URL; see views/hooks.py)
    *hook_urlpatterns,
    # The payer's pages (the unguessable public id is the capability)
    path("public/<str:public_id>/", public.payment_page, name="public_payment"),
    path("public/<str:public_id>/status/", public.payment_status, name="public_status"),
    path("public/<str:public_id>/check/", public.payment_check, name="public_check"),
    path("public/<str:public_id>/return/", public.payment_return, name="public_return"),
    path("public/<str:public_id>/receipt.pdf", public.payment_receipt, name="public_receipt"),
]
