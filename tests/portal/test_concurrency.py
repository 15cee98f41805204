"""Real concurrency on PostgreSQL through the landing page: many phones, one code."""

import re
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from accounts.tenancy import tenant
from tests.portal.conftest import handoff_params
from vouchers.models import Voucher, VoucherEvent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def _at_once(count, work):
    barrier = threading.Barrier(count)
    results, lock = [], threading.Lock()

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
def test_twelve_phones_typing_one_code_at_once_redeem_it_once(hotspot, make_voucher, org_a):
    # given one voucher and twelve phones on the café's Wi-Fi, each with its own hand-off
    voucher = make_voucher()
    tokens = []
    for index in range(12):
        body = (
            Client()
            .get(
                "/p/kofi-cafe/",
                handoff_params(mac=f"02:00:00:00:01:{index:02X}", ip=f"10.5.50.{index + 2}"),
            )
            .content.decode()
        )
        tokens.append(re.search(r'name="h" value="([^"]+)"', body).group(1))

    # when all of them submit it at the same moment
    def submit(index):
        return (
            Client()
            .post("/p/kofi-cafe/login/", {"h": tokens[index], "code": "net-7k4m-q9rt"})
            .status_code
        )

    statuses = _at_once(12, submit)

    # then exactly one phone got online, the others were told the code is used
    assert sorted(statuses) == [303] + [400] * 11
    with tenant(org_a):
        assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.ACTIVE
        assert VoucherEvent.objects.filter(voucher=voucher, kind="redeemed").count() == 1
    assert len(hotspot["router"].sim.hotspot_active) == 1
