"""Real concurrency on PostgreSQL: one router is never polled twice at once."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from accounts.tenancy import tenant
from routers.models import RouterStatusSample
from routers.polling import poll_routers

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs PostgreSQL row locking"),
    pytest.mark.django_db(transaction=True),
]


def test_parallel_pollers_poll_a_router_once(sim_router, org_a):
    router = sim_router(org_a, latency=0.1, active_sessions=3)
    start = threading.Barrier(4)
    outcomes = []

    def poller():
        start.wait()
        try:
            outcomes.extend(poll_routers([router.pk], force=True))
        finally:
            connection.close()

    threads = [threading.Thread(target=poller) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outcomes) == 1
    assert router.sim.logins == 1
    with tenant(org_a):
        assert RouterStatusSample.objects.filter(router=router).count() == 1


def test_overlapping_chunks_share_the_routers(sim_router, org_a):
    routers = [sim_router(org_a, latency=0.05) for _ in range(6)]
    ids = [router.pk for router in routers]
    start = threading.Barrier(3)
    outcomes = []

    def poller():
        start.wait()
        try:
            outcomes.extend(poll_routers(ids, force=True))
        finally:
            connection.close()

    threads = [threading.Thread(target=poller) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcome.router_id for outcome in outcomes) == sorted(ids)
    assert [router.sim.logins for router in routers] == [1] * 6
