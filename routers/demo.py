"""Demo routers for the demo organisation, pointing at the simulated fleet that
``make run`` starts (routers/devstack.py), plus a week of history so the
charts are not empty on first look. Idempotent."""

import math
import random
from datetime import timedelta

from django.utils import timezone

from routers.models import Router, RouterEvent, RouterStatusSample

DEMO_BASE_PORT = 18728
DEMO_USERNAME = "nettportal"
DEMO_PASSWORD = "demo-Router-Pass-1"  # noqa: S105 - the local simulator's demo login
DEMO_FLEET = [
    ("Accra Mall Hotspot", "Accra"),
    ("Legon Campus", "Accra"),
    ("Kumasi Café", "Kumasi"),
    ("Tema Warehouse", "Tema"),  # black-holed by the simulator: shows as offline
]


def seed(organization, stdout) -> None:
    rng = random.Random(7)  # noqa: S311 - made-up demo history
    for index, (name, site) in enumerate(DEMO_FLEET):
        router, created = Router.objects.update_or_create(
            organization=organization,
            name=name,
            defaults={
                "host": "127.0.0.1",
                "api_port": DEMO_BASE_PORT + index,
                "username": DEMO_USERNAME,
                "password": DEMO_PASSWORD,
                "site": site,
                "is_enabled": True,
            },
        )
        if created or not RouterStatusSample.objects.filter(router=router).exists():
            _history(router, rng, broken=index == len(DEMO_FLEET) - 1)
    stdout.write(f"Demo routers: {len(DEMO_FLEET)} (simulated on 127.0.0.1:{DEMO_BASE_PORT}+)")


def _history(router: Router, rng: random.Random, *, broken: bool) -> None:
    now = timezone.now()
    step = timedelta(minutes=15)
    samples = []
    for index in range(7 * 96, 0, -1):
        taken_at = now - index * step
        hour = (taken_at.hour + taken_at.minute / 60) % 24
        busy = max(0.05, math.sin((hour - 6) / 24 * 2 * math.pi))  # evenings are busy
        down = broken and index < 6
        users = int(busy * 18 + rng.randrange(0, 4))
        samples.append(
            RouterStatusSample(
                organization_id=router.organization_id,
                router=router,
                taken_at=taken_at,
                is_reachable=not down,
                cpu_load=None if down else min(100, int(4 + busy * 30 + rng.randrange(0, 8))),
                memory_used_percent=None if down else int(35 + busy * 15 + rng.randrange(0, 5)),
                uptime_seconds=None if down else 86400 * 9 + (7 * 96 - index) * 900,
                hotspot_sessions=0 if down else users,
                ppp_sessions=0 if down else 3,
                rx_bytes=None if down else int(busy * 6e8 * rng.uniform(0.7, 1.3)),
                tx_bytes=None if down else int(busy * 9e7 * rng.uniform(0.7, 1.3)),
                interval_seconds=None if down else 900,
            )
        )
    RouterStatusSample.objects.bulk_create(samples)
    if broken:
        RouterEvent.objects.create(
            organization_id=router.organization_id,
            router=router,
            kind=RouterEvent.Kind.OFFLINE,
            created_at=now - 6 * step,
            message="The router stopped answering (demo).",
        )
