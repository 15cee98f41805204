from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from vouchers.models import (
    BatchPush,
    Package,
    PackageRouterSync,
    Voucher,
    VoucherBatch,
    VoucherEvent,
    VoucherSettings,
)


def build(world):
    org, marker = world.organization, world.marker
    router = next(obj for obj in world.objects if obj._meta.model_name == "router")
    package = Package.objects.create(
        organization=org,
        name=f"Package {marker}",
        profile_name=f"np-{marker.lower()}",
        description=f"Description {marker}",
        price=Decimal("5.00"),
        validity=timedelta(days=1),
        rate_limit="2M/5M",
    )
    batch = VoucherBatch.objects.create(
        organization=org,
        package=package,
        quantity=2,
        note=f"Note {marker}",
        status=VoucherBatch.Status.READY,
        generated_count=2,
    )
    slug = marker[:4].upper().replace("M", "N")
    unused = Voucher.objects.create(
        organization=org,
        package=package,
        batch=batch,
        code=f"{slug}-2345-6789",
        lookup=f"{slug}23456789",
        pin="1234",
    )
    active = Voucher.objects.create(
        organization=org,
        package=package,
        batch=batch,
        code=f"{slug}-9876-5432",
        lookup=f"{slug}98765432",
        status=Voucher.Status.ACTIVE,
        router=router,
        redeemed_at=timezone.now(),
        first_login_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=1),
        sold_at=timezone.now(),
        sold_price=Decimal("5.00"),
        currency="GHS",
        device_mac="02:00:00:00:00:09",
    )
    world.add(
        package,
        PackageRouterSync.objects.create(
            organization=org,
            package=package,
            router=router,
            state=PackageRouterSync.State.SYNCED,
            last_error=f"Error {marker}",
        ),
        VoucherSettings.objects.create(organization=org, card_footer=f"Footer {marker}"),
        batch,
        unused,
        active,
        BatchPush.objects.create(
            organization=org,
            batch=batch,
            router=router,
            status=BatchPush.Status.DONE,
            last_error=f"Push {marker}",
        ),
        VoucherEvent.objects.create(
            organization=org,
            voucher=active,
            router=router,
            kind=VoucherEvent.Kind.REDEEMED,
            message=f"Event {marker}",
        ),
    )
    # Fields the vouchers forms and API understand, pointing at this world's rows.
    world.post_data.update(
        {
            "package": str(package.pk),
            "batch": str(batch.pk),
            "routers": str(router.pk),
            "router": str(router.pk),
            "voucher_ids": str(unused.pk),
            "code": unused.code,
            "quantity": "5",
            "price": "3",
            "code_length": "8",
            "group_size": "4",
            "alphabet": "mixed",
            "pin_length": "0",
            "shared_users": "1",
            "on_all_routers": "on",
            "paper": "a4",
        }
    )
