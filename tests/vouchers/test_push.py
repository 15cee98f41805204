"""Pre-pushing a batch: one connection per router, resumable, idempotent."""

import pytest

from nettportal.errors import ValidationFailed
from nettportal.models import BackgroundJob
from tests.vouchers.factories import VoucherBatchFactory, VoucherFactory
from vouchers.models import BatchPush, Voucher
from vouchers.services import batch_push_run, batch_push_start, voucher_redeem

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def batch(org_a, package_a, in_tenant):
    with in_tenant(org_a):
        batch = VoucherBatchFactory(organization=org_a, package=package_a, quantity=25)
        for index in range(25):
            VoucherFactory(
                organization=org_a, package=package_a, batch=batch, pin=f"{1000 + index}"
            )
        return batch


def _users(router):
    return {user["name"]: user for user in router.sim.hotspot_users}


def test_push_adds_every_unused_voucher_over_one_connection(
    org_a, owner_a, batch, router_a, in_tenant
):
    with in_tenant(org_a):
        revoked = batch.vouchers.order_by("pk")[0]
        Voucher.objects.filter(pk=revoked.pk).update(status="revoked")
        logins_before = router_a.sim.logins
        [push] = batch_push_start(batch=batch, routers=[router_a], actor=owner_a)
        push.refresh_from_db()
        job = BackgroundJob.objects.get(pk=push.job_id)
        unused = list(batch.vouchers.filter(status="unused"))

    users = _users(router_a)
    assert push.status == BatchPush.Status.DONE
    assert push.pushed == 24 and push.skipped == 0
    assert router_a.sim.logins - logins_before == 1
    assert job.status == BackgroundJob.Status.SUCCEEDED and job.done == job.total == 24
    for voucher in unused:
        assert users[voucher.code]["password"] == voucher.pin
        assert users[voucher.code]["profile"] == "np-1-day"
    assert revoked.code not in users


def test_pushing_again_leaves_existing_users_alone(org_a, owner_a, batch, router_a, in_tenant):
    with in_tenant(org_a):
        first = batch.vouchers.order_by("pk")[0]
        # an operator changed one user by hand on the router
        router_a.sim.execute(
            "/ip/hotspot/user/add", {"name": first.code, "password": "by-hand"}, []
        )
        batch_push_start(batch=batch, routers=[router_a], actor=owner_a)
        [push] = batch_push_start(batch=batch, routers=[router_a], actor=owner_a)
        push.refresh_from_db()
    users = _users(router_a)
    assert users[first.code]["password"] == "by-hand"
    assert [u["name"] for u in router_a.sim.hotspot_users].count(first.code) == 1
    assert push.status == BatchPush.Status.DONE
    assert push.pushed == 0 and push.skipped == 25


def test_an_interrupted_push_resumes_where_it_stopped(
    org_a, owner_a, batch, router_a, in_tenant, monkeypatch
):
    # given a push that loses the router after its first chunk
    from vouchers.services import push as push_module

    real_progress = push_module.job_progress
    calls = []

    def progress_then_fail(job_id, **kwargs):
        calls.append(kwargs)
        if len(calls) == 2:  # after the first chunk: the link goes down
            router_a.sim.drop_rate = 1.0
        return real_progress(job_id, **kwargs)

    monkeypatch.setattr(push_module, "job_progress", progress_then_fail)
    monkeypatch.setattr(push_module, "CHUNK_SIZE", 10)
    with in_tenant(org_a):
        [push] = batch_push_start(batch=batch, routers=[router_a], actor=owner_a)
        push.refresh_from_db()
    assert push.status == BatchPush.Status.FAILED
    assert "Push again" in push.last_error
    assert push.pushed == 10 and push.cursor > 0
    # the command in flight when the link dropped may have been carried out
    assert len(_users(router_a)) in (10, 11)

    # when the router is back and the push is started again
    router_a.sim.drop_rate = 0.0
    monkeypatch.setattr(push_module, "job_progress", real_progress)
    with in_tenant(org_a):
        batch_push_start(batch=batch, routers=[router_a], actor=owner_a)
        push.refresh_from_db()

    # then it continued from its cursor: every voucher is there, once
    assert push.status == BatchPush.Status.DONE
    assert push.pushed + push.skipped == 25
    assert push.skipped <= 1
    names = [u["name"] for u in router_a.sim.hotspot_users]
    assert len(names) == len(set(names)) == 25


def test_a_push_held_by_another_worker_is_not_run_twice(org_a, owner_a, batch, router_a, in_tenant):
    with in_tenant(org_a):
        push = BatchPush.objects.create(
            organization=org_a,
            batch=batch,
            router=router_a,
            status=BatchPush.Status.RUNNING,
            heartbeat_at=__import__("django.utils.timezone").utils.timezone.now(),
        )
        batch_push_run(push_id=push.pk)
    assert _users(router_a) == {}


def test_push_is_refused_for_routers_without_the_package(
    org_a, owner_a, batch, router_a, sim_router, package_a, in_tenant
):
    other = sim_router(org_a, name="Kumasi")
    with in_tenant(org_a):
        package_a.on_all_routers = False
        package_a.save()
        package_a.routers.set([other])
        with pytest.raises(ValidationFailed, match="not offered"):
            batch_push_start(batch=batch, routers=[router_a], actor=owner_a)
        assert not BatchPush.objects.exists()


def test_push_refuses_another_tenants_router(org_a, org_b, owner_a, batch, sim_router, in_tenant):
    foreign = sim_router(org_b, name="Bravo")
    with in_tenant(org_a), pytest.raises(ValidationFailed):
        batch_push_start(batch=batch, routers=[foreign], actor=owner_a)
    assert foreign.sim.hotspot_users == []


def test_redeeming_a_pushed_code_removes_its_copies_from_the_other_routers(
    org_a, owner_a, batch, router_a, sim_router, in_tenant
):
    # given a batch pushed ahead of time to two routers of the organisation
    other = sim_router(org_a, name="Kumasi Market")
    with in_tenant(org_a):
        batch_push_start(batch=batch, routers=[router_a, other], actor=owner_a)
        voucher, untouched = batch.vouchers.order_by("pk")[:2]
        assert voucher.code in _users(other) and voucher.code in _users(router_a)

        # when a customer redeems one of its codes on the first router
        voucher_redeem(
            organization=org_a, code=voucher.code, router=router_a, mac="02:AA:BB:CC:DD:01"
        )

    # then the copy on the other router is gone (after the commit), the used one stays,
    # and the batch's other codes stay on both
    assert voucher.code not in _users(other)
    assert voucher.code in _users(router_a)
    assert untouched.code in _users(other) and untouched.code in _users(router_a)
