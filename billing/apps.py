"""Billing: payments, payment-processor adapters (one module each), invoices, receipts and platform fees."""

from django.apps import AppConfig


def register_builtin_purposes():
    """Billing sells two things itself: paying an invoice, and account credit."""
    from billing import fulfilment
    from billing.services.invoices import fulfil_invoice, fulfil_topup

    fulfilment.register("invoice", fulfil_invoice, label="Invoice payment")
    fulfilment.register("topup", fulfil_topup, label="Account credit")


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Payments"

    def ready(self):
        from billing.purposes import register_other_apps_purposes

        register_builtin_purposes()
        register_other_apps_purposes()
