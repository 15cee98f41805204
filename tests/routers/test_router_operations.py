"""The operations other apps run on a router (vouchers, customers, portal)."""

from datetime import timedelta

import pytest

from nettportal.errors import ValidationFailed
from routers import services
from routers.routeros import RouterAuthFailed, RouterCommandRejected, RouterUnreachable

pytestmark = pytest.mark.django_db


def test_hotspot_user_upsert_creates_then_updates(sim_router, org_a):
    router = sim_router(org_a)

    created = services.hotspot_user_upsert(
        router=router,
        name="NET-1234-ABCD",
        password="k3y",
        profile="1hour",
        limit_uptime=timedelta(hours=1),
        limit_bytes_total=2_000_000_000,
        comment="batch 12",
    )
    updated = services.hotspot_user_upsert(
        router=router, name="NET-1234-ABCD", password="n3w", profile="1day"
    )

    assert created == updated
    user = router.sim.hotspot_user("NET-1234-ABCD")
    assert (user["password"], user["profile"], user["limit-uptime"]) == ("n3w", "1day", "1h")
    assert user["limit-bytes-total"] == "2000000000"
    assert len([u for u in router.sim.hotspot_users if u["name"] == "NET-1234-ABCD"]) == 1


def test_hotspot_user_remove_ends_its_sessions(sim_router, org_a):
    router = sim_router(org_a)
    services.hotspot_user_upsert(router=router, name="gone", password="p")
    router.sim.login("gone")

    assert services.hotspot_user_remove(router=router, name="gone") is True
    assert services.hotspot_user_remove(router=router, name="gone") is False
    assert router.sim.hotspot_user("gone") is None
    assert router.sim.hotspot_active == []


def test_a_batch_shares_one_connection(sim_router, org_a):
    router = sim_router(org_a)
    with services.router_client(router) as client:
        for number in range(5):
            services.hotspot_user_upsert(
                router=router, client=client, name=f"v{number}", password="p"
            )
    assert router.sim.logins == 1
    assert [u["name"] for u in router.sim.hotspot_users] == [f"v{n}" for n in range(5)]


def test_profiles_upsert_and_remove(sim_router, org_a):
    router = sim_router(org_a)
    services.hotspot_profile_upsert(
        router=router, name="2GB-week", rate_limit="5M/10M", shared_users=2, session_timeout="7d"
    )
    services.hotspot_profile_upsert(router=router, name="2GB-week", rate_limit="6M/12M")
    (profile,) = [p for p in router.sim.hotspot_profiles if p["name"] == "2GB-week"]
    assert (profile["rate-limit"], profile["shared-users"]) == ("6M/12M", "2")
    assert services.hotspot_profile_remove(router=router, name="2GB-week") is True
    assert services.hotspot_profile_remove(router=router, name="2GB-week") is False


def test_ppp_secret_upsert_and_remove_disconnects(sim_router, org_a):
    router = sim_router(org_a)
    services.ppp_secret_upsert(
        router=router,
        name="home-7",
        password="p",
        remote_address="172.16.7.7",
        comment="Customer 7",
    )
    services.ppp_secret_upsert(router=router, name="home-7", password="q")
    router.sim.ppp_connect("home-7")
    (secret,) = [s for s in router.sim.ppp_secrets if s["name"] == "home-7"]
    assert (secret["password"], secret["remote-address"]) == ("q", "172.16.7.7")

    assert services.ppp_secret_remove(router=router, name="home-7") is True
    assert router.sim.ppp_active == []
    assert services.ppp_secret_remove(router=router, name="home-7") is False


def test_hotspot_login_and_kick(sim_router, org_a):
    router = sim_router(org_a)
    services.hotspot_user_upsert(router=router, name="guest", password="pw")

    services.hotspot_login(
        router=router, user="guest", password="pw", ip="10.5.50.20", mac_address="02:11:22:33:44:55"
    )
    assert [(s["user"], s["address"]) for s in router.sim.hotspot_active] == [
        ("guest", "10.5.50.20")
    ]
    with pytest.raises(RouterCommandRejected, match="invalid username or password"):
        services.hotspot_login(router=router, user="guest", password="bad", ip="10.5.50.21")
    with pytest.raises(ValidationFailed):
        services.hotspot_login(router=router, user="guest", password="pw")

    assert services.hotspot_user_kick(router=router, user="guest") == 1
    assert router.sim.hotspot_active == []
    assert services.hotspot_user_kick(router=router, user="guest") == 0


def test_operations_raise_router_errors(sim_router, sim_fleet, org_a):
    router = sim_router(org_a)
    router.sim.reject_logins = True
    with pytest.raises(RouterAuthFailed):
        services.hotspot_user_upsert(router=router, name="x", password="y")
    router.sim.reject_logins = False
    sim_fleet.take_down(router.sim)
    with pytest.raises(RouterUnreachable):
        services.hotspot_user_remove(router=router, name="x")


def test_routers_with_api_ssl_work_the_same(sim_router, org_a):
    router = sim_router(org_a, tls=True)
    assert router.use_tls
    services.hotspot_user_upsert(router=router, name="secure-user", password="p")
    assert router.sim.hotspot_user("secure-user") is not None
