"""Simulated users live: bytes grow, limits end sessions, people come and go."""

import pytest

from routers.simulator import CommandError, SimRouter


def make(**options):
    options.setdefault("seed", 3)
    return SimRouter(**options)


def test_bytes_and_uptime_grow_with_time():
    sim = make(active_sessions=2)
    before = {s["user"]: s for s in sim.hotspot_active}
    uptime = sim.uptime_seconds
    sim.advance(300)
    after = {s["user"]: s for s in sim.hotspot_active}
    for user, session in after.items():
        assert int(session["bytes-out"]) > int(before[user]["bytes-out"])
        assert int(session["bytes-in"]) > int(before[user]["bytes-in"])
    assert sim.uptime_seconds >= uptime + 300


def test_limit_uptime_ends_the_session_and_blocks_new_logins():
    sim = make()
    sim.execute("/ip/hotspot/user/add", {"name": "v1", "password": "p", "limit-uptime": "10m"}, [])
    sim.login("v1")
    sim.advance(9 * 60)
    assert [s["user"] for s in sim.hotspot_active] == ["v1"]
    sim.advance(2 * 60)
    assert sim.hotspot_active == []
    assert sim.hotspot_user("v1")["uptime"] == "10m"  # stopped exactly at the limit
    with pytest.raises(CommandError, match="uptime limit"):
        sim.login("v1")


def test_limit_bytes_total_ends_the_session():
    sim = make()
    sim.execute(
        "/ip/hotspot/user/add", {"name": "v2", "password": "p", "limit-bytes-total": "5000000"}, []
    )
    sim.login("v2")
    sim.advance(3600)
    assert sim.hotspot_active == []
    user = sim.hotspot_user("v2")
    assert int(user["bytes-in"]) + int(user["bytes-out"]) == pytest.approx(5_000_000, abs=2)
    with pytest.raises(CommandError, match="traffic limit"):
        sim.login("v2")


def test_profile_shared_users_limits_parallel_sessions():
    sim = make()
    sim.execute("/ip/hotspot/user/add", {"name": "one", "password": "p"}, [])
    sim.login("one", ip="10.5.50.2")
    with pytest.raises(CommandError, match="no more sessions"):
        sim.login("one", ip="10.5.50.3")


def test_churn_brings_users_online_and_takes_them_off():
    sim = make(hotspot_users=60, active_sessions=20, churn=True, seed=11)
    first = {s["user"] for s in sim.hotspot_active}
    seen_counts = []
    for _ in range(12):
        sim.advance(300)
        seen_counts.append(len(sim.hotspot_active))
    later = {s["user"] for s in sim.hotspot_active}
    assert later != first  # some left, others arrived
    assert all(0 < count <= 20 for count in seen_counts)


def test_reboot_resets_counters_uptime_and_sessions():
    sim = make(active_sessions=3, ppp_sessions=1)
    sim.advance(60)
    sim.reboot()
    assert sim.uptime_seconds == 0
    assert all(int(i["rx-byte"]) == 0 for i in sim.interfaces)
    assert sim.hotspot_active == []
    assert sim.ppp_active == []
    assert sim.ppp_secrets[0]["last-disconnect-reason"] == "reboot"
