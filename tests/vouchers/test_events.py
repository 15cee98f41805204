"""voucher.redeemed / voucher.expired webhooks: one per voucher per real change,
from every path (landing page, API, staff, a first login the router reports, the
expiry sweep), for the right organisation, never for a failed or rolled-back one."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from integrations.services import webhook_subscriptions_changed
from tests.integrations.factories import delivered, run_then_roll_back, subscribe
from tests.vouchers.factories import VoucherFactory
from vouchers import routerops
from vouchers.models import Voucher
from vouchers.services import (
    RouterUnavailable,
    VoucherNotRedeemable,
    voucher_redeem,
    vouchers_expire_due,
    vouchers_observe_sessions,
)

pytestmark = pytest.mark.django_db
MAC = "02:AA:BB:CC:DD:01"


@pytest.fixture
def hooks(org_a, org_b, owner_a, owner_b):
    subscribe(org_a, owner_a, "voucher.redeemed", "voucher.expired")
    subscribe(org_b, owner_b, "voucher.redeemed", "voucher.expired")


def _ids(payloads):
    return sorted(payload["voucher"]["id"] for payload in payloads)


def test_redeeming_on_the_landing_page_emits_once(
    org_a, org_b, router_a, unused_voucher, hooks, in_tenant
):
    with in_tenant(org_a):
        voucher_redeem(
            organization=org_a, code=unused_voucher.code, router=router_a, mac=MAC, ip="10.5.50.9"
        )
        with pytest.raises(VoucherNotRedeemable):  # the same code again
            voucher_redeem(organization=org_a, code=unused_voucher.code, router=router_a)

    [payload] = delivered(org_a, "voucher.redeemed")
    assert payload["via"] == "portal"
    voucher = payload["voucher"]
    assert voucher["id"] == unused_voucher.pk and voucher["code"] == unused_voucher.code
    assert voucher["status"] == "active" and voucher["router_id"] == router_a.pk
    assert voucher["package"]["id"] == unused_voucher.package_id
    assert MAC not in str(payload)  # the device's MAC stays with us
    assert delivered(org_b, "voucher.redeemed") == []


def test_a_failed_or_rolled_back_redemption_emits_nothing(
    org_a, router_a, unused_voucher, hooks, sim_fleet, in_tenant
):
    sim_fleet.take_down(router_a.sim)
    with in_tenant(org_a), pytest.raises(RouterUnavailable):
        voucher_redeem(organization=org_a, code=unused_voucher.code, router=router_a)
    sim_fleet.bring_up(router_a.sim)
    with in_tenant(org_a):
        run_then_roll_back(
            lambda: voucher_redeem(organization=org_a, code=unused_voucher.code, router=router_a)
        )
        assert Voucher.objects.get(pk=unused_voucher.pk).status == "unused"
    assert delivered(org_a, "voucher.redeemed") == []


def test_the_api_and_staff_redemptions_emit_once_each(
    client_a, org_a, org_b, package_a, router_a, hooks, in_tenant
):
    with in_tenant(org_a):
        by_api, by_staff = (VoucherFactory(organization=org_a, package=package_a) for _ in "ab")
    response = client_a.post(
        "/api/v1/vouchers/redeem/",
        {"code": by_api.code, "router": router_a.pk, "mac": MAC, "ip": "10.5.50.2"},
        content_type="application/json",
    )
    assert response.status_code == 200
    response = client_a.post(
        reverse("vouchers:voucher_redeem", args=[by_staff.pk]),
        {"router": router_a.pk, "mac": "02:AA:BB:CC:DD:02", "ip": "10.5.50.3"},
    )
    assert response.status_code == 302

    payloads = delivered(org_a, "voucher.redeemed")
    assert [(p["voucher"]["id"], p["via"]) for p in payloads] == [
        (by_api.pk, "api"),
        (by_staff.pk, "dashboard"),
    ]
    assert delivered(org_b, "voucher.redeemed") == []


def test_a_first_login_the_router_reports_is_a_redemption_once(
    org_a, router_a, unused_voucher, hooks, in_tenant
):
    # given a voucher typed on the router's own login page (not ours)
    with in_tenant(org_a), routerops.open_router(router_a) as client:
        routerops.profile_put(client, unused_voucher.package)
        routerops.user_put(client, unused_voucher)
    router_a.sim.login(unused_voucher.code, ip="10.5.50.9", mac=MAC)

    # when two polls see the session
    with in_tenant(org_a), routerops.open_router(router_a) as client:
        sessions = client.hotspot_active()
        assert vouchers_observe_sessions(router=router_a, sessions=sessions)["first_logins"] == 1
        vouchers_observe_sessions(router=router_a, sessions=sessions)

    [payload] = delivered(org_a, "voucher.redeemed")
    assert payload["via"] == "router" and payload["voucher"]["id"] == unused_voucher.pk


def _expirable(org, package, count, now):
    past = now - timedelta(minutes=1)
    return [
        VoucherFactory(organization=org, package=package, status="active", expires_at=past).pk
        for _ in range(count)
    ]


def test_the_expiry_sweep_emits_one_event_per_voucher_in_bulk(
    org_a, org_b, package_a, package_b, hooks, in_tenant
):
    now = timezone.now()
    with in_tenant(org_a):
        active = _expirable(org_a, package_a, 3, now)
        unsold = [
            VoucherFactory(
                organization=org_a, package=package_a, unsold_expires_at=now - timedelta(days=1)
            ).pk
            for _ in range(2)
        ]
        VoucherFactory(organization=org_a, package=package_a, status="active", expires_at=None)
    with in_tenant(org_b):
        other = _expirable(org_b, package_b, 1, now)

    with in_tenant(org_a):
        assert sorted(vouchers_expire_due(now=now)) == sorted(active + unsold)
        assert vouchers_expire_due(now=now) == []  # the next sweep: nothing new

    payloads = delivered(org_a, "voucher.expired")
    assert _ids(payloads) == sorted(active + unsold)
    assert {p["voucher"]["status"] for p in payloads} == {"expired"}
    previous = {p["voucher"]["id"]: p["previous_status"] for p in payloads}
    assert {previous[pk] for pk in active} == {"active"}
    assert {previous[pk] for pk in unsold} == {"unused"}
    assert delivered(org_b, "voucher.expired") == []
    with in_tenant(org_b):
        assert vouchers_expire_due(now=now) == other
    assert _ids(delivered(org_b, "voucher.expired")) == other


def test_expiry_queries_do_not_grow_with_the_number_of_vouchers(org_a, package_a, hooks, in_tenant):
    counts = []
    for size in (4, 40):
        now = timezone.now()
        with in_tenant(org_a):
            _expirable(org_a, package_a, size, now)
            webhook_subscriptions_changed(org_a.pk)  # both runs look them up afresh
            with CaptureQueriesContext(connection) as queries:
                assert len(vouchers_expire_due(now=now)) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert len(delivered(org_a, "voucher.expired")) == 44


def test_a_rolled_back_expiry_emits_nothing(org_a, package_a, hooks, in_tenant):
    now = timezone.now()
    with in_tenant(org_a):
        ids = _expirable(org_a, package_a, 2, now)
        run_then_roll_back(lambda: vouchers_expire_due(now=now))
        assert set(Voucher.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
            "active"
        }
    assert delivered(org_a, "voucher.expired") == []
