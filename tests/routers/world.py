from django.utils import timezone

from routers.models import (
    ActiveSession,
    InterfaceTrafficSample,
    Router,
    RouterEvent,
    RouterInterface,
    RouterStatusSample,
)


def build(world):
    org, marker = world.organization, world.marker
    now = timezone.now()
    router = Router.objects.create(
        organization=org,
        name=f"Router {marker}",
        host=f"{marker.lower()}.example.test",
        api_port=8728,
        username=f"api-{marker}",
        password=f"pw-{marker}",
        site=f"Site {marker}",
        notes=f"Notes {marker}",
        identity=f"Identity {marker}",
        status=Router.Status.ONLINE,
        last_seen_at=now,
        hotspot_sessions_count=1,
    )
    interface = RouterInterface.objects.create(
        organization=org, router=router, name=f"ether-{marker}", type="ether", changed_at=now
    )
    world.add(
        router,
        interface,
        RouterStatusSample.objects.create(
            organization=org, router=router, taken_at=now, is_reachable=True, cpu_load=5
        ),
        InterfaceTrafficSample.objects.create(
            organization=org,
            router=router,
            interface=interface,
            taken_at=now,
            rx_bytes=1,
            tx_bytes=1,
            interval_seconds=60,
        ),
        ActiveSession.objects.create(
            organization=org,
            router=router,
            kind=ActiveSession.Kind.HOTSPOT,
            router_item_id="*1",
            username=f"user-{marker}",
            address="10.5.50.2",
            mac_address="02:00:00:00:00:01",
            seen_at=now,
        ),
        RouterEvent.objects.create(
            organization=org,
            router=router,
            kind=RouterEvent.Kind.OFFLINE,
            message=f"Event {marker}",
            created_at=now,
        ),
    )
    # Connection fields the router forms accept; port 1 on loopback refuses at once.
    world.post_data.update(
        {
            "host": "127.0.0.1",
            "api_port": "1",
            "username": "hijack",
            "password": "hijack-pw",
            "site": "",
            "action": "save",
            "q": "",
            "kind": "",
        }
    )
