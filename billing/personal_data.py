"""Personal-data classification of billing (see privacy/registry.py).

Payments, invoices and what proves them are transaction records the law makes
us keep: on erasure they are pseudonymised (personal fields cleared, amounts and
dates kept) rather than deleted. ``extra["customer_field"]`` says how to find
one customer's rows, as in customers/personal_data.py.
"""

from privacy.registry import register

register(
    "billing.Payment",
    category="payments",
    personal_fields=("payer_phone", "payer_email", "note", "customer"),
    erasure="keep_for_law",
    notes="Transaction records kept for the legal period; payer phone/email cleared on erasure. "
    "Stored processor payloads (PaymentEvent) have names, emails and card data removed and "
    "phones masked before saving.",
    extra={"customer_field": "customer"},
)
register(
    "billing.PaymentEvent",
    category="payments",
    personal_fields=("actor",),
    erasure="keep_for_law",
    notes="Audit trail of each payment; payloads are minimised before they are stored.",
    extra={"customer_field": "payment__customer"},
)
register(
    "billing.Fulfilment",
    category="payments",
    erasure="keep_for_law",
    notes="What a payment delivered (e.g. which voucher).",
    extra={"customer_field": "payment__customer"},
)
register(
    "billing.CreditEntry",
    category="payments",
    erasure="keep_for_law",
    notes="Customer account credit ledger (money).",
    extra={"customer_field": "customer"},
)
register(
    "billing.Invoice",
    category="invoices",
    erasure="keep_for_law",
    notes="Invoices to customers are kept for the legal period; they hold no personal "
    "values themselves (the customer row is pseudonymised).",
    extra={"customer_field": "customer"},
)
register(
    "billing.Subscription",
    category="invoices",
    notes="A customer's monthly plan.",
    extra={"customer_field": "customer"},
)
register(
    "billing.ProcessorAccount",
    category="payment_settings",
    secret_fields=("secrets", "callback_token"),
    notes="Processor credentials, encrypted at rest; never exported or shown.",
    extra={"customer_field": None},
)
register(
    "billing.BillingSettings",
    category="payment_settings",
    extra={"customer_field": None},
)
register(
    "billing.DocumentCounter",
    category="payment_settings",
    export=False,
    notes="Running numbers for receipts and invoices.",
    extra={"customer_field": None},
)
register(
    "billing.PlatformFeePlan",
    category="platform_fees",
    export=False,
    erasure="keep_for_law",
    notes="NettPortal's price list; not organisation data.",
    extra={"customer_field": None},
)
register(
    "billing.PlatformInvoice",
    category="platform_fees",
    personal_fields=("marked_paid_by",),
    erasure="keep_for_law",
    notes="NettPortal's invoices to the organisation (our own accounting records).",
    extra={"customer_field": None},
)
