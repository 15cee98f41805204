import datetime as dt
from decimal import Decimal

import factory

from billing.models import (
    Invoice,
    Payment,
    PlatformFeePlan,
    PlatformInvoice,
    ProcessorAccount,
    Subscription,
)
from tests.accounts.factories import OrganizationFactory
from tests.customers.factories import CustomerFactory


class ProcessorAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessorAccount
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    kind = ProcessorAccount.Kind.MPESA
    shortcode = "174379"

    @factory.post_generation
    def secret_values(obj, create, extracted, **kwargs):
        values = extracted or (
            {
                "consumer_key": "fake-consumer-key",
                "consumer_secret": "fake-consumer-secret",
                "passkey": "fake-passkey",
            }
            if obj.kind == ProcessorAccount.Kind.MPESA
            else {"secret_key": "sk_test_fake0000000000000000000000000000"}
        )
        obj.set_secrets(values)
        if create:
            obj.save()


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    organization = factory.SubFactory(OrganizationFactory)
    processor = Payment.Processor.MPESA
    amount = Decimal("50.00")
    currency = "KES"
    status = Payment.Status.PENDING
    purpose_label = "1 day"


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    organization = factory.SubFactory(OrganizationFactory)
    customer = factory.SubFactory(
        CustomerFactory,
        organization=factory.SelfAttribute("..organization"),
        customer_type="pppoe",
    )
    description = "Home 10 Mbps"
    amount = Decimal("1500.00")
    currency = "KES"
    billing_day = 1
    starts_on = dt.date(2026, 1, 1)


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    organization = factory.SubFactory(OrganizationFactory)
    number = factory.Sequence(lambda n: f"INV-{900000 + n:06d}")
    description = "Home 10 Mbps"
    issued_on = dt.date(2026, 3, 1)
    due_on = dt.date(2026, 3, 8)
    amount = Decimal("1500.00")
    currency = "KES"


class PlatformFeePlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlatformFeePlan

    name = factory.Sequence(lambda n: f"Plan {n}")
    flat_monthly_fee = Decimal("20.00")
    flat_fee_currency = "USD"
    percent_of_volume = Decimal("2.00")


class PlatformInvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlatformInvoice

    organization = factory.SubFactory(OrganizationFactory)
    number = factory.Sequence(lambda n: f"NP-TEST-{n:05d}")
    period_start = dt.date(2026, 2, 1)
    period_end = dt.date(2026, 2, 28)
    currency = "KES"
    plan_name = "Plan"
    total = Decimal("100.00")
    due_on = dt.date(2026, 3, 15)
