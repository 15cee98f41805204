"""Dashboard pages: permissions, validation messages, empty states, query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import Role
from privacy.models import AccessLog
from tests.vouchers.factories import PackageFactory, VoucherBatchFactory, VoucherFactory
from vouchers.models import Package, Voucher, VoucherBatch


@pytest.fixture
def viewer_client(client, org_a, make_member):
    client.force_login(make_member(org_a, Role.VIEWER))
    return client


def _package_post(**overrides):
    data = {
        "name": "1 Hour",
        "price": "2.50",
        "validity_0": "1",
        "validity_1": "hours",
        "time_limit_0": "",
        "time_limit_1": "hours",
        "data_limit_bytes_0": "1.5",
        "data_limit_bytes_1": "GB",
        "rate_limit": "2M/5M",
        "shared_users": "1",
        "is_active": "on",
        "on_all_routers": "on",
        "sold_on_landing_page": "on",
    }
    data.update(overrides)
    return data


def test_empty_states_guide_the_operator(client_a):
    for name, text in [
        ("vouchers:index", "Create your first package"),
        ("vouchers:packages", "No packages yet"),
        ("vouchers:batches", "No batches yet"),
        ("vouchers:vouchers", "No vouchers yet"),
        ("vouchers:batch_create", "No active package"),
    ]:
        response = client_a.get(reverse(name))
        assert response.status_code == 200
        assert text in response.content.decode()


def test_create_package_through_the_form(client_a, org_a, in_tenant, on_commit):
    with on_commit():
        response = client_a.post(reverse("vouchers:package_create"), _package_post())
    with in_tenant(org_a):
        package = Package.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("vouchers:package_detail", args=[package.pk])
    assert package.price == Decimal("2.50")
    assert package.validity == timedelta(hours=1)
    assert package.time_limit is None
    assert package.data_limit_bytes == 1_500_000_000
    assert package.sold_on_landing_page
    page = client_a.get(response["Location"]).content.decode()
    assert "₵2.50" in page and "1.5 GB" in page and "5 Mbit/s down · 2 Mbit/s up" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"rate_limit": "fast"}, "is not a speed RouterOS understands"),
        ({"price": "-1"}, "greater than or equal to 0"),
        ({"on_all_routers": ""}, "Choose the routers that offer it"),
        ({"validity_0": "0"}, "greater than or equal to 1"),
    ],
)
def test_package_form_errors_are_shown_and_nothing_is_saved(
    client_a, org_a, in_tenant, overrides, message
):
    response = client_a.post(reverse("vouchers:package_create"), _package_post(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    with in_tenant(org_a):
        assert not Package.objects.exists()


def test_duplicate_package_name_is_shown_next_to_the_field(client_a, org_a, package_a):
    response = client_a.post(reverse("vouchers:package_create"), _package_post(name="1 day"))
    assert "already have a package with this name" in response.content.decode()


def test_price_shows_the_organisations_currency(client_a, org_a, in_tenant):
    org_a.currency = "NGN"
    org_a.save()
    with in_tenant(org_a):
        PackageFactory(organization=org_a, name="Night", price=Decimal("500"))
    page = client_a.get(reverse("vouchers:packages")).content.decode()
    assert "₦500" in page


def test_viewer_cannot_create_or_change_and_nothing_changes(
    viewer_client, org_a, package_a, in_tenant
):
    assert viewer_client.get(reverse("vouchers:packages")).status_code == 200
    for url, data in [
        (reverse("vouchers:package_create"), _package_post(name="Sneaky")),
        (reverse("vouchers:package_edit", args=[package_a.pk]), _package_post(name="Sneaky")),
        (reverse("vouchers:package_delete", args=[package_a.pk]), {}),
        (reverse("vouchers:batch_create"), {"package": package_a.pk, "quantity": 5}),
    ]:
        assert viewer_client.post(url, data).status_code == 403
    with in_tenant(org_a):
        assert list(Package.objects.values_list("name", flat=True)) == ["1 Day"]
        assert not VoucherBatch.objects.exists()


def test_generate_a_batch_from_the_dashboard(client_a, org_a, package_a, in_tenant, on_commit):
    with on_commit():
        response = client_a.post(
            reverse("vouchers:batch_create"),
            {
                "package": package_a.pk,
                "quantity": "30",
                "prefix": "net",
                "code_length": "8",
                "group_size": "4",
                "alphabet": "mixed",
                "pin_length": "4",
                "note": "Shop",
            },
        )
    with in_tenant(org_a):
        batch = VoucherBatch.objects.get()
        codes = list(Voucher.objects.filter(batch=batch).values_list("code", flat=True))
    assert response["Location"] == reverse("vouchers:batch_detail", args=[batch.pk])
    assert len(codes) == 30 and all(code.startswith("NET-") for code in codes)
    page = client_a.get(response["Location"]).content.decode()
    assert "Download PDF" in page and "Ready" in page


def test_batch_form_shows_unsafe_format_errors(client_a, org_a, package_a, in_tenant):
    response = client_a.post(
        reverse("vouchers:batch_create"),
        {
            "package": package_a.pk,
            "quantity": "100000",
            "code_length": "6",
            "group_size": "4",
            "alphabet": "mixed",
            "pin_length": "0",
        },
    )
    assert "too few" in response.content.decode()
    with in_tenant(org_a):
        assert not VoucherBatch.objects.exists()


@pytest.fixture
def many_vouchers(org_a, package_a, in_tenant):
    with in_tenant(org_a):
        batch = VoucherBatchFactory(
            organization=org_a, package=package_a, quantity=60, note="Market"
        )
        vouchers = [
            VoucherFactory(organization=org_a, package=package_a, batch=batch, pin="1111")
            for _ in range(60)
        ]
    return batch, vouchers


def test_lists_and_details_use_a_fixed_number_of_queries(
    client_a, many_vouchers, package_a, django_assert_max_num_queries, in_tenant, org_a
):
    batch, vouchers = many_vouchers
    with in_tenant(org_a):
        for _ in range(10):
            VoucherBatchFactory(organization=org_a, package=package_a)
    pages = [
        reverse("vouchers:index"),
        reverse("vouchers:packages"),
        reverse("vouchers:package_detail", args=[package_a.pk]),
        reverse("vouchers:batches"),
        reverse("vouchers:batch_detail", args=[batch.pk]),
        reverse("vouchers:vouchers"),
        reverse("vouchers:vouchers") + f"?batch={batch.pk}&status=unused",
        reverse("vouchers:voucher_detail", args=[vouchers[0].pk]),
    ]
    client_a.get(reverse("dashboard"))  # first request of a session also records the session
    for url in pages:
        with django_assert_max_num_queries(18):
            assert client_a.get(url).status_code == 200, url


def test_search_finds_a_code_however_it_is_typed(client_a, many_vouchers):
    _batch, vouchers = many_vouchers
    target = vouchers[7]
    typed = target.code.lower().replace("-", " ")
    page = client_a.get(reverse("vouchers:vouchers"), {"q": typed}).content.decode()
    assert target.code in page
    assert vouchers[8].code not in page
    # and by its beginning
    page = client_a.get(reverse("vouchers:vouchers"), {"q": target.code[:6]}).content.decode()
    assert target.code in page


def test_search_paginates_and_filters(client_a, many_vouchers, org_a, in_tenant):
    batch, vouchers = many_vouchers
    with in_tenant(org_a):
        Voucher.objects.filter(pk=vouchers[0].pk).update(status="revoked")
    page1 = client_a.get(reverse("vouchers:vouchers"), {"batch": batch.pk}).content.decode()
    assert "Page 1 of 2" in page1
    revoked = client_a.get(reverse("vouchers:vouchers"), {"status": "revoked"}).content.decode()
    assert vouchers[0].code in revoked and vouchers[1].code not in revoked
    empty = client_a.get(reverse("vouchers:vouchers"), {"q": "ZZZZZZZZ"}).content.decode()
    assert "No voucher matches" in empty


def test_bulk_revoke_asks_first_then_revokes(client_a, many_vouchers, org_a, in_tenant):
    _batch, vouchers = many_vouchers
    ids = [vouchers[0].pk, vouchers[1].pk]
    first = client_a.post(reverse("vouchers:voucher_bulk_revoke"), {"voucher_ids": ids})
    assert first.status_code == 200
    assert "Revoke 2 voucher(s)?" in first.content.decode()
    with in_tenant(org_a):
        assert Voucher.objects.filter(status="revoked").count() == 0
    client_a.post(reverse("vouchers:voucher_bulk_revoke"), {"voucher_ids": ids, "confirm": "yes"})
    with in_tenant(org_a):
        assert set(Voucher.objects.filter(status="revoked").values_list("pk", flat=True)) == set(
            ids
        )


def test_bulk_revoke_of_everything_matching_a_filter(
    client_a, many_vouchers, org_a, in_tenant, package_a
):
    batch, _vouchers = many_vouchers
    with in_tenant(org_a):
        other = VoucherFactory(organization=org_a, package=package_a)
    client_a.post(
        reverse("vouchers:voucher_bulk_revoke"),
        {"all_matching": "1", "filters": f"batch={batch.pk}", "confirm": "yes"},
    )
    with in_tenant(org_a):
        assert Voucher.objects.filter(batch=batch, status="revoked").count() == 60
        assert Voucher.objects.get(pk=other.pk).status == "unused"


def test_viewer_cannot_revoke_print_or_export(viewer_client, many_vouchers, org_a, in_tenant):
    batch, vouchers = many_vouchers
    assert (
        viewer_client.post(
            reverse("vouchers:voucher_bulk_revoke"),
            {"voucher_ids": [vouchers[0].pk], "confirm": "yes"},
        ).status_code
        == 403
    )
    assert (
        viewer_client.post(reverse("vouchers:voucher_revoke", args=[vouchers[0].pk])).status_code
        == 403
    )
    assert viewer_client.get(reverse("vouchers:batch_pdf", args=[batch.pk])).status_code == 403
    assert viewer_client.get(reverse("vouchers:batch_csv", args=[batch.pk])).status_code == 403
    with in_tenant(org_a):
        assert not Voucher.objects.filter(status="revoked").exists()


def test_batch_revoke_needs_confirmation(client_a, many_vouchers, org_a, in_tenant):
    batch, _vouchers = many_vouchers
    url = reverse("vouchers:batch_revoke", args=[batch.pk])
    page = client_a.get(url).content.decode()
    assert "Revoke the 60 unused and active voucher(s)" in page
    client_a.post(url, {"confirm": "yes"})
    with in_tenant(org_a):
        assert Voucher.objects.filter(batch=batch, status="revoked").count() == 60


def test_voucher_detail_logs_access_to_the_device_address(client_a, org_a, package_a, in_tenant):
    with in_tenant(org_a):
        voucher = VoucherFactory(
            organization=org_a, package=package_a, status="active", device_mac="02:00:00:00:00:42"
        )
    page = client_a.get(reverse("vouchers:voucher_detail", args=[voucher.pk])).content.decode()
    assert "02:00:00:00:00:42" in page
    with in_tenant(org_a):
        entry = AccessLog.objects.get(target_type="vouchers.Voucher")
    assert entry.target_id == str(voucher.pk) and entry.action == "view"


def test_staff_redeem_shows_router_errors_and_keeps_the_voucher(
    client_a, org_a, package_a, router_a, sim_fleet, in_tenant
):
    with in_tenant(org_a):
        voucher = VoucherFactory(organization=org_a, package=package_a)
    sim_fleet.take_down(router_a.sim)
    response = client_a.post(
        reverse("vouchers:voucher_redeem", args=[voucher.pk]),
        {"router": router_a.pk, "mac": "02:AA:BB:CC:DD:01", "ip": "10.5.50.3"},
    )
    assert "could not reach the Wi-Fi router" in response.content.decode()
    with in_tenant(org_a):
        assert Voucher.objects.get(pk=voucher.pk).status == "unused"
    sim_fleet.bring_up(router_a.sim)
    response = client_a.post(
        reverse("vouchers:voucher_redeem", args=[voucher.pk]),
        {"router": router_a.pk, "mac": "02:AA:BB:CC:DD:01", "ip": "10.5.50.3"},
        follow=True,
    )
    assert "Redeemed, and the device is online." in response.content.decode()


def test_settings_validate_the_qr_link(client_a, org_a, in_tenant):
    url = reverse("vouchers:settings")
    base = {
        "code_prefix": "",
        "code_length": "8",
        "group_size": "4",
        "alphabet": "mixed",
        "card_footer": "Help: 024 000 0000",
    }
    response = client_a.post(url, {**base, "qr_url_template": "https://wifi.example/{nope}"})
    assert "Unknown placeholder" in response.content.decode()
    client_a.post(url, {**base, "qr_url_template": "https://wifi.example/go?c={code}"})
    page = client_a.get(url).content.decode()
    assert "https://wifi.example/go?c=NET-7K4M-Q9RT" in page


def test_dashboard_home_shows_sales_of_the_day(client_a, org_a, package_a, in_tenant):
    from django.utils import timezone

    with in_tenant(org_a):
        for price in ("5.00", "2.50"):
            VoucherFactory(
                organization=org_a,
                package=package_a,
                status="active",
                sold_at=timezone.now(),
                sold_price=Decimal(price),
                currency="GHS",
            )
        VoucherFactory(
            organization=org_a,
            package=package_a,
            status="expired",
            sold_at=timezone.now() - timedelta(days=3),
            sold_price=Decimal("9"),
            currency="GHS",
        )
    page = client_a.get(reverse("dashboard")).content.decode()
    assert "Sales today" in page
    assert "₵7.50" in page
    assert "2 vouchers sold today" in page
