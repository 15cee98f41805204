"""Staff admin pages, demo data, the beat schedule, and the selectors other apps use."""

from datetime import timedelta
from io import StringIO

import pytest
from django.urls import reverse

from accounts.tenancy import all_tenants
from nettportal.schedule import beat_schedule
from tests.accounts.factories import UserFactory
from tests.vouchers.factories import PackageFactory, VoucherBatchFactory, VoucherFactory
from vouchers import demo, selectors
from vouchers.models import (
    BatchPush,
    Package,
    PackageRouterSync,
    Voucher,
    VoucherBatch,
    VoucherEvent,
    VoucherSettings,
)
from vouchers.services import vouchers_observe_poll


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_lists_and_searches_every_model(staff_client, org_a, package_a, in_tenant):
    with in_tenant(org_a):
        batch = VoucherBatchFactory(organization=org_a, package=package_a)
        voucher = VoucherFactory(organization=org_a, package=package_a, batch=batch)
        VoucherEvent.objects.create(organization=org_a, voucher=voucher, kind="revoked")
    for model in (
        Package,
        PackageRouterSync,
        VoucherBatch,
        Voucher,
        VoucherEvent,
        BatchPush,
        VoucherSettings,
    ):
        url = reverse(f"admin:vouchers_{model._meta.model_name}_changelist")
        assert staff_client.get(url, {"q": "x"}).status_code == 200, url
    response = staff_client.get(reverse("admin:vouchers_voucher_changelist"), {"q": voucher.code})
    assert voucher.code in response.content.decode()
    change = reverse("admin:vouchers_voucher_change", args=[voucher.pk])
    assert staff_client.get(change).status_code == 200


def test_demo_data_is_idempotent(org_a, in_tenant):
    with in_tenant(org_a):
        demo.seed(org_a, StringIO())
        demo.seed(org_a, StringIO())
        assert Package.objects.count() == len(demo.DEMO_PACKAGES)
        assert VoucherBatch.objects.count() == 1
        assert Voucher.objects.filter(sold_at__isnull=False).count() == 18
        assert selectors.sales_summary(organization=org_a).count >= 1


def test_beat_schedule_has_expiry_and_reconciliation():
    schedule = beat_schedule()
    assert schedule["vouchers-expire"]["task"] == "vouchers.tasks.expire_vouchers_task"
    assert schedule["vouchers-expire"]["schedule"] <= 60
    assert schedule["vouchers-reconcile"]["task"] == "vouchers.tasks.reconcile_routers_task"


def test_packages_for_sale_on_a_router(org_a, router_a, sim_router, in_tenant):
    other = sim_router(org_a, name="Kumasi")
    with in_tenant(org_a):
        everywhere = PackageFactory(organization=org_a, name="Day", sold_on_landing_page=True)
        only_other = PackageFactory(
            organization=org_a, name="Week", sold_on_landing_page=True, on_all_routers=False
        )
        only_other.routers.set([other])
        PackageFactory(organization=org_a, name="Staff only")
        PackageFactory(organization=org_a, name="Old", sold_on_landing_page=True, is_active=False)
        assert list(selectors.packages_for_sale(router=router_a)) == [everywhere]
        assert set(selectors.packages_for_sale(router=other)) == {everywhere, only_other}


def test_the_polling_hook_never_raises(org_a, router_a, in_tenant):
    with in_tenant(org_a):
        assert vouchers_observe_poll(router=router_a, hotspot_sessions=[object()]) is None


def test_sales_are_counted_in_the_organisations_day(org_a, package_a, in_tenant):
    from datetime import datetime
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    org_a.time_zone = "Africa/Nairobi"  # UTC+3
    org_a.save()
    now = datetime(2026, 3, 10, 1, 0, tzinfo=ZoneInfo("Africa/Nairobi"))  # 22:00 UTC on the 9th
    with in_tenant(org_a):
        VoucherFactory(
            organization=org_a,
            package=package_a,
            status="active",
            sold_at=now - timedelta(minutes=30),
            sold_price=Decimal("5"),
            currency="GHS",
        )
        VoucherFactory(
            organization=org_a,
            package=package_a,
            status="active",
            sold_at=now - timedelta(hours=2),
            sold_price=Decimal("7"),
            currency="GHS",
        )
        sales = selectors.sales_summary(organization=org_a, now=now)
    assert sales.count == 1 and sales.totals == {"GHS": Decimal("5.00")}
    assert [amount for _day, amount in sales.days][-2:] == [Decimal("7.00"), Decimal("5.00")]


def test_cards_print_with_the_organisations_logo(
    client_a, org_a, package_a, in_tenant, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    image = tmp_path / "logo.png"
    Image.new("RGB", (120, 60), (11, 110, 105)).save(image)
    response = client_a.post(
        reverse("vouchers:settings"),
        {
            "qr_url_template": "",
            "card_footer": "Help 024",
            "code_prefix": "",
            "code_length": "8",
            "group_size": "4",
            "alphabet": "mixed",
            "logo": SimpleUploadedFile("logo.png", image.read_bytes(), content_type="image/png"),
        },
    )
    assert response.status_code == 302
    with in_tenant(org_a):
        assert VoucherSettings.objects.get().logo
        batch = VoucherBatchFactory(organization=org_a, package=package_a)
        VoucherFactory(organization=org_a, package=package_a, batch=batch)
    pdf = b"".join(
        client_a.get(
            reverse("vouchers:batch_pdf", args=[batch.pk]), {"paper": "a4", "show_qr": "on"}
        ).streaming_content
    )
    assert pdf.startswith(b"%PDF") and b"/Subtype /Image" in pdf


def test_unscoped_counts_stay_within_each_tenant(org_a, org_b, package_a, package_b, in_tenant):
    with in_tenant(org_a):
        VoucherFactory(organization=org_a, package=package_a)
    with in_tenant(org_b):
        assert selectors.status_counts(Voucher.objects.all())["total"] == 0
    with all_tenants():
        assert Voucher.objects.count() == 1
