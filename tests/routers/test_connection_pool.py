"""Router connections kept open between redemptions (routers.routeros.ConnectionPool)."""

import socket

import pytest

from routers import services
from routers.polling import router_target
from routers.routeros import ConnectionPool, RouterCommandRejected, RouterUnreachable

pytestmark = pytest.mark.django_db


def test_reuse_logs_in_once(sim_router, org_a):
    router = sim_router(org_a)

    for number in range(3):
        with services.router_client(router, reuse=True) as client:
            client.hotspot_user_add(name=f"v{number}", password="p")

    assert router.sim.logins == 1
    assert [u["name"] for u in router.sim.hotspot_users] == ["v0", "v1", "v2"]


def test_without_reuse_every_client_logs_in(sim_router, org_a):
    router = sim_router(org_a)
    for _ in range(2):
        with services.router_client(router) as client:
            client.identity()
    assert router.sim.logins == 2


def test_a_connection_the_router_closed_is_not_reused(sim_router, sim_fleet, org_a):
    router = sim_router(org_a)
    with services.router_client(router, reuse=True) as client:
        client.identity()

    # when the router drops its API connections (a reboot, the API service restarted)
    sim_fleet.drop_connections(router.sim)

    # then the next use logs in again instead of failing
    with services.router_client(router, reuse=True) as client:
        client.hotspot_user_add(name="after", password="p")
    assert router.sim.logins == 2
    assert router.sim.hotspot_user("after") is not None


def test_a_reset_found_by_the_first_command_is_retried_once_on_a_new_connection(sim_router, org_a):
    router = sim_router(org_a)
    with services.router_client(router, reuse=True) as client:
        client.identity()

    with services.router_client(router, reuse=True) as client:
        # given the kept socket breaks after the pool's check (no reply could have come)
        client._socket().shutdown(socket.SHUT_RDWR)
        # when the first command is sent, it goes out once more on a fresh login
        client.hotspot_user_add(name="retried", password="p")
        # but a later failure on the same connection is not hidden
        client._socket().shutdown(socket.SHUT_RDWR)
        with pytest.raises(RouterUnreachable):
            client.hotspot_user_add(name="not-retried", password="p")

    assert router.sim.logins == 2
    assert [u["name"] for u in router.sim.hotspot_users] == ["retried"]


def test_an_unreachable_router_still_fails(sim_router, sim_fleet, org_a, settings):
    settings.ROUTER_CONNECT_TIMEOUT = 1
    router = sim_router(org_a)
    with services.router_client(router, reuse=True) as client:
        client.identity()

    sim_fleet.take_down(router.sim)

    with pytest.raises(RouterUnreachable), services.router_client(router, reuse=True) as client:
        client.identity()


def test_refused_commands_and_caller_errors_keep_the_connection_but_breaks_do_not(
    sim_router, org_a
):
    router = sim_router(org_a)
    target = router_target(router)
    pool = ConnectionPool()

    with pytest.raises(RouterCommandRejected), pool.client(target) as client:
        client.hotspot_user_remove("*FFFF")  # no such item: the stream stays in step
    assert pool.idle_count(target) == 1

    def callers_error():
        with pool.client(target) as client:
            client.identity()
            raise LookupError("the caller's own error")

    with pytest.raises(LookupError, match="caller's own"):
        callers_error()
    assert pool.idle_count(target) == 1

    def broken_mid_use():
        with pool.client(target) as client:
            client.identity()
            client._socket().shutdown(socket.SHUT_RDWR)
            client.identity()

    with pytest.raises(RouterUnreachable):
        broken_mid_use()  # closed, never given back
    assert pool.idle_count(target) == 0
    assert router.sim.logins == 1
    pool.clear()


def test_new_credentials_never_reuse_an_old_login(sim_router, org_a):
    router = sim_router(org_a)
    pool = ConnectionPool()
    with pool.client(router_target(router)) as client:
        client.identity()

    # the operator changes the API password on the router and in NettPortal
    router.sim.api_users[router.username] = "a-New-pass-9"
    router.password = "a-New-pass-9"

    with pool.client(router_target(router)) as client:
        client.identity()
    assert router.sim.logins == 2
    pool.clear()


def test_idle_connections_expire_and_are_bounded(sim_router, org_a):
    routers = [sim_router(org_a) for _ in range(3)]
    pool = ConnectionPool(max_idle_per_target=2, max_idle=3, max_idle_seconds=0)
    first = router_target(routers[0])
    with pool.client(first) as one, pool.client(first) as two, pool.client(first) as three:
        for client in (one, two, three):
            client.identity()
    assert pool.idle_count(first) == 2  # the third was closed

    for router in routers[1:]:
        with pool.client(router_target(router)) as client:
            client.identity()
    assert pool.idle_count() == 3  # the oldest of the first router's went

    with pool.client(first) as client:  # idle longer than max_idle_seconds: not reused
        client.identity()
    assert routers[0].sim.logins == 4
    pool.clear()
    assert pool.idle_count() == 0
