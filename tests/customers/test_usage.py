"""Usage records built from successive router snapshots."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db.models import Sum

from accounts.tenancy import all_tenants, tenant
from customers.models import (
    CustomerDevice,
    RouterUsageDaily,
    UsageDaily,
    UsageSession,
)
from customers.services.usage import (
    ObservedSession,
    register_session_resolver,
    usage_close_stale,
    usage_snapshot_record,
    usage_snapshots_record,
)
from tests.customers.factories import (
    CustomerDeviceFactory,
    CustomerFactory,
    PppoeAccountFactory,
    UsageDailyFactory,
    UsageSessionFactory,
)
from tests.routers.factories import RouterFactory

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def hotspot(
    sid="*1", user="NET-0001", mac="AA:BB:CC:00:00:01", up=60, bytes_in=1000, bytes_out=5000
):
    return ObservedSession("hotspot", sid, user, mac, "10.5.50.2", up, bytes_in, bytes_out)


def ppp(sid="*A", name="kwame", up=60, bytes_in=None, bytes_out=None):
    return ObservedSession(
        "pppoe", sid, name, "02:11:22:33:44:55", "172.16.0.9", up, bytes_in, bytes_out
    )


@pytest.fixture
def router(org_a):
    return RouterFactory(organization=org_a, name="Tower")


@pytest.fixture
def record(org_a, router):
    def apply(at, sessions, **kwargs):
        with tenant(org_a):
            return usage_snapshot_record(router=router, taken_at=at, sessions=sessions, **kwargs)

    return apply


def _sessions(org):
    with tenant(org):
        return list(UsageSession.objects.order_by("started_at", "id"))


def _router_totals(org):
    with tenant(org):
        return RouterUsageDaily.objects.aggregate(
            i=Sum("bytes_in"), o=Sum("bytes_out"), s=Sum("seconds"), n=Sum("sessions")
        )


@pytest.mark.django_db
def test_a_session_grows_over_polls_then_closes_when_gone(org_a, record):
    # given a session first seen one minute after it started
    outcome = record(T0, [hotspot(up=60, bytes_in=1000, bytes_out=5000)])
    assert outcome.opened == 1
    (session,) = _sessions(org_a)
    assert session.started_at == T0 - timedelta(seconds=60) and session.ended_at is None

    # when the next poll sees it a minute later with more traffic
    outcome = record(T0 + timedelta(seconds=60), [hotspot(up=120, bytes_in=3000, bytes_out=9000)])
    assert (outcome.opened, outcome.continued) == (0, 1)
    (session,) = _sessions(org_a)
    assert (session.bytes_in, session.bytes_out, session.uptime_seconds) == (3000, 9000, 120)

    # and then it is no longer listed
    outcome = record(T0 + timedelta(seconds=120), [])
    assert outcome.closed == 1
    (session,) = _sessions(org_a)
    assert session.ended_at == T0 + timedelta(seconds=60)
    assert session.end_reason == UsageSession.EndReason.VANISHED
    assert _router_totals(org_a) == {"i": 3000, "o": 9000, "s": 120, "n": 1}


@pytest.mark.django_db
def test_many_routers_in_one_call_give_what_one_call_each_gives(org_a, router):
    from customers.services.usage import Snapshot

    other = RouterFactory(organization=org_a, name="Market")
    mac = "AA:BB:CC:00:00:09"
    with tenant(org_a):
        # given both routers seen once, in one call
        first = usage_snapshots_record(
            [
                Snapshot(router, T0, [hotspot(up=60, bytes_in=1000, bytes_out=5000)]),
                Snapshot(other, T0, [hotspot(up=30, mac=mac, bytes_in=10, bytes_out=20)]),
            ]
        )
        # when the next call sees the first router's session grow, the other's gone,
        # and a stale snapshot of the first router comes along
        later = T0 + timedelta(seconds=60)
        second = usage_snapshots_record(
            [
                Snapshot(router, later, [hotspot(up=120, bytes_in=3000, bytes_out=9000)]),
                Snapshot(other, later, []),
            ]
        )
        stale = usage_snapshots_record([Snapshot(router, T0, [])])
        rows = {s.router_id: s for s in UsageSession.objects.all()}
        per_router = dict(
            RouterUsageDaily.objects.values_list("router_id").annotate(o=Sum("bytes_out"))
        )
    # then each router's outcome and rows are its own
    assert [(o.opened, o.continued, o.closed) for o in first] == [(1, 0, 0), (1, 0, 0)]
    assert [(o.opened, o.continued, o.closed) for o in second] == [(0, 1, 0), (0, 0, 1)]
    assert stale[0].skipped_stale_snapshot
    assert (rows[router.pk].bytes_out, rows[router.pk].ended_at) == (9000, None)
    assert rows[other.pk].end_reason == UsageSession.EndReason.VANISHED
    assert per_router == {router.pk: 9000, other.pk: 20}


@pytest.mark.django_db
def test_a_broken_poll_in_a_lot_loses_only_itself(org_a, router, caplog):
    from types import SimpleNamespace

    from customers.services.usage import usage_polls_record
    from routers.routeros import HotspotSession

    other = RouterFactory(organization=org_a, name="Market")
    session = HotspotSession("*1", "NET-0001", "10.5.50.2", "AA:BB:CC:00:00:01", 60, 1, 2, "", "")
    good = SimpleNamespace(taken_at=T0, hotspot_sessions=[session], ppp_sessions=[])
    broken = SimpleNamespace(taken_at=T0, hotspot_sessions=[object()], ppp_sessions=[])
    with tenant(org_a):
        usage_polls_record([(router, good, False), (other, broken, False)])
        assert list(UsageSession.objects.values_list("router_id", flat=True)) == [router.pk]
    assert "usage recording failed for router" in caplog.text


@pytest.mark.django_db
def test_counters_that_reset_are_counted_from_zero(org_a, record):
    record(T0, [hotspot(up=60, bytes_in=1000, bytes_out=5000)])
    record(T0 + timedelta(seconds=60), [hotspot(up=120, bytes_in=3000, bytes_out=9000)])
    # the counters went backwards while the session continued (cleared on the router)
    outcome = record(T0 + timedelta(seconds=120), [hotspot(up=180, bytes_in=500, bytes_out=1000)])
    assert outcome.counter_resets == 1 and outcome.continued == 1
    (session,) = _sessions(org_a)
    assert (session.bytes_in, session.bytes_out) == (3500, 10000)
    assert (session.counter_in, session.counter_out) == (500, 1000)
    # and the next delta starts from the reset value
    record(T0 + timedelta(seconds=180), [hotspot(up=240, bytes_in=700, bytes_out=1500)])
    (session,) = _sessions(org_a)
    assert (session.bytes_in, session.bytes_out) == (3700, 10500)
    assert _router_totals(org_a)["o"] == 10500


@pytest.mark.django_db
def test_a_router_reboot_ends_every_session_and_reused_ids_start_new_ones(org_a, record):
    record(T0, [hotspot(sid="*1", up=600), ppp(sid="*2", up=900)])
    # the router rebooted: RouterOS numbers sessions from *1 again, counters from zero
    later = T0 + timedelta(minutes=5)
    outcome = record(later, [hotspot(sid="*1", up=30, bytes_in=10, bytes_out=20)], rebooted=True)
    assert (outcome.closed, outcome.opened, outcome.continued) == (2, 1, 0)
    old_hotspot, old_ppp, new = _sessions(org_a)[0], _sessions(org_a)[1], _sessions(org_a)[2]
    assert {old_hotspot.end_reason, old_ppp.end_reason} == {UsageSession.EndReason.ROUTER_REBOOT}
    assert old_hotspot.ended_at == T0
    assert new.ended_at is None and new.started_at == later - timedelta(seconds=30)
    assert (new.bytes_in, new.bytes_out) == (10, 20)


@pytest.mark.django_db
def test_a_reused_id_is_a_new_session_even_without_a_reboot(org_a, record):
    record(T0, [hotspot(sid="*1", user="NET-0001", up=300)])
    # another voucher logged in and got the same .id
    record(T0 + timedelta(minutes=1), [hotspot(sid="*1", user="NET-0002", up=20)])
    # the same user reconnected (uptime far below the time that passed) under the same id
    record(T0 + timedelta(minutes=10), [hotspot(sid="*1", user="NET-0002", up=40)])
    sessions = _sessions(org_a)
    assert [s.username for s in sessions] == ["NET-0001", "NET-0002", "NET-0002"]
    assert [s.end_reason for s in sessions] == ["restarted", "restarted", ""]


@pytest.mark.django_db
def test_the_same_snapshot_twice_changes_nothing_and_older_ones_are_ignored(org_a, record):
    snapshot = [hotspot(up=60, bytes_in=1000, bytes_out=5000)]
    record(T0, snapshot)
    again = record(T0, snapshot)
    assert (again.opened, again.closed) == (0, 0)
    assert _router_totals(org_a) == {"i": 1000, "o": 5000, "s": 60, "n": 1}
    stale = record(T0 - timedelta(minutes=1), [])
    assert stale.skipped_stale_snapshot
    assert _sessions(org_a)[0].ended_at is None


@pytest.mark.django_db
def test_sessions_are_linked_to_customers_by_pppoe_username_and_known_device(org_a, record):
    with tenant(org_a):
        pppoe_customer = CustomerFactory(organization=org_a, customer_type="pppoe")
        PppoeAccountFactory(customer=pppoe_customer, organization=org_a, username="Kwame")
        hotspot_customer = CustomerFactory(organization=org_a)
        CustomerDeviceFactory(
            customer=hotspot_customer, organization=org_a, mac_address="AA:BB:CC:00:00:01"
        )
    record(
        T0,
        [
            ppp(name="kwame"),
            hotspot(mac="AA:BB:CC:00:00:01"),
            hotspot(sid="*9", user="NET-X", mac="AA:BB:CC:00:00:99"),
        ],
    )
    by_user = {s.username: s for s in _sessions(org_a)}
    assert by_user["kwame"].customer_id == pppoe_customer.pk
    assert by_user["NET-0001"].customer_id == hotspot_customer.pk
    assert by_user["NET-X"].customer_id is None  # an anonymous voucher
    with tenant(org_a):
        device = CustomerDevice.objects.get(customer=pppoe_customer)
        assert device.mac_address == "02:11:22:33:44:55" and device.last_ip == "172.16.0.9"
        pppoe_customer.refresh_from_db()
        assert pppoe_customer.last_seen_at == T0
        assert UsageDaily.objects.filter(customer=hotspot_customer).get().bytes_out == 5000
    # the router's rollup counts everyone, the anonymous voucher too
    assert _router_totals(org_a)["n"] == 3


@pytest.mark.django_db
def test_other_apps_can_resolve_usernames(org_a, record):
    with tenant(org_a):
        buyer = CustomerFactory(organization=org_a)

    def vouchers(kind, usernames):
        return {name: buyer.pk for name in usernames if name.startswith("NET-")}

    register_session_resolver(vouchers)
    try:
        record(T0, [hotspot(user="NET-1234", mac="")])
    finally:
        from customers.services import usage

        usage._RESOLVERS.remove(vouchers)
    assert _sessions(org_a)[0].customer_id == buyer.pk


@pytest.mark.django_db
def test_a_session_that_spans_midnight_is_split_between_days(org_a, record):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a)
        CustomerDeviceFactory(
            customer=customer, organization=org_a, mac_address="AA:BB:CC:00:00:01"
        )
    before = datetime(2026, 3, 10, 23, 58, tzinfo=UTC)  # org time zone is UTC
    record(before, [hotspot(up=60, bytes_in=0, bytes_out=0)])
    record(before + timedelta(minutes=4), [hotspot(up=300, bytes_in=0, bytes_out=4000)])
    with tenant(org_a):
        days = dict(UsageDaily.objects.values_list("day", "bytes_out"))
        seconds = dict(UsageDaily.objects.values_list("day", "seconds"))
    assert days == {date(2026, 3, 10): 2000, date(2026, 3, 11): 2000}
    assert seconds[date(2026, 3, 10)] == 60 + 120 and seconds[date(2026, 3, 11)] == 120


@pytest.mark.django_db
def test_days_follow_the_organisations_time_zone(org_a, record):
    org_a.time_zone = "Africa/Nairobi"  # UTC+3
    org_a.save()
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a)
        CustomerDeviceFactory(
            customer=customer, organization=org_a, mac_address="AA:BB:CC:00:00:01"
        )
    record(datetime(2026, 3, 10, 22, 0, tzinfo=UTC), [hotspot(up=60)])  # 01:00 on the 11th
    with tenant(org_a):
        assert list(UsageDaily.objects.values_list("day", flat=True)) == [date(2026, 3, 11)]


@pytest.mark.django_db
def test_sessions_first_seen_long_after_they_started_spread_over_their_days(org_a, record):
    record(T0, [hotspot(up=3 * 86400, bytes_in=0, bytes_out=3_000_000)])
    with tenant(org_a):
        rows = list(
            RouterUsageDaily.objects.order_by("day").values_list("day", "bytes_out", "seconds")
        )
    assert len(rows) == 4  # 7th (from noon), 8th, 9th, 10th (to noon)
    assert sum(row[1] for row in rows) == 3_000_000
    assert max(row[2] for row in rows) <= 86400


@pytest.mark.django_db
def test_retention_sweep_deletes_old_sessions_keeps_open_ones_and_longer_rollups(
    org_a, org_b, router, settings
):
    """The privacy retention sweep applies the customers' two periods: raw
    sessions go after CUSTOMERS_SESSION_RETENTION_DAYS (open ones never), daily
    rollups only after the longer CUSTOMERS_ROLLUP_RETENTION_DAYS."""
    from privacy.services.retention import retention_sweep

    settings.CUSTOMERS_SESSION_RETENTION_DAYS = 30
    settings.CUSTOMERS_ROLLUP_RETENTION_DAYS = 365
    now = datetime(2026, 6, 1, tzinfo=UTC)
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a)
        old = UsageSessionFactory(
            customer=customer,
            organization=org_a,
            router=router,
            started_at=now - timedelta(days=40),
            ended_at=now - timedelta(days=39),
        )
        still_open = UsageSessionFactory(
            customer=customer,
            organization=org_a,
            router=router,
            started_at=now - timedelta(days=40),
            ended_at=None,
        )
        recent = UsageSessionFactory(
            customer=customer, organization=org_a, router=router, started_at=now - timedelta(days=2)
        )
        # a rollup older than the session period but younger than its own stays
        UsageDailyFactory(customer=customer, organization=org_a, day=date(2026, 4, 1))
        UsageDailyFactory(customer=customer, organization=org_a, day=date(2025, 1, 1))
    with tenant(org_b):
        router_b = RouterFactory(organization=org_b)
        customer_b = CustomerFactory(organization=org_b)
        old_b = UsageSessionFactory(
            customer=customer_b,
            organization=org_b,
            router=router_b,
            started_at=now - timedelta(days=31),
            ended_at=now - timedelta(days=31),
        )
        recent_b = UsageSessionFactory(
            customer=customer_b,
            organization=org_b,
            router=router_b,
            started_at=now - timedelta(days=29),
            ended_at=now - timedelta(days=29),
        )

    result = retention_sweep(now=now, chunk_size=1)

    with all_tenants():
        remaining = set(UsageSession.objects.values_list("pk", flat=True))
        days = list(UsageDaily.objects.values_list("day", flat=True))
    assert result["purged"]["customers.UsageSession"] == 2
    assert result["purged"]["customers.UsageDaily"] == 1
    assert remaining == {still_open.pk, recent.pk, recent_b.pk}
    assert old.pk not in remaining and old_b.pk not in remaining
    assert days == [date(2026, 4, 1)]
    # a second run finds nothing more to do
    assert "customers.UsageSession" not in retention_sweep(now=now)["purged"]


@pytest.mark.django_db
def test_sessions_of_routers_no_longer_polled_are_closed(org_a, record):
    record(T0, [hotspot()])
    with all_tenants():
        assert usage_close_stale(now=T0 + timedelta(hours=1)) == 0
        assert usage_close_stale(now=T0 + timedelta(days=1)) == 1
    assert _sessions(org_a)[0].end_reason == UsageSession.EndReason.STALE


# --- from real polls of a simulated router ------------------------------------------------


@pytest.mark.django_db
def test_polling_a_router_builds_usage_through_a_reboot(org_a, sim_router):
    from routers.services import hotspot_user_upsert, ppp_secret_upsert, router_poll_now

    router = sim_router(org_a)
    sim = router.sim
    with tenant(org_a):
        ama = CustomerFactory(organization=org_a, name="Ama")
        CustomerDeviceFactory(customer=ama, organization=org_a, mac_address="AA:BB:CC:DD:EE:01")
        kofi = CustomerFactory(organization=org_a, name="Kofi", customer_type="pppoe")
        PppoeAccountFactory(customer=kofi, organization=org_a, router=router, username="kofi")
    hotspot_user_upsert(router=router, name="NET-7777", password="1234")
    ppp_secret_upsert(router=router, name="kofi", password="Pass-word-1")
    sim.login("NET-7777", ip="10.5.50.9", mac="AA:BB:CC:DD:EE:01")
    sim.ppp_connect("kofi")

    with tenant(org_a):
        router_poll_now(router=router)
        sim.advance(120)
        router_poll_now(router=router)
        sessions = {s.username: s for s in UsageSession.objects.all()}
        assert sessions["NET-7777"].customer_id == ama.pk
        assert sessions["kofi"].customer_id == kofi.pk
        assert sessions["NET-7777"].bytes_out > 0 and sessions["kofi"].uptime_seconds >= 120
        first_bytes = sessions["NET-7777"].bytes_out

        sim.reboot()
        sim.advance(30)
        sim.login("NET-7777", ip="10.5.50.9", mac="AA:BB:CC:DD:EE:01")
        router_poll_now(router=router)

        ended = UsageSession.objects.filter(end_reason=UsageSession.EndReason.ROUTER_REBOOT)
        assert set(ended.values_list("username", flat=True)) == {"NET-7777", "kofi"}
        current = UsageSession.objects.get(ended_at__isnull=True)
        assert current.username == "NET-7777" and current.bytes_out < first_bytes
        total = UsageDaily.objects.filter(customer=ama).aggregate(Sum("bytes_out"))[
            "bytes_out__sum"
        ]
        assert total == first_bytes + current.bytes_out
        ama.refresh_from_db()
        assert ama.last_seen_at is not None


@pytest.mark.django_db
def test_a_usage_failure_never_fails_the_poll(org_a, sim_router, monkeypatch):
    from customers.services import usage
    from routers.models import Router
    from routers.services import router_poll_now

    router = sim_router(org_a, active_sessions=2)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(usage, "_record_snapshots", broken)
    with tenant(org_a):
        router_poll_now(router=router)
        router.refresh_from_db()
        assert router.status == Router.Status.ONLINE and router.hotspot_sessions_count == 2
        assert not UsageSession.objects.exists()


@pytest.mark.django_db
def test_detail_page_shows_the_usage_chart_and_sessions(client_a, org_a, router):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a)
        UsageDailyFactory(customer=customer, organization=org_a, bytes_out=2 * 1024**3)
        for index in range(25):
            UsageSessionFactory(
                customer=customer, organization=org_a, router=router, username=f"NET-{index:04d}"
            )
    page = client_a.get(f"/customers/{customer.pk}/").content.decode()
    assert "<svg" in page and "2.0 GB" in page
    assert page.count("NET-00") == 20 and "Older sessions" in page
    more = client_a.get(f"/customers/{customer.pk}/sessions/", HTTP_HX_REQUEST="true")
    assert more.content.decode().count("NET-00") == 25  # 50 per page on the sessions page


@pytest.mark.django_db
def test_customer_with_no_usage_has_an_empty_state(client_a, org_a):
    with tenant(org_a):
        customer = CustomerFactory(organization=org_a)
    page = client_a.get(f"/customers/{customer.pk}/").content.decode()
    assert "No usage in the last 30 days." in page and "No sessions recorded yet." in page
