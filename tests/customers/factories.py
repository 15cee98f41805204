from datetime import timedelta

import factory
from django.utils import timezone

from customers.models import (
    Customer,
    CustomerDevice,
    CustomerEvent,
    PppoeAccount,
    RouterUsageDaily,
    Tag,
    UsageDaily,
    UsageSession,
)
from tests.accounts.factories import OrganizationFactory


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"tag-{n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Customer {n}")
    # Valid Ghanaian mobile numbers, unique per sequence.
    phone = factory.Sequence(lambda n: f"+23324{n:07d}")
    email = factory.Sequence(lambda n: f"customer{n}@example.test")
    customer_type = Customer.Type.HOTSPOT
    status = Customer.Status.ACTIVE

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.add(*extracted)


class CustomerDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerDevice

    customer = factory.SubFactory(CustomerFactory)
    organization = factory.SelfAttribute("customer.organization")
    mac_address = factory.Sequence(
        lambda n: ":".join(f"{(n >> (8 * i)) & 0xFF:02X}" for i in range(5, -1, -1))
    )


class CustomerEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerEvent

    customer = factory.SubFactory(CustomerFactory)
    organization = factory.SelfAttribute("customer.organization")
    kind = CustomerEvent.Kind.CREATED
    message = "Customer created"


class PppoeAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PppoeAccount

    customer = factory.SubFactory(CustomerFactory, customer_type=Customer.Type.PPPOE)
    organization = factory.SelfAttribute("customer.organization")
    router = None
    username = factory.Sequence(lambda n: f"pppoe-user{n}")
    password = "Secret-pass-1"
    profile = "default"


class UsageSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsageSession

    customer = factory.SubFactory(CustomerFactory)
    organization = factory.SelfAttribute("customer.organization")
    router = None
    kind = UsageSession.Kind.HOTSPOT
    username = factory.Sequence(lambda n: f"NET-{n:04d}")
    mac_address = "02:00:00:00:00:09"
    router_session_id = factory.Sequence(lambda n: f"*{n + 1:X}")
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    last_seen_at = factory.LazyFunction(timezone.now)
    ended_at = factory.LazyFunction(timezone.now)
    end_reason = UsageSession.EndReason.VANISHED
    uptime_seconds = 3600
    bytes_in = 1_000_000
    bytes_out = 9_000_000


class UsageDailyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsageDaily

    customer = factory.SubFactory(CustomerFactory)
    organization = factory.SelfAttribute("customer.organization")
    day = factory.LazyFunction(lambda: timezone.now().date())
    bytes_in = 1_000_000
    bytes_out = 9_000_000
    seconds = 3600
    sessions = 1


class RouterUsageDailyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RouterUsageDaily

    day = factory.LazyFunction(lambda: timezone.now().date())
    bytes_in = 1_000_000
    bytes_out = 9_000_000
    seconds = 3600
    sessions = 1
