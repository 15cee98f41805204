"""Polling through the real client against the simulator: what is stored, and when."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from accounts.tenancy import tenant
from routers import polling
from routers.models import (
    ActiveSession,
    InterfaceTrafficSample,
    Router,
    RouterEvent,
    RouterInterface,
    RouterStatusSample,
)
from routers.polling import (
    backoff_seconds,
    chunked,
    counter_delta,
    due_router_ids,
    poll_routers,
    store,
    store_results,
)

pytestmark = pytest.mark.django_db


def fresh(router):
    """The router as stored now (keeping the handle on its simulator)."""
    with tenant(router.organization):
        stored = Router.objects.get(pk=router.pk)
    stored.sim = getattr(router, "sim", None)
    return stored


def rows(model, router):
    with tenant(router.organization):
        return list(model.objects.filter(router=router))


def test_first_poll_stores_status_sessions_interfaces_and_an_online_event(sim_router, org_a):
    router = sim_router(
        org_a,
        identity="Legon-1",
        board_name="hEX S",
        version="7.15.2",
        active_sessions=6,
        ppp_sessions=2,
    )

    (outcome,) = poll_routers([router.pk])

    assert outcome.ok
    router = fresh(router)
    assert router.status == Router.Status.ONLINE
    assert (router.identity, router.board_name) == ("Legon-1", "hEX S")
    assert router.version.startswith("7.15.2")
    assert router.uptime_seconds > 3 * 86400
    assert router.cpu_load is not None
    assert 0 < router.memory_used_percent < 100
    assert (router.hotspot_sessions_count, router.ppp_sessions_count) == (6, 2)
    assert router.last_seen_at is not None
    assert router.poll_lease_token == ""
    sessions = rows(ActiveSession, router)
    assert sorted(s.username for s in sessions if s.kind == "hotspot") == [
        f"guest{n:03d}" for n in range(1, 7)
    ]
    assert {s.username for s in sessions if s.kind == "ppp"} == {"pppoe001", "pppoe002"}
    assert {s.address for s in sessions} == {s["address"] for s in router.sim.hotspot_active} | {
        s["address"] for s in router.sim.ppp_active
    }
    assert {i.name for i in rows(RouterInterface, router)} == {
        "ether1",
        "ether2",
        "ether3",
        "wlan1",
        "bridge-hotspot",
    }
    assert [e.kind for e in rows(RouterEvent, router)] == [RouterEvent.Kind.ONLINE]
    (sample,) = rows(RouterStatusSample, router)
    assert sample.is_reachable
    assert sample.hotspot_sessions == 6
    assert sample.rx_bytes is None  # no earlier counters to subtract from yet


def test_second_poll_stores_traffic_deltas_and_replaces_the_session_set(sim_router, org_a):
    router = sim_router(org_a, active_sessions=3)
    poll_routers([router.pk])
    before = {i["name"]: int(i["rx-byte"]) for i in router.sim.interfaces}
    leaving = router.sim.hotspot_active[0]
    router.sim.execute("/ip/hotspot/active/remove", {".id": leaving[".id"]}, [])
    router.sim.execute("/ip/hotspot/user/add", {"name": "newbie", "password": "p"}, [])
    router.sim.login("newbie", ip="10.5.50.77")
    router.sim.advance(120)

    (outcome,) = poll_routers([router.pk], force=True)

    assert outcome.ok
    after = {i["name"]: int(i["rx-byte"]) for i in router.sim.interfaces}
    with tenant(org_a):
        samples = {
            s.interface.name: s
            for s in InterfaceTrafficSample.objects.select_related("interface").filter(
                router=router
            )
        }
        status = RouterStatusSample.objects.filter(router=router).order_by("-taken_at").first()
    # The simulator keeps counting between our read and the poll, so allow a small overshoot.
    ether1 = samples["ether1"]
    assert ether1.rx_bytes > 0
    assert ether1.rx_bytes == pytest.approx(after["ether1"] - before["ether1"], rel=0.02)
    assert not ether1.counter_reset
    physical = sum(s.rx_bytes for name, s in samples.items() if name != "bridge-hotspot")
    assert status.rx_bytes == physical
    users = sorted(s.username for s in rows(ActiveSession, router))
    assert leaving["user"] not in users
    assert "newbie" in users
    assert len(users) == 3


def test_counter_delta_handles_resets():
    assert counter_delta(100, 250, rebooted=False) == (150, False)
    assert counter_delta(1000, 40, rebooted=False) == (40, True)  # reset-counters
    assert counter_delta(100, 250, rebooted=True) == (250, True)  # rebooted, grew past old value


def test_reboot_is_an_event_and_counts_from_zero(sim_router, org_a):
    router = sim_router(org_a, active_sessions=2)
    poll_routers([router.pk])
    router.sim.reboot()
    router.sim.advance(30)
    stored = fresh(router)
    # Pretend the last poll was a minute ago (the simulator's clock jumped).
    with tenant(org_a):
        Router.objects.filter(pk=router.pk).update(
            last_seen_at=stored.last_seen_at - timedelta(minutes=5)
        )

    poll_routers([router.pk], force=True)

    router = fresh(router)
    assert router.uptime_seconds < 60
    kinds = [e.kind for e in rows(RouterEvent, router)]
    assert RouterEvent.Kind.REBOOTED in kinds
    with tenant(org_a):
        ether1 = InterfaceTrafficSample.objects.get(router=router, interface__name="ether1")
    assert ether1.counter_reset
    assert 0 <= ether1.rx_bytes <= int(router.sim.interfaces[0]["rx-byte"])


def test_unreachable_router_goes_offline_backs_off_and_comes_back(sim_router, sim_fleet, org_a):
    router = sim_router(org_a, active_sessions=3)
    poll_routers([router.pk])
    sim_fleet.take_down(router.sim)

    (outcome,) = poll_routers([router.pk])

    assert not outcome.ok
    router = fresh(router)
    assert router.status == Router.Status.OFFLINE
    assert router.last_error_kind == "unreachable"
    assert "refused the connection" in router.last_error
    assert router.consecutive_failures == 1
    assert (router.hotspot_sessions_count, rows(ActiveSession, router)) == (0, [])
    assert router.pk in due_router_ids()  # first failure: retried next cycle

    poll_routers([router.pk])
    router = fresh(router)
    assert router.consecutive_failures == 2
    assert router.next_poll_at > timezone.now() + timedelta(seconds=100)
    assert router.pk not in due_router_ids()  # backing off
    assert poll_routers([router.pk]) == []  # the scheduled path respects back-off

    sim_fleet.bring_up(router.sim)
    (outcome,) = poll_routers([router.pk], force=True)  # "test connection" ignores back-off
    router = fresh(router)
    assert outcome.ok
    assert router.status == Router.Status.ONLINE
    assert router.consecutive_failures == 0
    assert router.next_poll_at is None
    kinds = [e.kind for e in sorted(rows(RouterEvent, router), key=lambda e: e.pk)]
    assert kinds == [RouterEvent.Kind.ONLINE, RouterEvent.Kind.OFFLINE, RouterEvent.Kind.ONLINE]
    samples = rows(RouterStatusSample, router)
    assert [s.is_reachable for s in sorted(samples, key=lambda s: s.pk)] == [
        True,
        False,
        False,
        True,
    ]


def test_backoff_doubles_up_to_the_cap(settings):
    settings.ROUTER_POLL_INTERVAL = 60
    settings.ROUTER_POLL_MAX_BACKOFF = 600
    assert [backoff_seconds(n) for n in range(1, 7)] == [0, 120, 240, 480, 600, 600]


@pytest.mark.parametrize(
    ("knob", "status", "kind", "message"),
    [
        ({"reject_logins": True}, Router.Status.AUTH_FAILED, "auth_failed", "refused the login"),
        ({"black_hole": True}, Router.Status.OFFLINE, "timeout", "did not answer the login"),
        ({"drop_rate": 1.0}, Router.Status.OFFLINE, "unreachable", "in the middle of"),
        ({"garbage_rate": 1.0}, Router.Status.ERROR, "protocol", "not valid RouterOS API"),
        ({"failure_rate": 1.0}, Router.Status.ERROR, "rejected", "simulated failure"),
    ],
)
def test_each_fault_marks_the_router_and_writes_nothing_half(
    sim_router, org_a, fast_timeouts, knob, status, kind, message
):
    router = sim_router(org_a, active_sessions=5)
    poll_routers([router.pk])
    counters_before = fresh(router).interface_counters
    for name, value in knob.items():
        setattr(router.sim, name, value)
    router.sim.advance(60)

    (outcome,) = poll_routers([router.pk], force=True)

    assert not outcome.ok
    router = fresh(router)
    assert router.status == status
    assert router.last_error_kind == kind
    assert message in router.last_error
    assert router.poll_lease_token == ""  # the lease is released
    # No partial data: counters untouched, no traffic rows, sessions emptied with the count.
    assert router.interface_counters == counters_before
    assert rows(InterfaceTrafficSample, router) == []
    assert rows(ActiveSession, router) == []
    assert router.hotspot_sessions_count == 0
    latest = max(rows(RouterStatusSample, router), key=lambda s: s.pk)
    assert not latest.is_reachable
    assert latest.cpu_load is None


def test_one_bad_router_does_not_stop_or_delay_the_others(sim_router, org_a, org_b, fast_timeouts):
    healthy = [sim_router(org_a, active_sessions=2) for _ in range(3)]
    healthy.append(sim_router(org_b, active_sessions=2))
    broken = [
        sim_router(org_a, black_hole=True),
        sim_router(org_a, garbage_rate=1.0),
        sim_router(org_b, reject_logins=True),
        sim_router(org_b, drop_rate=1.0, active_sessions=30),
    ]

    finished = poll_routers([r.pk for r in healthy + broken])
    outcomes = {o.router_id: o for o in finished}

    assert len(outcomes) == 8
    for router in healthy:
        assert outcomes[router.pk].ok
        assert fresh(router).status == Router.Status.ONLINE
        assert len(rows(ActiveSession, router)) == 2
    for router in broken:
        assert not outcomes[router.pk].ok
    # Results are stored as they arrive: no healthy router waited for the black hole.
    order = [o.router_id for o in finished]
    assert order.index(broken[0].pk) > max(order.index(r.pk) for r in healthy)
    with tenant(org_b):
        assert ActiveSession.objects.count() == 2  # org B's rows stored under org B


def test_a_router_that_never_answers_holds_no_slot_while_it_times_out(sim_router, org_a):
    # given one slot, and a black hole first in line (it failed last time)
    hole = sim_router(org_a, black_hole=True)
    with tenant(org_a):
        Router.objects.filter(pk=hole.pk).update(consecutive_failures=1)
    healthy = [sim_router(org_a, active_sessions=2) for _ in range(3)]

    with override_settings(ROUTER_CONNECT_TIMEOUT=2):
        finished = poll_routers([hole.pk, *(r.pk for r in healthy)], concurrency=1)

    # then the healthy routers were asked while it timed out, not after
    order = [o.router_id for o in finished]
    assert order[-1] == hole.pk and all(o.ok for o in finished[:-1])
    assert "did not answer the login" in fresh(hole).last_error


def test_a_poll_longer_than_the_time_limit_is_stopped(sim_router, org_a, settings):
    settings.ROUTER_POLL_TIME_LIMIT = 1
    router = sim_router(org_a, latency=0.3)  # six round trips: 1.8 s

    (outcome,) = poll_routers([router.pk])

    assert not outcome.ok
    assert "took longer than 1 s" in fresh(router).last_error


def test_a_leased_router_is_skipped(sim_router, org_a):
    router = sim_router(org_a)
    _token, claimed = polling.claim_routers([router.pk])
    assert [r.pk for r in claimed] == [router.pk]

    assert poll_routers([router.pk], force=True) == []  # someone else is polling it
    assert router.sim.logins == 0


def test_a_result_for_a_lost_lease_is_discarded(sim_router, org_a):
    router = sim_router(org_a, active_sessions=2)
    token, (claimed,) = polling.claim_routers([router.pk])
    result = polling.PollResult(
        router_id=router.pk, taken_at=timezone.now(), error_kind="timeout", error="late"
    )
    with tenant(org_a):
        Router.objects.filter(pk=router.pk).update(poll_lease_token="someone-else")
        (outcome,) = store_results([result], {router.pk: claimed}, token)

    assert not outcome.stored
    router = fresh(router)
    assert router.status == Router.Status.UNKNOWN
    assert rows(RouterStatusSample, router) == []
    assert rows(RouterEvent, router) == []


def test_storage_failure_rolls_back_that_router_only(sim_router, org_a, monkeypatch):
    good = sim_router(org_a, active_sessions=2)
    bad = sim_router(org_a, active_sessions=2)
    original = store._session_rows

    def explode(router, result, now):
        if router.pk == bad.pk:
            raise RuntimeError("disk full")
        return original(router, result, now)

    monkeypatch.setattr(store, "_session_rows", explode)

    outcomes = poll_routers([good.pk, bad.pk])

    assert [o.router_id for o in outcomes] == [good.pk]
    assert fresh(good).status == Router.Status.ONLINE
    bad = fresh(bad)
    assert bad.status == Router.Status.UNKNOWN  # nothing of the half-stored poll remains
    assert rows(RouterStatusSample, bad) == []
    assert rows(RouterInterface, bad) == []
    assert rows(RouterEvent, bad) == []


def test_menus_the_router_lacks_are_a_warning_not_a_failure(sim_router, org_a, monkeypatch):
    router = sim_router(org_a, active_sessions=2)
    original = router.sim.execute

    def no_ppp(command, attributes, queries):
        if command.startswith("/ppp/"):
            from routers.simulator import CommandError

            raise CommandError("no such command prefix", 0)
        return original(command, attributes, queries)

    monkeypatch.setattr(router.sim, "execute", no_ppp)

    (outcome,) = poll_routers([router.pk])

    router = fresh(router)
    assert outcome.ok
    assert router.status == Router.Status.ONLINE
    assert router.hotspot_sessions_count == 2
    assert "no such command prefix" in router.last_error


def test_disabled_routers_are_not_polled_by_the_schedule(sim_router, org_a):
    router = sim_router(org_a)
    with tenant(org_a):
        Router.objects.filter(pk=router.pk).update(is_enabled=False)
    assert router.pk not in due_router_ids()
    assert poll_routers([router.pk]) == []


def test_chunks_spread_failing_routers_over_every_chunk():
    ids = list(range(1, 11))  # the first three failed last time
    chunks = chunked(ids, 4)
    assert len(chunks) == 3
    assert sorted(i for chunk in chunks for i in chunk) == ids
    assert all(chunk[0] in (1, 2, 3) for chunk in chunks)
    assert chunked([], 4) == []


def test_scheduled_fan_out_polls_every_due_router_of_every_org(sim_router, org_a, org_b, settings):
    from routers.tasks import poll_routers_task

    settings.ROUTER_POLL_CHUNK_SIZE = 2
    routers = [sim_router(org_a, active_sessions=1) for _ in range(3)]
    routers.append(sim_router(org_b, active_sessions=1))

    assert poll_routers_task.delay().get() == 4  # eager in tests: chunks run inline

    for router in routers:
        assert fresh(router).status == Router.Status.ONLINE
    assert poll_routers_task.delay().get() == 4  # healthy routers are due every cycle


def test_poll_router_task_ignores_another_orgs_router(sim_router, org_a, org_b):
    from routers.tasks import poll_router_task

    router = sim_router(org_b)
    assert poll_router_task.delay(org_a.pk, router.pk).get() is False
    assert fresh(router).status == Router.Status.UNKNOWN
    assert poll_router_task.delay(org_b.pk, router.pk).get() is True


def test_poll_routers_command_prints_one_line_per_router(sim_router, org_a, capsys, fast_timeouts):
    ok = sim_router(org_a, identity="Cmd-OK", name="Good one")
    bad = sim_router(org_a, reject_logins=True, name="Bad one")

    call_command("poll_routers", "--once")

    out = capsys.readouterr().out
    assert f"ok  #{ok.pk} Good one: Cmd-OK" in out
    assert f"ERR #{bad.pk} Bad one:" in out
    assert "refused the login" in out
    assert "1 ok, 1 failed" in out

    call_command("poll_routers", "--once", "--router", str(ok.pk))
    assert capsys.readouterr().out.count("\n") == 2
    with pytest.raises(Exception, match="no router with id 999999"):
        call_command("poll_routers", "--once", "--router", "999999")


def test_retention_sweep_deletes_only_history_older_than_its_period(
    sim_router, org_a, org_b, settings
):
    """Router history follows ROUTER_HISTORY_RETENTION_DAYS and events
    ROUTER_EVENT_RETENTION_DAYS, applied by the privacy retention sweep to
    every organisation's routers."""
    from privacy.models import RetentionPurge
    from privacy.tasks import retention_sweep_task
    from tests.routers.factories import RouterEventFactory, RouterStatusSampleFactory

    settings.ROUTER_HISTORY_RETENTION_DAYS = 7
    settings.ROUTER_EVENT_RETENTION_DAYS = 30
    router = sim_router(org_a)
    router_b = sim_router(org_b)
    now = timezone.now()
    old = RouterStatusSampleFactory(
        organization=org_a, router=router, taken_at=now - timedelta(days=8)
    )
    recent = RouterStatusSampleFactory(
        organization=org_a, router=router, taken_at=now - timedelta(days=6)
    )
    old_b = RouterStatusSampleFactory(
        organization=org_b, router=router_b, taken_at=now - timedelta(days=9)
    )
    recent_b = RouterStatusSampleFactory(
        organization=org_b, router=router_b, taken_at=now - timedelta(days=1)
    )
    old_event = RouterEventFactory(
        organization=org_a, router=router, created_at=now - timedelta(days=31)
    )
    kept_event = RouterEventFactory(
        organization=org_a, router=router, created_at=now - timedelta(days=8)
    )

    retention_sweep_task.delay().get()

    assert {s.pk for s in rows(RouterStatusSample, router)} == {recent.pk}
    assert {e.pk for e in rows(RouterEvent, router)} == {kept_event.pk}
    assert {s.pk for s in rows(RouterStatusSample, router_b)} == {recent_b.pk}
    with tenant(org_a):
        assert not RouterStatusSample.objects.filter(pk=old.pk).exists()
        assert not RouterEvent.objects.filter(pk=old_event.pk).exists()
    with tenant(org_b):
        assert not RouterStatusSample.objects.filter(pk=old_b.pk).exists()
    purges = dict(RetentionPurge.objects.values_list("model_label", "deleted"))
    assert purges["routers.RouterStatusSample"] == 2
    assert purges["routers.RouterEvent"] == 1


def test_interface_rows_follow_state_changes_only(sim_router, org_a, django_assert_max_num_queries):
    router = sim_router(org_a)
    poll_routers([router.pk])
    with tenant(org_a):
        ether2 = RouterInterface.objects.get(router=router, name="ether2")
    assert ether2.is_running
    assert not ether2.is_disabled

    # A poll where nothing but counters changed writes no interface rows.
    router.sim.advance(60)
    # the poll itself plus the vouchers and customers hooks that run after it
    with django_assert_max_num_queries(17):
        poll_routers([router.pk], force=True)
    with tenant(org_a):
        assert RouterInterface.objects.get(pk=ether2.pk).changed_at == ether2.changed_at

    router.sim.execute("/interface/set", {"numbers": "ether2", "disabled": "yes"}, [])
    router.sim.advance(60)
    poll_routers([router.pk], force=True)
    with tenant(org_a):
        changed = RouterInterface.objects.get(pk=ether2.pk)
        samples = InterfaceTrafficSample.objects.filter(interface=changed).count()
    assert changed.is_disabled
    assert not changed.is_running
    assert changed.changed_at > ether2.changed_at
    assert samples == 2  # history continues on the same interface row


def test_a_batch_costs_one_statement_per_router_plus_a_few(sim_router, org_a, org_b):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from routers.polling import claim_routers, fetch_router, router_target
    from tests.routers.sim import run_async

    def store_cost(count):
        routers = [sim_router(org_a if n % 2 else org_b, active_sessions=5) for n in range(count)]
        for _ in range(2):  # the second poll is the steady state (deltas, no new interfaces)
            token, claimed = claim_routers([r.pk for r in routers], force=True)
            results = [run_async(fetch_router(r.pk, router_target(r))) for r in claimed]
            with CaptureQueriesContext(connection) as queries:
                outcomes = store_results(results, {r.pk: r for r in claimed}, token)
        assert all(outcome.ok and outcome.stored for outcome in outcomes)
        return len(queries.captured_queries)

    few, many = store_cost(3), store_cost(12)
    assert many - few <= 9  # one UPDATE per extra router; samples and sessions go in bulk
