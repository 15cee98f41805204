"""Billing rows for the isolation walk (every billing model gets at least one)."""

import datetime as dt
from decimal import Decimal

from billing.models import (
    BillingSettings,
    CreditEntry,
    DocumentCounter,
    Fulfilment,
    PaymentEvent,
)
from tests.billing.factories import (
    InvoiceFactory,
    PaymentFactory,
    PlatformInvoiceFactory,
    ProcessorAccountFactory,
    SubscriptionFactory,
)


def build(world):
    from tests.customers.factories import CustomerFactory

    org = world.organization
    marker = world.marker
    seq = sum(ord(ch) for ch in marker)
    customer = world.add(
        CustomerFactory(
            organization=org,
            name=f"Billing customer {marker}",
            phone=f"+2332442{seq:05d}",
            customer_type="pppoe",
        )
    )
    account = world.add(ProcessorAccountFactory(organization=org, last_test_message=marker))
    paystack = world.add(
        ProcessorAccountFactory(organization=org, kind="paystack", last_test_message=marker)
    )
    payment = world.add(
        PaymentFactory(
            organization=org,
            processor_account=account,
            customer=customer,
            purpose="topup",
            purpose_label=f"Top-up {marker}",
            status="paid",
            paid_at=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC),
            processor_receipt=f"R{marker}"[:20],
            receipt_number="R-000001",
            note=marker,
        )
    )
    pending = world.add(
        PaymentFactory(
            organization=org,
            processor_account=paystack,
            processor="paystack",
            currency="NGN",
            purpose_label=f"Pending {marker}",
            status="needs_review",
            review_reason=marker,
        )
    )
    world.add(
        PaymentEvent.objects.create(
            organization=org, payment=payment, kind="callback", message=marker
        ),
        Fulfilment.objects.create(
            organization=org, payment=payment, purpose="topup", status="failed", last_error=marker
        ),
        CreditEntry.objects.create(
            organization=org,
            customer=customer,
            amount=Decimal("50"),
            currency="KES",
            payment=payment,
            description=marker,
        ),
        DocumentCounter.objects.create(organization=org, kind="receipt", value=1),
        BillingSettings.objects.create(organization=org, receipt_note=marker),
    )
    subscription = world.add(
        SubscriptionFactory(organization=org, customer=customer, description=f"Plan {marker}")
    )
    invoice = world.add(
        InvoiceFactory(
            organization=org,
            customer=customer,
            subscription=subscription,
            description=f"Invoice {marker}",
            period_start=dt.date(2026, 3, 1),
        )
    )
    world.add(PlatformInvoiceFactory(organization=org, plan_name=marker))
    world.post_data.update(
        {
            "processor": "cash",
            "method": "cash",  # the API's name for it (POST /api/v1/payments/manual/)
            "amount": "1500",
            "currency": "KES",
            "reference": "HIJACK-REF-1",
            "customer": customer.pk,
            "invoice": invoice.pk,
            "outcome": "paid",
            "note": "hijack",
            "receipt": "HIJACKED01",
            "status": "cancelled",
            "description": "hijack",
            "billing_day": "5",
            "starts_on": "2026-01-01",
            "shortcode": "600000",
            "consumer_key": "hijack",
            "secret_key": "sk_test_hijack",
            "invoice_due_days": "9",
            "grace_days": "9",
            "reminder_days_before_due": "1",
        }
    )
    del pending
