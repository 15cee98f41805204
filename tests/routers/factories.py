import factory
from django.utils import timezone

from accounts.tenancy import tenant
from routers.models import ActiveSession, Router, RouterEvent, RouterStatusSample


class TenantFactory(factory.django.DjangoModelFactory):
    """Creates rows with their organisation active, as the tenancy rule wants."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with tenant(kwargs["organization"]):
            return super()._create(model_class, *args, **kwargs)


class RouterFactory(TenantFactory):
    class Meta:
        model = Router

    name = factory.Sequence(lambda n: f"Router {n}")
    host = factory.Sequence(lambda n: f"10.{n // 250 % 250}.{n % 250}.1")
    api_port = 8728
    username = "nettportal"
    password = factory.Sequence(lambda n: f"router-pw-{n}")
    site = "Accra Central"


class ActiveSessionFactory(TenantFactory):
    class Meta:
        model = ActiveSession

    router = factory.SubFactory(RouterFactory, organization=factory.SelfAttribute("..organization"))
    kind = ActiveSession.Kind.HOTSPOT
    router_item_id = factory.Sequence(lambda n: f"*{n + 1:X}")
    username = factory.Sequence(lambda n: f"guest{n:03d}")
    address = factory.Sequence(lambda n: f"10.5.50.{n % 250 + 2}")
    mac_address = "02:00:00:00:00:01"
    uptime_seconds = 600
    bytes_in = 1000
    bytes_out = 9000
    seen_at = factory.LazyFunction(timezone.now)


class RouterEventFactory(TenantFactory):
    class Meta:
        model = RouterEvent

    router = factory.SubFactory(RouterFactory, organization=factory.SelfAttribute("..organization"))
    kind = RouterEvent.Kind.OFFLINE
    message = "Went offline"
    created_at = factory.LazyFunction(timezone.now)


class RouterStatusSampleFactory(TenantFactory):
    class Meta:
        model = RouterStatusSample

    router = factory.SubFactory(RouterFactory, organization=factory.SelfAttribute("..organization"))
    taken_at = factory.LazyFunction(timezone.now)
    is_reachable = True
    cpu_load = 12
    memory_used_percent = 40
    uptime_seconds = 3600
    rx_bytes = 1_000_000
    tx_bytes = 200_000
    interval_seconds = 60
