"""Every lifecycle transition, against simulated routers through the real client."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tenancy import tenant
from routers.polling import poll_routers
from tests.vouchers.factories import VoucherBatchFactory, VoucherFactory
from vouchers.models import BatchPush, Voucher, VoucherEvent
from vouchers.services import (
    batch_push_run,
    batch_push_start,
    voucher_redeem,
    voucher_revoke,
    vouchers_expire_due,
    vouchers_observe_polls,
    vouchers_observe_sessions,
    vouchers_observe_users,
    vouchers_revoke,
)
from vouchers.tasks import expire_vouchers_task

MAC = "02:AA:BB:CC:DD:01"
# Real commits: router clean-up runs after the commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def _pushed_batch(org, owner, package, routers, quantity=3):
    batch = VoucherBatchFactory(organization=org, package=package, quantity=quantity)
    for _ in range(quantity):
        VoucherFactory(organization=org, package=package, batch=batch)
    for push in batch_push_start(batch=batch, routers=routers, actor=owner):
        batch_push_run(push_id=push.pk)
    return batch


def _names(router):
    return {user["name"] for user in router.sim.hotspot_users}


def _status(voucher):
    return Voucher.objects.get(pk=voucher.pk).status


def test_first_login_seen_by_polling_activates_a_pushed_voucher(
    org_a, owner_a, package_a, router_a, sim_router
):
    # given a batch pushed to two routers
    other = sim_router(org_a, name="Kumasi")
    with tenant(org_a):
        batch = _pushed_batch(org_a, owner_a, package_a, [router_a, other])
        voucher = batch.vouchers.order_by("pk").first()
    assert voucher.code in _names(router_a) and voucher.code in _names(other)

    # when a customer logs in through router A's own login page and polling runs
    router_a.sim.login(voucher.code, ip="10.5.50.9", mac=MAC)
    poll_routers([router_a.pk], force=True)

    # then the voucher is active on router A, its validity runs, and router B's copy is gone
    with tenant(org_a):
        voucher.refresh_from_db()
        kinds = list(VoucherEvent.objects.filter(voucher=voucher).values_list("kind", flat=True))
    assert voucher.status == Voucher.Status.ACTIVE
    assert voucher.router_id == router_a.pk
    assert voucher.device_mac == MAC
    assert voucher.first_login_at is not None and voucher.sold_at is not None
    assert voucher.expires_at - voucher.first_login_at == timedelta(days=1)
    assert "first_login" in kinds and "removed" in kinds
    assert voucher.code in _names(router_a)
    assert voucher.code not in _names(other)
    # the batch's other vouchers stay pushed on both routers
    with tenant(org_a):
        rest = set(batch.vouchers.exclude(pk=voucher.pk).values_list("code", flat=True))
    assert rest <= _names(router_a) and rest <= _names(other)


def test_one_lot_of_polls_acts_as_one_call_per_router_in_order(
    org_a, owner_a, package_a, router_a, sim_router, caplog
):
    # given a voucher pushed to two routers, logged in on both before the poll
    other = sim_router(org_a, name="Kumasi")
    with tenant(org_a):
        batch = _pushed_batch(org_a, owner_a, package_a, [router_a, other], quantity=1)
        voucher = batch.vouchers.get()
    router_a.sim.login(voucher.code, ip="10.5.50.9", mac=MAC)
    other.sim.login(voucher.code, ip="10.5.50.10", mac="02:AA:BB:CC:DD:02")
    from vouchers.routerops import open_router

    lot = []
    for router in (router_a, other):
        with tenant(org_a), open_router(router) as client:
            lot.append((router, client.hotspot_active(), timezone.now()))

    # when both polls are observed in one lot
    with tenant(org_a):
        vouchers_observe_polls(lot)
        voucher.refresh_from_db()
        # (and a lot with a broken poll in it does not raise)
        vouchers_observe_polls([*lot, (other, [object()], timezone.now())])

    # then the first router's login activated it and the second router's copy is ended,
    # as two calls in that order would have done
    assert voucher.status == Voucher.Status.ACTIVE and voucher.router_id == router_a.pk
    assert voucher.code in _names(router_a)
    assert voucher.code not in _names(other)
    assert caplog.text.count("one by one") == 1  # only the lot with the broken poll


def test_redeemed_without_login_starts_its_clock_at_the_first_session(
    org_a, router_a, unused_voucher, in_tenant
):
    with in_tenant(org_a):
        voucher_redeem(organization=org_a, code=unused_voucher.code, router=router_a, login=False)
        assert Voucher.objects.get(pk=unused_voucher.pk).expires_at is None
        router_a.sim.login(unused_voucher.code, ip="10.5.50.9")
        from vouchers.routerops import open_router

        with open_router(router_a) as client:
            summary = vouchers_observe_sessions(router=router_a, sessions=client.hotspot_active())
        voucher = Voucher.objects.get(pk=unused_voucher.pk)
    assert summary["first_logins"] == 1
    assert voucher.first_login_at is not None
    assert voucher.expires_at == voucher.first_login_at + timedelta(days=1)


def test_used_up_when_the_time_limit_is_reached(org_a, router_a, package_a, in_tenant):
    # given an active 30-minute voucher
    with in_tenant(org_a):
        package_a.time_limit = timedelta(minutes=30)
        package_a.save()
        voucher = VoucherFactory(organization=org_a, package=package_a)
        voucher_redeem(
            organization=org_a, code=voucher.code, router=router_a, mac=MAC, ip="10.5.50.9"
        )

    # when 31 minutes of use pass on the router
    router_a.sim.advance(31 * 60)
    from vouchers.routerops import open_router

    with in_tenant(org_a):
        with open_router(router_a) as client:
            summary = vouchers_observe_users(router=router_a, users=client.hotspot_users())
        voucher.refresh_from_db()

    # then the voucher is used up, its usage recorded, and its user removed
    assert summary["used_up"] == 1
    assert voucher.status == Voucher.Status.USED_UP
    assert voucher.used_seconds >= 30 * 60
    assert voucher.code not in _names(router_a)


def test_expiry_by_our_clock_removes_the_user_and_ends_the_session(
    org_a, router_a, unused_voucher, in_tenant
):
    # given an active 1-day voucher whose router user has no limit of its own
    with in_tenant(org_a):
        voucher_redeem(
            organization=org_a, code=unused_voucher.code, router=router_a, mac=MAC, ip="10.5.50.9"
        )
    assert len(router_a.sim.hotspot_active) == 1

    # when our clock passes its validity (the router would let it go on)
    later = timezone.now() + timedelta(days=1, minutes=1)
    with in_tenant(org_a):
        assert vouchers_expire_due(now=timezone.now()) == []
        expired = vouchers_expire_due(now=later)
        voucher = Voucher.objects.get(pk=unused_voucher.pk)

    # then it is expired, its user removed and the device is offline
    assert expired == [voucher.pk]
    assert voucher.status == Voucher.Status.EXPIRED
    assert voucher.code not in _names(router_a)
    assert router_a.sim.hotspot_active == []
    with in_tenant(org_a):
        kinds = set(VoucherEvent.objects.filter(voucher=voucher).values_list("kind", flat=True))
    assert {"expired", "removed"} <= kinds


def test_expiry_sweep_fans_out_per_organisation(org_a, org_b, package_a, package_b):
    # given an active voucher past its validity in each organisation
    past = timezone.now() - timedelta(minutes=1)
    with tenant(org_a):
        a = VoucherFactory(organization=org_a, package=package_a, status="active", expires_at=past)
    with tenant(org_b):
        b = VoucherFactory(organization=org_b, package=package_b, status="active", expires_at=past)
        fresh = VoucherFactory(
            organization=org_b,
            package=package_b,
            status="active",
            expires_at=timezone.now() + timedelta(hours=1),
        )

    # when the scheduled sweep runs
    assert expire_vouchers_task() == 2

    # then both are expired and the fresh one is not
    with tenant(org_a):
        assert _status(a) == Voucher.Status.EXPIRED
    with tenant(org_b):
        assert _status(b) == Voucher.Status.EXPIRED
        assert _status(fresh) == Voucher.Status.ACTIVE


def test_unsold_vouchers_expire_and_leave_the_routers(
    org_a, owner_a, package_a, router_a, in_tenant
):
    with in_tenant(org_a):
        batch = _pushed_batch(org_a, owner_a, package_a, [router_a], quantity=2)
        Voucher.objects.filter(batch=batch).update(
            unsold_expires_at=timezone.now() - timedelta(minutes=1)
        )
        expired = vouchers_expire_due()
        codes = set(batch.vouchers.values_list("code", flat=True))
    assert len(expired) == 2
    assert not codes & _names(router_a)


def test_revoke_removes_the_user_from_every_router(
    org_a, owner_a, package_a, router_a, sim_router, in_tenant
):
    other = sim_router(org_a, name="Kumasi")
    with in_tenant(org_a):
        batch = _pushed_batch(org_a, owner_a, package_a, [router_a, other], quantity=2)
        voucher = batch.vouchers.order_by("pk").first()
        voucher_revoke(voucher=voucher, actor=owner_a)
        voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.REVOKED
    assert voucher.code not in _names(router_a) | _names(other)


def test_revoke_of_an_active_voucher_kicks_its_session(
    org_a, owner_a, router_a, unused_voucher, in_tenant
):
    with in_tenant(org_a):
        voucher_redeem(
            organization=org_a, code=unused_voucher.code, router=router_a, mac=MAC, ip="10.5.50.9"
        )
        voucher_revoke(voucher=Voucher.objects.get(pk=unused_voucher.pk), actor=owner_a)
    assert router_a.sim.hotspot_active == []
    assert unused_voucher.code not in _names(router_a)


def test_bulk_revoke_skips_finished_and_reports_the_count(
    org_a, owner_a, package_a, router_a, in_tenant
):
    with in_tenant(org_a):
        batch = _pushed_batch(org_a, owner_a, package_a, [router_a], quantity=4)
        first, second, third, fourth = batch.vouchers.order_by("pk")
        Voucher.objects.filter(pk=fourth.pk).update(status=Voucher.Status.EXPIRED)
        count = vouchers_revoke(
            organization=org_a, actor=owner_a, voucher_ids=[first.pk, second.pk, fourth.pk]
        )
        statuses = [_status(v) for v in (first, second, third, fourth)]
    assert count == 2
    assert statuses == ["revoked", "revoked", "unused", "expired"]
    assert first.code not in _names(router_a) and third.code in _names(router_a)


def test_revoke_while_the_router_is_offline_is_finished_by_reconciliation(
    org_a, owner_a, package_a, router_a, sim_fleet, in_tenant
):
    from vouchers.services import router_reconcile

    with in_tenant(org_a):
        batch = _pushed_batch(org_a, owner_a, package_a, [router_a], quantity=1)
        voucher = batch.vouchers.get()
        sim_fleet.take_down(router_a.sim)
        voucher_revoke(voucher=voucher, actor=owner_a)
        assert VoucherEvent.objects.filter(voucher=voucher, kind="router_error").exists()
        sim_fleet.bring_up(router_a.sim)
        assert voucher.code in _names(router_a)
        summary = router_reconcile(router=router_a)
    assert summary["removed"] == 1
    assert voucher.code not in _names(router_a)


def test_a_finished_voucher_seen_online_is_kicked_whatever_the_router_does(
    org_a, router_a, unused_voucher, in_tenant
):
    with in_tenant(org_a):
        voucher_redeem(
            organization=org_a, code=unused_voucher.code, router=router_a, mac=MAC, ip="10.5.50.9"
        )
        # our records say revoked, but the router was never told (e.g. restored from backup)
        Voucher.objects.filter(pk=unused_voucher.pk).update(status=Voucher.Status.REVOKED)
    poll_routers([router_a.pk], force=True)
    assert router_a.sim.hotspot_active == []
    assert unused_voucher.code not in _names(router_a)


def test_pushed_copy_of_a_stacked_voucher_is_removed(
    org_a, owner_a, package_a, router_a, in_tenant
):
    with in_tenant(org_a):
        package_a.allows_stacking = True
        package_a.save()
        batch = _pushed_batch(org_a, owner_a, package_a, [router_a], quantity=2)
        first, second = batch.vouchers.order_by("pk")
        voucher_redeem(
            organization=org_a, code=first.code, router=router_a, mac=MAC, ip="10.5.50.9"
        )
        voucher_redeem(
            organization=org_a, code=second.code, router=router_a, mac=MAC, ip="10.5.50.9"
        )
        second.refresh_from_db()
    assert second.stacked_onto_id == first.pk
    assert second.code not in _names(router_a)
    assert first.code in _names(router_a)


def test_revoking_a_primary_finishes_what_was_stacked_on_it(
    org_a, owner_a, router_a, package_a, in_tenant
):
    with in_tenant(org_a):
        package_a.allows_stacking = True
        package_a.save()
        first = VoucherFactory(organization=org_a, package=package_a)
        second = VoucherFactory(organization=org_a, package=package_a)
        for voucher in (first, second):
            voucher_redeem(organization=org_a, code=voucher.code, router=router_a, mac=MAC)
        voucher_revoke(voucher=Voucher.objects.get(pk=first.pk), actor=owner_a)
        assert _status(second) == Voucher.Status.REVOKED
        assert BatchPush.objects.count() == 0
