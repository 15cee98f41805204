"""Demo data for billing: processor accounts wired to the local fakes, a fee plan,
a month of paid payments for the revenue charts, and a PPPoE subscription."""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from billing.devstack import FAKE_PAYSTACK_KEY
from billing.models import Payment, PlatformFeePlan, ProcessorAccount, Subscription
from billing.models.payments import new_reference
from billing.services.processors import processor_account_save

PACKAGES = [("1 hour", Decimal("5")), ("1 day", Decimal("20")), ("1 week", Decimal("100"))]
ROUTERS = ["Main street AP", "Market hotspot", "Campus hall"]


def seed(organization, stdout) -> None:
    if not ProcessorAccount.objects.exists():
        processor_account_save(
            organization=organization,
            kind=ProcessorAccount.Kind.MPESA,
            fields={"environment": "sandbox", "shortcode": "174379", "is_enabled": True},
            secrets={
                "consumer_key": "fake-consumer-key",
                "consumer_secret": "fake-consumer-secret",
                "passkey": "fake-passkey",
            },
        )
        processor_account_save(
            organization=organization,
            kind=ProcessorAccount.Kind.PAYSTACK,
            fields={"environment": "sandbox", "is_enabled": True},
            secrets={"secret_key": FAKE_PAYSTACK_KEY},
        )
    if not PlatformFeePlan.objects.exists():
        PlatformFeePlan.objects.create(
            name="Starter",
            flat_monthly_fee=Decimal("10"),
            flat_fee_currency=organization.currency,
            percent_of_volume=Decimal("1.50"),
            is_default=True,
        )
    if not Payment.objects.exists():
        _payments(organization)
    from customers.models import Customer

    pppoe = Customer.objects.filter(customer_type=Customer.Type.PPPOE).first()
    if pppoe is not None and not Subscription.objects.exists():
        Subscription.objects.create(
            organization=organization,
            customer=pppoe,
            description="Home 10 Mbps",
            amount=Decimal("150"),
            currency=organization.currency,
            billing_day=1,
            starts_on=timezone.localdate().replace(day=1),
        )
    stdout.write("  billing: M-Pesa and Paystack accounts (fakes), demo payments")


def _payments(organization) -> None:
    rng = random.Random(7)  # noqa: S311 - the same demo data every time, not a secret
    now = timezone.now()
    rows = []
    for day in range(30):
        for _ in range(rng.randint(2, 9)):
            label, price = rng.choice(PACKAGES)
            paid_at = now - dt.timedelta(days=day, minutes=rng.randint(0, 600))
            processor = rng.choice(["mpesa", "mpesa", "paystack", "cash"])
            rows.append(
                Payment(
                    organization=organization,
                    reference=new_reference(),
                    processor=processor,
                    amount=price,
                    currency=organization.currency,
                    status=Payment.Status.PAID,
                    purpose="package",
                    purpose_label=label,
                    router_label=rng.choice(ROUTERS),
                    processor_receipt=f"DEMO{len(rows):06d}",
                    receipt_number=f"R-{len(rows) + 1:06d}",
                    paid_at=paid_at,
                )
            )
    Payment.objects.bulk_create(rows)
    from billing.models import DocumentCounter

    DocumentCounter.objects.update_or_create(
        organization=organization, kind="receipt", defaults={"value": len(rows)}
    )
