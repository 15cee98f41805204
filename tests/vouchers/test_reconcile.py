"""Reconciliation repairs drift between routers and our vouchers, and logs it."""

from datetime import timedelta

import pytest

from tests.vouchers.factories import VoucherBatchFactory, VoucherFactory
from vouchers.models import Voucher, VoucherEvent
from vouchers.services import batch_push_start, router_reconcile, voucher_redeem
from vouchers.tasks import reconcile_routers_task

pytestmark = pytest.mark.django_db(transaction=True)
MAC = "02:AA:BB:CC:DD:01"


def _names(router):
    return {user["name"] for user in router.sim.hotspot_users}


def _remove_user(router, name):
    router.sim.execute("/ip/hotspot/user/remove", {"numbers": name}, [])


@pytest.fixture
def pushed(org_a, owner_a, package_a, router_a, in_tenant):
    with in_tenant(org_a):
        batch = VoucherBatchFactory(organization=org_a, package=package_a, quantity=3)
        vouchers = [
            VoucherFactory(organization=org_a, package=package_a, batch=batch) for _ in range(3)
        ]
        batch_push_start(batch=batch, routers=[router_a], actor=owner_a)
    return vouchers


def test_drift_is_repaired_and_each_action_logged(org_a, package_a, router_a, pushed, in_tenant):
    revoked, missing_unused, active = pushed
    with in_tenant(org_a):
        package_a.time_limit = timedelta(hours=2)
        package_a.save()
        voucher_redeem(
            organization=org_a, code=active.code, router=router_a, mac=MAC, ip="10.5.50.9"
        )
        Voucher.objects.filter(pk=revoked.pk).update(status=Voucher.Status.REVOKED)
    # given drift: the router lost two users and kept one it should not have, plus the
    # operator's own user that is none of our business
    router_a.sim.advance(30 * 60)
    _remove_user(router_a, missing_unused.code)
    _remove_user(router_a, active.code)
    router_a.sim.execute("/ip/hotspot/user/add", {"name": "staff-laptop", "password": "x"}, [])
    with in_tenant(org_a):
        Voucher.objects.filter(pk=active.pk).update(used_seconds=1800)

        # when reconciliation runs
        summary = router_reconcile(router=router_a)

        # then the revoked user is gone, the others are back, the operator's user is untouched
        names = _names(router_a)
        assert revoked.code not in names
        assert {missing_unused.code, active.code, "staff-laptop"} <= names
        assert summary["removed"] == 1 and summary["recreated"] == 1 and summary["repushed"] == 1
        # the recreated user only gets the 90 minutes left
        recreated = router_a.sim.hotspot_user(active.code)
        assert recreated["limit-uptime"] == "1h30m"
        assert Voucher.objects.get(pk=active.pk).usage_base_seconds == 1800
        kinds = {
            (event.voucher_id, event.kind)
            for event in VoucherEvent.objects.filter(kind__in=["removed", "recreated"])
        }
        assert (revoked.pk, "removed") in kinds
        assert (active.pk, "recreated") in kinds
        assert (missing_unused.pk, "recreated") in kinds
        assert VoucherEvent.objects.filter(kind="reconciled", router=router_a).count() == 1

        # and a second run finds nothing to do
        again = router_reconcile(router=router_a)
    assert again["removed"] == again["recreated"] == again["repushed"] == 0


def test_report_only_mode_changes_nothing(org_a, router_a, pushed, in_tenant):
    _remove_user(router_a, pushed[0].code)
    with in_tenant(org_a):
        summary = router_reconcile(router=router_a, repair=False)
    assert summary["drift"] == {"remove": 0, "recreate": 0, "repush": 1}
    assert pushed[0].code not in _names(router_a)


def test_usage_after_recreation_counts_from_the_base(org_a, package_a, router_a, in_tenant):
    with in_tenant(org_a):
        package_a.time_limit = timedelta(hours=1)
        package_a.save()
        voucher = VoucherFactory(organization=org_a, package=package_a)
        voucher_redeem(
            organization=org_a, code=voucher.code, router=router_a, mac=MAC, ip="10.5.50.9"
        )
        router_a.sim.advance(20 * 60)
        router_reconcile(router=router_a)
        assert Voucher.objects.get(pk=voucher.pk).used_seconds >= 20 * 60
        _remove_user(router_a, voucher.code)  # the router lost it (reset, backup restore…)
        router_reconcile(router=router_a)
        router_a.sim.login(voucher.code, ip="10.5.50.9")
        router_a.sim.advance(45 * 60)  # the router ends it after the 40 minutes left
        summary = router_reconcile(router=router_a)
        voucher.refresh_from_db()
    assert summary["used_up"] == 1
    assert voucher.status == Voucher.Status.USED_UP
    assert voucher.used_seconds >= 60 * 60
    assert voucher.code not in _names(router_a)


def test_offline_router_reports_an_error_and_changes_nothing(
    org_a, router_a, pushed, sim_fleet, in_tenant
):
    sim_fleet.take_down(router_a.sim)
    with in_tenant(org_a):
        summary = router_reconcile(router=router_a)
    assert not summary["ok"] and summary["error"]


def test_scheduled_sweep_reconciles_each_router_of_each_tenant(
    org_a, org_b, router_a, sim_router, pushed, package_b, in_tenant
):
    router_b = sim_router(org_b, name="Bravo")
    from routers.models import Router

    with in_tenant(org_a):
        Router.objects.filter(pk=router_a.pk).update(status=Router.Status.ONLINE)
    _remove_user(router_a, pushed[0].code)
    assert reconcile_routers_task() == 2
    assert pushed[0].code in _names(router_a)
    # B's router got B's package profile, and nothing of A
    assert {p["name"] for p in router_b.sim.hotspot_profiles} >= {"np-1-day"}
    assert not _names(router_b) & {v.code for v in pushed}
