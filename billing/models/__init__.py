from billing.models.invoices import BillingSettings, Invoice, Subscription
from billing.models.payments import CreditEntry, DocumentCounter, Fulfilment, Payment, PaymentEvent
from billing.models.platform import PlatformFeePlan, PlatformInvoice
from billing.models.processors import ProcessorAccount

__all__ = [
    "BillingSettings",
    "CreditEntry",
    "DocumentCounter",
    "Fulfilment",
    "Invoice",
    "Payment",
    "PaymentEvent",
    "PlatformFeePlan",
    "PlatformInvoice",
    "ProcessorAccount",
    "Subscription",
]
