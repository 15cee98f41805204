from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from nettportal.errors import Conflict, NotFound, ValidationFailed
from tests.vouchers.factories import PackageFactory, VoucherFactory
from vouchers.models import Voucher, VoucherEvent
from vouchers.services import (
    RouterUnavailable,
    VoucherNotRedeemable,
    voucher_issue_for_payment,
    voucher_login,
    voucher_redeem,
)

MAC = "02:AA:BB:CC:DD:01"
IP = "10.5.50.23"


def _redeem(org, router, code, **options):
    options.setdefault("mac", MAC)
    options.setdefault("ip", IP)
    return voucher_redeem(organization=org, code=code, router=router, **options)


def test_redeem_creates_the_hotspot_user_and_logs_the_device_in(
    org_a, router_a, package_a, unused_voucher, in_tenant
):
    # given a 1-day package limited to 2M/5M with a 2-hour time limit and 1 GB
    package_a.time_limit = timedelta(hours=2)
    package_a.data_limit_bytes = 1_000_000_000
    with in_tenant(org_a):
        package_a.save()

        # when the customer types the code in lower case without dashes
        result = _redeem(org_a, router_a, "net7k4m q9rt")

    # then the router has the user with the package profile, limits and PIN as password
    user = router_a.sim.hotspot_user("NET-7K4M-Q9RT")
    assert user["profile"] == "np-1-day"
    assert user["limit-uptime"] == "2h"
    assert user["limit-bytes-total"] == "1000000000"
    assert user["password"] == "4821"
    profile = next(p for p in router_a.sim.hotspot_profiles if p["name"] == "np-1-day")
    assert profile["rate-limit"] == "2M/5M"
    # and the device is online
    sessions = router_a.sim.hotspot_active
    assert [(s["user"], s["address"], s["mac-address"]) for s in sessions] == [
        ("NET-7K4M-Q9RT", IP, MAC)
    ]
    # and the voucher is active, sold, with its validity running from now
    assert result.logged_in and result.username == "NET-7K4M-Q9RT" and result.password == "4821"
    with in_tenant(org_a):
        voucher = Voucher.objects.get(pk=unused_voucher.pk)
        kinds = set(VoucherEvent.objects.filter(voucher=voucher).values_list("kind", flat=True))
    assert voucher.status == Voucher.Status.ACTIVE
    assert voucher.router_id == router_a.pk
    assert voucher.device_mac == MAC
    assert voucher.sold_price == Decimal("5.00") and voucher.currency == "GHS"
    assert abs((voucher.expires_at - voucher.first_login_at) - timedelta(days=1)) < timedelta(
        seconds=1
    )
    assert kinds == {"redeemed", "logged_in"}


def test_router_offline_gives_a_clear_error_and_keeps_the_voucher(
    org_a, router_a, unused_voucher, in_tenant, sim_fleet
):
    # given the router cannot be reached
    sim_fleet.take_down(router_a.sim)

    # when the customer redeems
    with in_tenant(org_a), pytest.raises(RouterUnavailable) as error:
        _redeem(org_a, router_a, unused_voucher.code)

    # then they are told to try again and the voucher is still unused
    assert "not used" in error.value.message
    with in_tenant(org_a):
        voucher = Voucher.objects.get(pk=unused_voucher.pk)
        assert voucher.status == Voucher.Status.UNUSED
        assert voucher.redeemed_at is None and voucher.router_id is None
        assert not VoucherEvent.objects.exists()

    # and once the router is back the same code works
    sim_fleet.bring_up(router_a.sim)
    with in_tenant(org_a):
        assert _redeem(org_a, router_a, unused_voucher.code).logged_in


def test_second_redemption_is_refused(org_a, router_a, unused_voucher, in_tenant):
    with in_tenant(org_a):
        _redeem(org_a, router_a, unused_voucher.code)
        with pytest.raises(VoucherNotRedeemable, match="already been used"):
            _redeem(org_a, router_a, unused_voucher.code, mac="02:AA:BB:CC:DD:02")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": Voucher.Status.REVOKED}, "no longer valid"),
        ({"status": Voucher.Status.EXPIRED}, "expired"),
        ({"status": Voucher.Status.USED_UP}, "used up"),
        ({"unsold_expires_at": timezone.now() - timedelta(minutes=1)}, "expired"),
    ],
)
def test_unredeemable_vouchers_are_refused_without_touching_the_router(
    org_a, router_a, unused_voucher, in_tenant, change, message
):
    with in_tenant(org_a):
        Voucher.objects.filter(pk=unused_voucher.pk).update(**change)
        commands_before = len(router_a.sim.commands_seen)
        with pytest.raises(VoucherNotRedeemable, match=message):
            _redeem(org_a, router_a, unused_voucher.code)
    assert len(router_a.sim.commands_seen) == commands_before
    assert router_a.sim.hotspot_user(unused_voucher.code) is None


def test_unknown_and_malformed_codes(org_a, router_a, in_tenant):
    with in_tenant(org_a):
        with pytest.raises(VoucherNotRedeemable, match="do not know"):
            _redeem(org_a, router_a, "ABCD-EFGH")
        with pytest.raises(VoucherNotRedeemable, match="not a voucher code"):
            _redeem(org_a, router_a, "<script>")
        with pytest.raises(ValidationFailed, match="MAC"):
            _redeem(org_a, router_a, "ABCD-EFGH", mac="not-a-mac")


def test_package_inactive_or_not_offered_on_this_router(
    org_a, router_a, sim_router, package_a, unused_voucher, in_tenant
):
    other = sim_router(org_a, name="Kumasi")
    with in_tenant(org_a):
        package_a.on_all_routers = False
        package_a.save()
        package_a.routers.set([other])
        with pytest.raises(VoucherNotRedeemable, match="cannot be used on this Wi-Fi"):
            _redeem(org_a, router_a, unused_voucher.code)
        package_a.is_active = False
        package_a.save()
        with pytest.raises(VoucherNotRedeemable, match="no longer sold"):
            _redeem(org_a, other, unused_voucher.code)


def test_another_tenants_code_or_router_is_unknown(org_a, org_b, router_a, package_b, in_tenant):
    with in_tenant(org_b):
        foreign = VoucherFactory(organization=org_b, package=package_b)
    with in_tenant(org_a), pytest.raises(VoucherNotRedeemable, match="do not know"):
        _redeem(org_a, router_a, foreign.code)
    with in_tenant(org_b), pytest.raises(NotFound):
        _redeem(org_b, router_a, foreign.code)
    with in_tenant(org_b):
        assert Voucher.objects.get(pk=foreign.pk).status == Voucher.Status.UNUSED


def test_login_failure_after_the_user_is_created_still_redeems(
    org_a, router_a, unused_voucher, in_tenant
):
    # given a device the router cannot log in: no IP and no MAC means no direct login
    with in_tenant(org_a):
        result = _redeem(org_a, router_a, unused_voucher.code, mac=None, ip=None)
        voucher = Voucher.objects.get(pk=unused_voucher.pk)
    # then the voucher is redeemed, the user exists, and the validity waits for the first login
    assert not result.logged_in
    assert router_a.sim.hotspot_user(unused_voucher.code) is not None
    assert voucher.status == Voucher.Status.ACTIVE
    assert voucher.first_login_at is None and voucher.expires_at is None


def test_stacking_is_refused_unless_the_package_allows_it(org_a, router_a, package_a, in_tenant):
    with in_tenant(org_a):
        package_a.data_limit_bytes = 1_000_000_000
        package_a.save()
        first = VoucherFactory(organization=org_a, package=package_a)
        second = VoucherFactory(organization=org_a, package=package_a)
        _redeem(org_a, router_a, first.code)

        # when the same device redeems a second code while time is left
        with pytest.raises(VoucherNotRedeemable, match="time left"):
            _redeem(org_a, router_a, second.code)
        assert Voucher.objects.get(pk=second.pk).status == Voucher.Status.UNUSED

        # and a package that allows stacking adds up
        topup = PackageFactory(
            organization=org_a,
            name="Top-up",
            profile_name="np-top-up",
            allows_stacking=True,
            validity=timedelta(hours=3),
            data_limit_bytes=500_000_000,
        )
        third = VoucherFactory(organization=org_a, package=topup)
        before = Voucher.objects.get(pk=first.pk).expires_at
        result = _redeem(org_a, router_a, third.code)
        first = Voucher.objects.get(pk=first.pk)
        third = Voucher.objects.get(pk=third.pk)

    assert result.stacked_onto.pk == first.pk and result.username == first.code
    assert first.expires_at - before == timedelta(hours=3)
    assert third.status == Voucher.Status.ACTIVE and third.stacked_onto_id == first.pk
    # the router user of the first voucher now carries the added data
    assert router_a.sim.hotspot_user(first.code)["limit-bytes-total"] == "1500000000"
    assert router_a.sim.hotspot_user(third.code) is None


def test_another_device_is_not_blocked_by_time_left_elsewhere(
    org_a, router_a, package_a, in_tenant
):
    with in_tenant(org_a):
        first = VoucherFactory(organization=org_a, package=package_a)
        second = VoucherFactory(organization=org_a, package=package_a)
        _redeem(org_a, router_a, first.code)
        assert _redeem(org_a, router_a, second.code, mac="02:AA:BB:CC:DD:99", ip="10.5.50.99")


def test_missing_profile_is_created_at_redemption(org_a, router_a, unused_voucher, in_tenant):
    # the package was never synced to this router
    assert not any(p["name"] == "np-1-day" for p in router_a.sim.hotspot_profiles)
    with in_tenant(org_a):
        _redeem(org_a, router_a, unused_voucher.code)
    assert router_a.sim.hotspot_user(unused_voucher.code)["profile"] == "np-1-day"


def test_issue_for_payment_is_idempotent(org_a, package_a, in_tenant):
    with in_tenant(org_a):
        first = voucher_issue_for_payment(
            organization=org_a, package=package_a, payment_reference="MPESA-QH12", price="4.50"
        )
        again = voucher_issue_for_payment(
            organization=org_a, package=package_a, payment_reference="MPESA-QH12"
        )
        assert first.pk == again.pk
        assert Voucher.objects.count() == 1
        assert first.source == Voucher.Source.PAYMENT
        assert first.sold_price == Decimal("4.50")
        assert first.status == Voucher.Status.UNUSED
        other = PackageFactory(organization=org_a, name="Week", profile_name="np-week")
        with pytest.raises(Conflict, match="another package"):
            voucher_issue_for_payment(
                organization=org_a, package=other, payment_reference="MPESA-QH12"
            )


def test_paid_voucher_redeems_like_any_other(org_a, router_a, package_a, in_tenant):
    with in_tenant(org_a):
        voucher = voucher_issue_for_payment(
            organization=org_a, package=package_a, payment_reference="CARD-77"
        )
        result = _redeem(org_a, router_a, voucher.code)
    assert result.logged_in
    assert router_a.sim.hotspot_user(voucher.code)["password"] == voucher.code


def test_login_again_with_an_active_voucher(org_a, router_a, unused_voucher, in_tenant):
    with in_tenant(org_a):
        _redeem(org_a, router_a, unused_voucher.code)
        router_a.sim.advance(1)
        for session in router_a.sim.hotspot_active:
            router_a.sim.execute("/ip/hotspot/active/remove", {".id": session[".id"]}, [])
        voucher_login(organization=org_a, code=unused_voucher.code, router=router_a, mac=MAC, ip=IP)
    assert [s["user"] for s in router_a.sim.hotspot_active] == [unused_voucher.code]


def test_redemptions_reuse_the_router_connection(org_a, router_a, package_a, in_tenant, sim_fleet):
    # given three codes redeemed one after the other on one router
    with in_tenant(org_a):
        vouchers = [VoucherFactory(organization=org_a, package=package_a) for _ in range(3)]
        for number, voucher in enumerate(vouchers[:2]):
            _redeem(
                org_a,
                router_a,
                voucher.code,
                mac=f"02:AA:BB:CC:DD:1{number}",
                ip=f"10.5.50.{number}",
            )
    # then the router saw one API login for both
    assert router_a.sim.logins == 1

    # and when the router drops the kept connection, the next redemption still works
    sim_fleet.drop_connections(router_a.sim)
    with in_tenant(org_a):
        result = _redeem(org_a, router_a, vouchers[2].code, mac="02:AA:BB:CC:DD:12", ip="10.5.50.2")
    assert result.logged_in
    assert router_a.sim.logins == 2
    assert {s["user"] for s in router_a.sim.hotspot_active} == {v.code for v in vouchers}


def test_redemption_events_name_the_actor_once_and_both_vouchers_when_stacked(
    org_a, owner_a, router_a, package_a, in_tenant
):
    with in_tenant(org_a):
        first = VoucherFactory(organization=org_a, package=package_a)
        topup = PackageFactory(
            organization=org_a, name="Top-up", profile_name="np-top-up", allows_stacking=True
        )
        second = VoucherFactory(organization=org_a, package=topup)
        _redeem(org_a, router_a, first.code)

        # when staff redeem a top-up for the same device from the dashboard
        _redeem(org_a, router_a, second.code, actor=owner_a, via="dashboard")

        events = list(
            VoucherEvent.objects.filter(voucher=second)
            .order_by("id")
            .values_list("kind", "actor_id", "router_id", "message")
        )
        on_first = list(
            VoucherEvent.objects.filter(voucher=first).order_by("id").values_list("kind", "message")
        )

    # then the redemption names the staff member; the stacking is logged on both vouchers
    assert events == [
        ("redeemed", owner_a.pk, router_a.pk, "Redeemed through the dashboard on Accra Mall."),
        ("stacked", None, router_a.pk, f"Added on top of {first.code}."),
    ]
    assert on_first[-1] == ("stacked", f"{second.code} added on top.")
    assert [kind for kind, _message in on_first] == ["redeemed", "logged_in", "stacked"]


def test_logging_in_again_is_logged_on_the_voucher(org_a, router_a, unused_voucher, in_tenant):
    with in_tenant(org_a):
        _redeem(org_a, router_a, unused_voucher.code)
        for session in router_a.sim.hotspot_active:  # the device dropped off
            router_a.sim.execute("/ip/hotspot/active/remove", {".id": session[".id"]}, [])
        voucher_login(organization=org_a, code="net7k4mq9rt", router=router_a, mac=MAC, ip=IP)
        last = VoucherEvent.objects.filter(voucher=unused_voucher).order_by("-id").first()
    assert (last.kind, last.router_id, last.message) == (
        "logged_in",
        router_a.pk,
        "Device logged in again.",
    )


def test_logging_in_again_with_another_tenants_code_is_refused(
    org_a, org_b, router_a, package_b, in_tenant
):
    with in_tenant(org_b):
        theirs = VoucherFactory(organization=org_b, package=package_b, status="active")
    with in_tenant(org_a), pytest.raises(VoucherNotRedeemable, match="do not know"):
        voucher_login(organization=org_a, code=theirs.code, router=router_a, mac=MAC, ip=IP)
