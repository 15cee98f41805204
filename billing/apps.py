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

        from django.db.models.signals import post_delete, post_save

        from billing.models import ProcessorAccount

        # Any change to a processor account (services, admin, a cascade) makes every
        # process read the accounts afresh for callbacks.
        post_save.connect(_account_changed, sender=ProcessorAccount, dispatch_uid="np-acct-save")
        post_delete.connect(
            _account_changed, sender=ProcessorAccount, dispatch_uid="np-acct-delete"
        )


def _account_changed(sender, **kwargs):
    from billing.selectors import processor_accounts_changed

    processor_accounts_changed()
