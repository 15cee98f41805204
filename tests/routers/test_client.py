"""The client drives every simulated menu through librouteros, both faces."""

from datetime import datetime

import pytest

from routers.routeros import (
    RouterAuthFailed,
    RouterCommandRejected,
    RouterProtocolError,
    RouterTarget,
    RouterTimeout,
    RouterUnreachable,
    async_connect,
    connect,
)
from routers.routeros.values import parse_datetime, parse_seconds, to_api
from tests.routers.sim import SIM_PASSWORD, SIM_USERNAME, run_async


def target(sim, **overrides):
    options = {
        "host": "127.0.0.1",
        "port": sim.port,
        "username": SIM_USERNAME,
        "password": SIM_PASSWORD,
        "connect_timeout": 2,
        "read_timeout": 2,
    }
    options.update(overrides)
    return RouterTarget(**options)


def test_system_menus_are_typed(sim_router):
    sim = sim_router(identity="Cafe-Accra", version="7.14.3", board_name="hEX", uptime=93784)
    with connect(target(sim)) as client:
        assert client.identity().name == "Cafe-Accra"
        resource = client.resource()
    assert resource.version == "7.14.3 (stable)"
    assert resource.board_name == "hEX"
    assert 93784 <= resource.uptime_seconds < 93784 + 60
    assert 0 <= resource.cpu_load <= 100
    assert resource.total_memory > resource.free_memory > 0
    assert 0 < resource.memory_used_percent < 100
    assert resource.build_time == datetime(2024, 4, 17, 12, 47, 58)


def test_old_date_format_is_parsed_too(sim_router):
    sim = sim_router(version="6.49.10")
    with connect(target(sim)) as client:
        assert client.resource().build_time == datetime(2024, 4, 17, 12, 47, 58)
    assert parse_datetime("jul/14/2023 10:00:00") == datetime(2023, 7, 14, 10, 0, 0)
    assert parse_datetime("2023-07-14 10:00:00") == datetime(2023, 7, 14, 10, 0, 0)
    assert parse_datetime("jan/01/1970 00:00:00") is None
    assert parse_datetime("garbage") is None


def test_durations_in_both_routeros_styles():
    assert parse_seconds("1w2d3h4m5s") == 7 * 86400 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5
    assert parse_seconds("1d02:03:04") == 86400 + 2 * 3600 + 3 * 60 + 4
    assert parse_seconds("00:00:09") == 9
    assert parse_seconds("none") is None
    assert parse_seconds("5m") == 300


def test_interfaces_counters_grow(sim_router):
    sim = sim_router(active_sessions=3)
    with connect(target(sim)) as client:
        before = {i.name: i for i in client.interfaces()}
        sim.advance(60)
        after = {i.name: i for i in client.interfaces()}
    assert set(before) == {"ether1", "ether2", "ether3", "wlan1", "bridge-hotspot"}
    assert after["ether1"].rx_bytes > before["ether1"].rx_bytes
    assert after["ether1"].running is True
    assert after["ether3"].running is False


def test_hotspot_users_add_set_remove(sim_router):
    sim = sim_router()
    with connect(target(sim)) as client:
        new_id = client.hotspot_user_add(
            name="NET-1234-ABCD",
            password="pw1",
            profile="1hour",
            limit_uptime="1h",
            limit_bytes_total=500_000_000,
            comment="batch 7",
        )
        assert new_id.startswith("*")
        client.hotspot_user_set(new_id, password="pw2", disabled=True)
        (user,) = client.hotspot_users(name="NET-1234-ABCD")
        assert (user.profile, user.limit_uptime_seconds, user.limit_bytes_total) == (
            "1hour",
            3600,
            500_000_000,
        )
        assert user.disabled is True
        assert sim.hotspot_user("NET-1234-ABCD")["password"] == "pw2"
        client.hotspot_user_remove("NET-1234-ABCD")  # by name, as RouterOS allows
        assert client.hotspot_users(name="NET-1234-ABCD") == []
    assert sim.hotspot_user("NET-1234-ABCD") is None


def test_duplicate_and_missing_items_are_rejected_with_routeros_messages(sim_router):
    sim = sim_router()
    with connect(target(sim)) as client:
        client.hotspot_user_add(name="dup", password="x")
        with pytest.raises(RouterCommandRejected, match="already exists") as duplicate:
            client.hotspot_user_add(name="dup", password="y")
        assert duplicate.value.command == "/ip/hotspot/user/add"
        with pytest.raises(RouterCommandRejected) as missing:
            client.hotspot_user_remove("*FFFF")
        assert missing.value.is_missing_item
        with pytest.raises(RouterCommandRejected, match="profile"):
            client.hotspot_user_add(name="p", password="x", profile="no-such-profile")
        # a !trap leaves the connection in step: the next command works
        assert client.identity().name


def test_names_that_look_like_numbers_or_booleans_stay_text(sim_router):
    sim = sim_router()
    with connect(target(sim)) as client:
        for name in ("0042", "1234", "yes", "true", "no"):
            client.hotspot_user_add(name=name, password="007")
        names = [user.name for user in client.hotspot_users()]
    assert names == ["0042", "1234", "yes", "true", "no"]
    assert sim.hotspot_user("0042")["password"] == "007"
    assert to_api(True) == "yes"
    assert to_api(5) == "5"


def test_non_ascii_names_survive_in_utf8(sim_router):
    sim = sim_router()
    with connect(target(sim)) as client:
        client.hotspot_user_add(name="Kwabená-Ọ̀ṣun", password="pässwörd", comment="café ₵")
        (user,) = client.hotspot_users(name="Kwabená-Ọ̀ṣun")
    assert user.comment == "café ₵"
    assert sim.hotspot_user("Kwabená-Ọ̀ṣun")["password"] == "pässwörd"


def test_hotspot_profiles_add_set_remove(sim_router):
    sim = sim_router()
    with connect(target(sim)) as client:
        profile_id = client.hotspot_profile_add(
            name="3hours", rate_limit="2M/5M", shared_users=2, session_timeout="3h"
        )
        client.hotspot_profile_set(profile_id, rate_limit="3M/6M")
        (profile,) = client.hotspot_profiles(name="3hours")
        assert (profile.rate_limit, profile.shared_users, profile.session_timeout_seconds) == (
            "3M/6M",
            2,
            10800,
        )
        assert [p.is_default for p in client.hotspot_profiles(name="default")] == [True]
        with pytest.raises(RouterCommandRejected, match="default"):
            client.hotspot_profile_remove("default")
        client.hotspot_profile_remove(profile_id)
    assert [p["name"] for p in sim.hotspot_profiles] == ["default", "1hour", "1day"]


def test_hotspot_active_login_print_and_remove(sim_router):
    sim = sim_router()
    with connect(target(sim)) as client:
        client.hotspot_user_add(name="alice", password="pw", limit_uptime="30m")
        client.hotspot_active_login(
            user="alice", password="pw", ip="10.5.50.9", mac_address="02:AA:BB:CC:DD:EE"
        )
        with pytest.raises(RouterCommandRejected, match="invalid username or password"):
            client.hotspot_active_login(user="alice", password="nope", ip="10.5.50.10")
        sim.advance(120)
        (session,) = client.hotspot_active(user="alice")
        assert (session.address, session.mac_address) == ("10.5.50.9", "02:AA:BB:CC:DD:EE")
        assert session.uptime_seconds >= 120
        assert session.bytes_out > 0
        assert session.bytes_in > 0
        assert session.session_time_left_seconds <= 30 * 60 - 120
        client.hotspot_active_remove(session.id)
        assert client.hotspot_active() == []


def test_ppp_secrets_and_active_sessions(sim_router):
    sim = sim_router(ppp_secrets=2, ppp_sessions=1, version="6.49.10")
    with connect(target(sim)) as client:
        secret_id = client.ppp_secret_add(
            name="home-42", password="pw", remote_address="172.16.9.9"
        )
        client.ppp_secret_set(secret_id, comment="Mr A")
        sim.ppp_connect("home-42")
        active = {s.name: s for s in client.ppp_active()}
        assert set(active) == {"pppoe001", "home-42"}
        assert active["home-42"].address == "172.16.9.9"
        client.ppp_active_remove(active["home-42"].id)
        secret = {s.name: s for s in client.ppp_secrets()}["home-42"]
        assert secret.comment == "Mr A"
        assert secret.last_logged_out is not None  # "mmm/dd/yyyy" on 6.x, parsed
        client.ppp_secret_remove("home-42")
        assert "home-42" not in {s.name for s in client.ppp_secrets()}


def test_async_face_reads_the_same_menus(sim_router):
    sim = sim_router(active_sessions=4, ppp_secrets=2, ppp_sessions=2, identity="Async-1")

    async def poll():
        client = await async_connect(target(sim))
        async with client:
            return (
                await client.identity(),
                await client.resource(),
                await client.interfaces(),
                await client.hotspot_active(),
                await client.ppp_active(),
            )

    identity, resource, interfaces, sessions, ppp = run_async(poll())
    assert identity.name == "Async-1"
    assert resource.version.startswith("7.")
    assert len(interfaces) == 5
    assert len(sessions) == 4
    assert all(s.user.startswith("guest") for s in sessions)
    assert len(ppp) == 2


def test_empty_before_done_is_an_empty_list(sim_router):
    sim = sim_router(version="7.19.1")

    async def read():
        client = await async_connect(target(sim))
        async with client:
            return await client.hotspot_active()

    assert run_async(read()) == []
    with connect(target(sim)) as client:
        assert client.ppp_active() == []


def test_two_traps_from_an_old_router_are_one_rejection(sim_router):
    sim = sim_router(version="6.48")
    with connect(target(sim)) as client:
        with pytest.raises(RouterCommandRejected) as rejected:
            client.print("/no/such/menu")
        assert "no such command prefix" in rejected.value.router_message
        assert len(rejected.value.categories) == 2
        assert client.identity()  # still in step


def test_tls_with_and_without_verification(sim_router, sim_fleet):
    sim = sim_router(tls=True, identity="Secure-1")
    no_verify = target(sim, port=sim.tls_port, use_tls=True, verify_tls=False)
    with connect(no_verify) as client:
        assert client.identity().name == "Secure-1"
    with pytest.raises(RouterUnreachable, match="certificate"):
        connect(target(sim, port=sim.tls_port, use_tls=True, verify_tls=True))
    trusted = target(
        sim,
        port=sim.tls_port,
        use_tls=True,
        verify_tls=True,
        ca_data=sim_fleet.certificate.cert_pem.decode(),
    )
    with connect(trusted) as client:  # hostname checked against the certificate
        assert client.identity().name == "Secure-1"

    async def read():
        client = await async_connect(trusted)
        async with client:
            return await client.identity()

    assert run_async(read()).name == "Secure-1"


def test_plain_client_on_tls_port_fails_clearly(sim_router):
    sim = sim_router(tls=True)
    with pytest.raises((RouterTimeout, RouterUnreachable, RouterProtocolError)):
        connect(target(sim, port=sim.tls_port, connect_timeout=1))


def test_wrong_credentials(sim_router):
    sim = sim_router()
    with pytest.raises(RouterAuthFailed, match="refused the login"):
        connect(target(sim, password="not-it"))
    sim.reject_logins = True

    async def attempt():
        await async_connect(target(sim))

    with pytest.raises(RouterAuthFailed):
        run_async(attempt())


def test_nothing_listening_is_unreachable(sim_router, sim_fleet):
    sim = sim_router()
    sim_fleet.take_down(sim)
    with pytest.raises(RouterUnreachable, match="refused the connection"):
        connect(target(sim))
    sim_fleet.bring_up(sim)
    with connect(target(sim)) as client:
        assert client.identity()


def test_black_hole_times_out_at_login(sim_router):
    sim = sim_router(black_hole=True)
    with pytest.raises(RouterTimeout, match="did not answer the login"):
        connect(target(sim, connect_timeout=0.5))

    async def attempt():
        await async_connect(target(sim, connect_timeout=0.5))

    with pytest.raises(RouterTimeout):
        run_async(attempt())


def test_slow_reply_times_out_and_the_connection_is_discarded(sim_router):
    sim = sim_router()
    client = connect(target(sim, read_timeout=0.3))
    sim.latency = 1.0
    with pytest.raises(RouterTimeout, match="did not answer /system/identity/print"):
        client.identity()
    sim.latency = 0
    with pytest.raises(RouterProtocolError, match="closed after an error"):
        client.identity()  # never reused: the late reply would be read as this one's


def test_connection_dropped_mid_reply(sim_router):
    sim = sim_router(active_sessions=20)
    with connect(target(sim)) as client:
        sim.drop_rate = 1.0
        with pytest.raises(RouterUnreachable, match="in the middle of"):
            client.hotspot_active()
        with pytest.raises(RouterProtocolError):
            client.identity()


def test_garbage_bytes_are_a_protocol_error(sim_router):
    sim = sim_router(active_sessions=2)
    sim.garbage_rate = 1.0

    async def attempt():
        client = await async_connect(target(sim))
        try:
            await client.hotspot_active()
        finally:
            await client.close()

    with pytest.raises(RouterProtocolError, match="not valid RouterOS API"):
        run_async(attempt())


def test_random_failures_are_rejections(sim_router):
    sim = sim_router(failure_rate=1.0)
    with connect(target(sim)) as client, pytest.raises(RouterCommandRejected, match="simulated"):
        client.identity()


def test_repr_never_shows_the_password():
    secret = "Very-Secret-Pw-1"
    assert secret not in repr(RouterTarget("h", 1, "u", secret))
