"""Demo customers for the demo organisation: hotspot and PPPoE customers with
tags, devices and a month of usage, so every page has something to show.

PPPoE accounts use the names the simulated demo routers already have
(``pppoe001``…), so live polling links their sessions to these customers; the
accounts start "waiting to sync" and the retry job puts them on the routers.
Idempotent: a second run adds nothing.
"""

import random
from collections import defaultdict
from datetime import timedelta

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

FIRST = [
    "Ama",
    "Kofi",
    "Kwame",
    "Akosua",
    "Yaw",
    "Abena",
    "Kwabena",
    "Esi",
    "Kojo",
    "Efua",
    "Adwoa",
    "Kwaku",
    "Afia",
    "Kwesi",
    "Akua",
    "Yaa",
    "Nana",
    "Selorm",
    "Elikem",
    "Dzifa",
]
LAST = [
    "Mensah",
    "Boateng",
    "Owusu",
    "Asante",
    "Osei",
    "Ofori",
    "Appiah",
    "Addo",
    "Agyeman",
    "Darko",
    "Adjei",
    "Amoah",
    "Quaye",
    "Tetteh",
    "Lartey",
    "Nkansah",
]
TAGS = ["vip", "campus", "estate-7", "business", "unpaid"]
CUSTOMERS = 60
PPPOE = 8


def seed(organization, stdout) -> None:
    if Customer.objects.exists():
        stdout.write("Demo customers: already there")
        return
    rng = random.Random(11)  # noqa: S311 - made-up demo data
    now = timezone.now()
    tags = {name: Tag.objects.create(organization=organization, name=name) for name in TAGS}
    from routers.models import Router

    routers = list(Router.objects.order_by("pk")[:2])
    customers = []
    for index in range(CUSTOMERS):
        first, last = FIRST[index % len(FIRST)], LAST[(index * 7) % len(LAST)]
        is_pppoe = index < PPPOE and bool(routers)
        status = "suspended" if index in (5, 23) else "closed" if index == 41 else "active"
        consent = index % 3 == 0
        customers.append(
            Customer(
                organization=organization,
                name=f"{first} {last}",
                phone=f"+23324{4100000 + index * 37:07d}",
                email=f"{first}.{last}{index}@example.com".lower() if index % 2 == 0 else "",
                customer_type=Customer.Type.PPPOE if is_pppoe else Customer.Type.HOTSPOT,
                status=status,
                address=f"House {index + 3}, Osu, Accra" if is_pppoe else "",
                marketing_consent=consent,
                marketing_consent_at=now if consent else None,
                source=Customer.Source.PORTAL if index % 4 == 1 else Customer.Source.DASHBOARD,
                created_at=now - timedelta(days=rng.randrange(1, 300)),
            )
        )
    customers = Customer.objects.bulk_create(customers)
    through = Customer.tags.through
    through.objects.bulk_create(
        [
            through(customer_id=customer.pk, tag_id=tags[rng.choice(TAGS)].pk)
            for customer in customers
            if rng.random() < 0.5
        ]
    )
    CustomerEvent.objects.bulk_create(
        [
            CustomerEvent(
                organization=organization,
                customer=customer,
                kind=CustomerEvent.Kind.CREATED,
                message="Customer created",
                at=customer.created_at,
            )
            for customer in customers
        ]
    )
    for index, customer in enumerate(customers[:PPPOE]):
        if customer.customer_type != Customer.Type.PPPOE:
            continue
        PppoeAccount.objects.create(
            organization=organization,
            customer=customer,
            router=routers[(index * len(routers)) // PPPOE],
            username=f"pppoe{index + 1:03d}",
            password=f"Demo-ppp-{index:02d}",
            profile="default",
            rate_limit="5M/10M",
            is_enabled=customer.status == Customer.Status.ACTIVE,
        )
    devices = []
    for index, customer in enumerate(customers):
        if index % 3 != 2:
            devices.append(
                CustomerDevice(
                    organization=organization,
                    customer=customer,
                    mac_address=":".join(f"{rng.randrange(256):02X}" for _ in range(6)),
                    label=rng.choice(["Phone", "Laptop", "Tablet", ""]),
                    last_ip=f"10.5.50.{index + 2}",
                    first_seen_at=now - timedelta(days=40),
                    last_seen_at=now - timedelta(hours=rng.randrange(1, 72)),
                )
            )
    CustomerDevice.objects.bulk_create(devices)
    _usage(organization, customers, routers, rng, now)
    stdout.write(f"Demo customers: {len(customers)} ({PPPOE} PPPoE) with a month of usage")


def _usage(organization, customers, routers, rng, now) -> None:
    if not routers:
        return
    sessions = []
    per_customer_day = defaultdict(lambda: [0, 0, 0, 0])
    per_router_day = defaultdict(lambda: [0, 0, 0, 0])
    usernames = dict(PppoeAccount.objects.values_list("customer_id", "username"))
    for customer in customers[:30]:
        router = rng.choice(routers)
        for day in range(30):
            if rng.random() < 0.45:
                continue
            start = now - timedelta(days=day, hours=rng.randrange(0, 12), minutes=rng.randrange(60))
            seconds = rng.randrange(600, 4 * 3600)
            down = rng.randrange(20, 900) * 1024 * 1024
            up = down // rng.randrange(4, 9)
            sessions.append(
                UsageSession(
                    organization=organization,
                    router=router,
                    customer=customer,
                    kind=UsageSession.Kind.PPPOE
                    if customer.customer_type == Customer.Type.PPPOE
                    else UsageSession.Kind.HOTSPOT,
                    username=usernames.get(customer.pk)
                    or f"NET-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
                    mac_address="02:00:00:00:00:01",
                    ip_address="10.5.50.9",
                    router_session_id=f"*{rng.randrange(1, 4096):X}",
                    started_at=start,
                    last_seen_at=start + timedelta(seconds=seconds),
                    ended_at=start + timedelta(seconds=seconds),
                    end_reason=UsageSession.EndReason.VANISHED,
                    uptime_seconds=seconds,
                    bytes_in=up,
                    bytes_out=down,
                    counter_in=up,
                    counter_out=down,
                )
            )
            for bucket, key in ((per_customer_day, customer.pk), (per_router_day, router.pk)):
                row = bucket[(key, start.date())]
                row[0] += up
                row[1] += down
                row[2] += seconds
                row[3] += 1
    UsageSession.objects.bulk_create(sessions, batch_size=500)
    UsageDaily.objects.bulk_create(
        [
            UsageDaily(
                organization=organization,
                customer_id=key,
                day=day,
                bytes_in=v[0],
                bytes_out=v[1],
                seconds=v[2],
                sessions=v[3],
            )
            for (key, day), v in per_customer_day.items()
        ]
    )
    RouterUsageDaily.objects.bulk_create(
        [
            RouterUsageDaily(
                organization=organization,
                router_id=key,
                day=day,
                bytes_in=v[0],
                bytes_out=v[1],
                seconds=v[2],
                sessions=v[3],
            )
            for (key, day), v in per_router_day.items()
        ]
    )
