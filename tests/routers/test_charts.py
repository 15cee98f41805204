"""Router history charts: status samples bucketed into the shared chart component."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tenancy import tenant
from nettportal.charts import format_bps
from routers.charts import router_charts
from tests.routers.factories import RouterFactory, RouterStatusSampleFactory

pytestmark = pytest.mark.django_db


def by_key(charts):
    return {chart.key: chart for chart in charts}


def test_samples_are_averaged_per_bucket_and_outages_break_the_line(org_a, org_b):
    router = RouterFactory(organization=org_a)
    now = timezone.now().replace(second=0, microsecond=0)
    start = now - timedelta(hours=24)
    # Bucket 0 (first 15 minutes): two samples, CPU 10 and 30 → 20.
    for minutes, cpu in ((1, 10), (2, 30)):
        RouterStatusSampleFactory(
            organization=org_a,
            router=router,
            cpu_load=cpu,
            taken_at=start + timedelta(minutes=minutes),
        )
    # Bucket 2: unreachable → an outage band and a gap.
    RouterStatusSampleFactory(
        organization=org_a,
        router=router,
        is_reachable=False,
        cpu_load=None,
        rx_bytes=None,
        tx_bytes=None,
        taken_at=start + timedelta(minutes=31),
    )
    # Bucket 4: 7.5 MB down in 60 s = 1 Mbps.
    RouterStatusSampleFactory(
        organization=org_a,
        router=router,
        cpu_load=50,
        rx_bytes=7_500_000,
        tx_bytes=750_000,
        interval_seconds=60,
        taken_at=start + timedelta(minutes=61),
    )
    RouterStatusSampleFactory(
        organization=org_b,
        router=RouterFactory(organization=org_b),
        cpu_load=99,
        taken_at=start + timedelta(minutes=61),
    )

    with tenant(org_a):
        charts = by_key(router_charts(router=router, range_key="24h", now=now))

    cpu = charts["cpu"].series[0]
    assert len(cpu.values) == 96
    assert cpu.values[0] == 20
    assert cpu.values[2] is None
    assert cpu.values[4] == 50
    # Broken by the gap: lone readings in buckets 0 and 4 are dots, not one line.
    assert len(charts["cpu"].dots) == 2 and not charts["cpu"].lines
    assert len(charts["cpu"].bands) == 1
    assert charts["cpu"].bands[0].title == "Unreachable"
    rx, tx = charts["traffic"].series
    assert rx.values[4] == pytest.approx(1_000_000)
    assert tx.values[4] == pytest.approx(100_000)
    assert charts["traffic"].y_max == 1_000_000
    assert "CPU latest 50%, peak 50%" in charts["cpu"].summary
    assert [tick.label for tick in charts["cpu"].y_ticks] == ["0%", "50%", "100%"]
    assert charts["cpu"].x_ticks  # hour labels along the bottom


def test_seven_days_use_two_hour_buckets(org_a):
    router = RouterFactory(organization=org_a)
    now = timezone.now()
    RouterStatusSampleFactory(
        organization=org_a, router=router, cpu_load=5, taken_at=now - timedelta(days=6, hours=23)
    )
    with tenant(org_a):
        charts = by_key(router_charts(router=router, range_key="7d", now=now))
    assert len(charts["cpu"].series[0].values) == 84
    assert charts["cpu"].series[0].values[0] == 5
    assert len(charts["cpu"].x_ticks) >= 6  # one label per day


def test_no_data_says_so(org_a):
    router = RouterFactory(organization=org_a)
    with tenant(org_a):
        charts = router_charts(router=router, range_key="bogus")
    assert all(not chart.has_data for chart in charts)
    assert all(chart.y_ticks == [] for chart in charts)
    assert all(chart.is_empty for chart in charts)
    assert charts[0].summary == "No data for this period"


def test_format_bps():
    assert format_bps(999) == "999 bps"
    assert format_bps(1_500) == "1.5 kbps"
    assert format_bps(12_300_000) == "12.3 Mbps"
    assert format_bps(2_000_000_000) == "2.0 Gbps"
