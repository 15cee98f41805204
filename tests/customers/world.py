"""Customers rows for the isolation walk (every customers model gets at least one)."""

from customers.models import CustomerImport
from nettportal.jobs import job_create
from tests.customers.factories import (
    CustomerDeviceFactory,
    CustomerEventFactory,
    CustomerFactory,
    PppoeAccountFactory,
    RouterUsageDailyFactory,
    TagFactory,
    UsageDailyFactory,
    UsageSessionFactory,
)
from tests.routers.factories import RouterFactory


def build(world):
    from accounts.roles import Role

    org = world.organization
    marker = world.marker
    seq = sum(ord(ch) for ch in marker)  # distinct phone numbers per world
    tag = world.add(TagFactory(organization=org, name=f"tag-{marker}"))
    customer = world.add(
        CustomerFactory(
            organization=org,
            name=f"Customer {marker}",
            phone=f"+2332440{seq:05d}",
            email=f"customer-{marker.lower()}@example.test",
            notes=marker,
            tags=[tag],
        )
    )
    pppoe_customer = world.add(
        CustomerFactory(
            organization=org,
            name=f"PPPoE {marker}",
            phone=f"+2332441{seq:05d}",
            customer_type="pppoe",
            address=marker,
        )
    )
    world.add(CustomerDeviceFactory(customer=customer, organization=org, label=marker))
    world.add(CustomerEventFactory(customer=customer, organization=org, message=marker))
    router = world.add(RouterFactory(organization=org, name=f"PPPoE router {marker}"))
    world.add(
        PppoeAccountFactory(
            customer=pppoe_customer,
            organization=org,
            router=router,
            username=f"user-{marker.lower()}",
            password=f"pw-{marker}",
            sync_error=marker,
        ),
        UsageSessionFactory(
            customer=customer,
            organization=org,
            router=router,
            username=f"NET-{marker}",
        ),
        UsageDailyFactory(customer=customer, organization=org),
        RouterUsageDailyFactory(organization=org, router=router),
    )
    job = job_create(organization=org, kind="customer_import", title=marker, total=1)
    world.add(
        CustomerImport.objects.create(
            organization=org,
            file_path="",
            file_name=f"{marker}.csv",
            status="validated",
            row_count=1,
            valid_count=1,
            job=job,
            created_by=world.users[Role.OWNER],
        )
    )
    world.post_data.update(
        {
            "ids": [customer.pk, pppoe_customer.pk],
            "action": "suspend",
            "confirmed": "on",
            "tag": "hijack",
            "mode": "valid_rows",
            "mac_address": "AA:BB:CC:00:11:22",
            "phone": "+233244999999",
            "customer_type": "hotspot",
            "router": router.pk,
            "username": "hijacked-user",
            "profile": "default",
        }
    )
