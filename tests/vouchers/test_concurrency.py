"""Real concurrency on PostgreSQL: row locks, not luck."""

import threading

import pytest
from django.db import connection, connections

from accounts.tenancy import tenant
from tests.vouchers.factories import VoucherFactory
from vouchers.models import Voucher, VoucherEvent
from vouchers.services import VoucherNotRedeemable, voucher_issue_for_payment, voucher_redeem

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def _run_at_once(count, work):
    barrier = threading.Barrier(count)
    results = []
    lock = threading.Lock()

    def runner(index):
        try:
            barrier.wait(timeout=30)
            outcome = work(index)
        except Exception as error:  # collected and asserted on below
            outcome = error
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_redemptions_of_one_code_give_exactly_one_success(
    org_a, package_a, router_a
):
    # given one unused voucher
    with tenant(org_a):
        voucher = VoucherFactory(organization=org_a, package=package_a)

    # when 50 devices redeem it at the same moment
    def redeem(index):
        with tenant(org_a):
            return voucher_redeem(
                organization=org_a,
                code=voucher.code,
                router=router_a,
                mac=f"02:00:00:00:{index // 256:02X}:{index % 256:02X}",
                ip=f"10.5.51.{index + 2}",
            )

    results = _run_at_once(50, redeem)

    # then exactly one succeeds and the 49 others are told it is used
    successes = [r for r in results if not isinstance(r, Exception)]
    refusals = [r for r in results if isinstance(r, VoucherNotRedeemable)]
    assert len(results) == 50
    assert len(successes) == 1, [type(r).__name__ for r in results]
    assert len(refusals) == 49
    assert all("already been used" in r.message for r in refusals)
    # and the router holds one user with one session
    assert [u["name"] for u in router_a.sim.hotspot_users].count(voucher.code) == 1
    assert len(router_a.sim.hotspot_active) == 1
    with tenant(org_a):
        assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.ACTIVE
        assert VoucherEvent.objects.filter(voucher=voucher, kind="redeemed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_payment_callbacks_issue_one_voucher(org_a, package_a):
    def issue(_index):
        with tenant(org_a):
            return voucher_issue_for_payment(
                organization=org_a, package=package_a, payment_reference="MPESA-RACE-1"
            ).pk

    results = _run_at_once(20, issue)

    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    with tenant(org_a):
        assert Voucher.objects.filter(payment_reference="MPESA-RACE-1").count() == 1
