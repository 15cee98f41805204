"""Demo packages and vouchers for the demo organisation. Idempotent.

Packages are offered on every demo router (the simulated fleet), one printed
batch is ready to try on the landing page, and a few vouchers were sold over
the last week so the sales widget has something to show.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from vouchers.models import Package, Voucher, VoucherBatch
from vouchers.services import package_create, voucher_batch_create, voucher_batch_generate

DEMO_PACKAGES = [
    # name, price, validity, time limit, data, rate, devices, landing page, stacking
    ("1 Hour", "2.00", timedelta(hours=1), timedelta(hours=1), None, "1M/2M", 1, True, True),
    ("1 Day", "5.00", timedelta(days=1), None, 2 * 10**9, "2M/5M", 1, True, False),
    ("7 Days", "25.00", timedelta(days=7), None, 10 * 10**9, "2M/5M", 2, True, False),
    ("30 Days", "80.00", timedelta(days=30), None, None, "4M/8M", 3, False, False),
    ("1 GB Data", "6.00", None, None, 10**9, "", 1, True, True),
]


def seed(organization, stdout) -> None:
    created = 0
    for name, price, validity, time_limit, data, rate, devices, landing, stacking in DEMO_PACKAGES:
        if Package.objects.filter(name=name).exists():
            continue
        package_create(
            organization=organization,
            actor=None,
            name=name,
            price=Decimal(price),
            validity=validity,
            time_limit=time_limit,
            data_limit_bytes=data,
            rate_limit=rate,
            shared_users=devices,
            sold_on_landing_page=landing,
            allows_stacking=stacking,
        )
        created += 1
    day = Package.objects.get(name="1 Day")
    if not VoucherBatch.objects.exists():
        batch = voucher_batch_create(
            organization=organization,
            actor=None,
            package=day,
            quantity=60,
            prefix="NET",
            note="Demo batch for the shop counter",
            enqueue=False,
        )
        voucher_batch_generate(batch_id=batch.pk)
        _demo_sales(batch)
    stdout.write(f"Demo packages: {Package.objects.count()} ({created} new); vouchers ready.")


def _demo_sales(batch) -> None:
    """Mark a few vouchers as sold over the last week (history for the widget)."""
    now = timezone.now()
    vouchers = list(Voucher.objects.filter(batch=batch).order_by("pk")[:18])
    for index, voucher in enumerate(vouchers):
        sold = now - timedelta(days=index % 7, hours=index % 5)
        Voucher.objects.filter(pk=voucher.pk).update(
            status=Voucher.Status.EXPIRED if index % 7 else Voucher.Status.ACTIVE,
            sold_at=sold,
            redeemed_at=sold,
            first_login_at=sold,
            expires_at=sold + timedelta(days=1),
            finished_at=None if index % 7 == 0 else sold + timedelta(days=1),
            sold_price=batch.package.price,
            currency=batch.organization.currency,
        )
