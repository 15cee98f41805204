"""Status and traffic history of one router, as charts of the shared chart component.

Samples are grouped into buckets (15 minutes over 24 hours, 2 hours over
7 days) so a chart has at most ~100 points whatever the poll interval. A
bucket without a reachable sample leaves a gap in the line, and a bucket
where the router was polled but unreachable is shaded as an outage. Drawing
is nettportal.charts' job; this module only reads and buckets samples.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from nettportal.charts import BPS, PERCENT, Chart, Series, line_chart
from routers.models import Router, RouterStatusSample

# range key: (span, bucket, x tick every, x tick format, bucket label format)
RANGES = {
    "24h": (timedelta(hours=24), timedelta(minutes=15), timedelta(hours=6), "%H:%M", "%a %H:%M"),
    "7d": (timedelta(days=7), timedelta(hours=2), timedelta(days=1), "%a %d", "%a %d %b %H:%M"),
}


def router_charts(
    *, router: Router, range_key: str = "24h", now: datetime | None = None, time_zone: str = "UTC"
) -> list[Chart]:
    """CPU, memory and traffic charts of ``router`` over ``range_key`` (one query)."""
    span, bucket, tick_every, tick_format, label_format = RANGES.get(range_key, RANGES["24h"])
    now = now or timezone.now()
    start = now - span
    buckets = int(span / bucket)
    cpu: list[list[float]] = [[] for _ in range(buckets)]
    memory: list[list[float]] = [[] for _ in range(buckets)]
    rx = [0] * buckets
    tx = [0] * buckets
    seconds = [0] * buckets
    reachable = [False] * buckets
    seen = [False] * buckets
    rows = (
        RouterStatusSample.objects.filter(router=router, taken_at__gt=start, taken_at__lte=now)
        .order_by("taken_at")
        .values_list(
            "taken_at",
            "is_reachable",
            "cpu_load",
            "memory_used_percent",
            "rx_bytes",
            "tx_bytes",
            "interval_seconds",
        )
    )
    for taken_at, is_reachable, cpu_load, memory_used, rx_bytes, tx_bytes, interval in rows:
        index = min(buckets - 1, int((taken_at - start) / bucket))
        seen[index] = True
        if not is_reachable:
            continue
        reachable[index] = True
        if cpu_load is not None:
            cpu[index].append(cpu_load)
        if memory_used is not None:
            memory[index].append(memory_used)
        if rx_bytes is not None and interval:
            rx[index] += rx_bytes
            tx[index] += tx_bytes or 0
            seconds[index] += interval

    def average(values):
        return sum(values) / len(values) if values else None

    zone = ZoneInfo(time_zone)
    x_ticks = []
    tick = (start.astimezone(zone) + tick_every).replace(minute=0, second=0, microsecond=0)
    if tick_every >= timedelta(days=1):
        tick = tick.replace(hour=0)
    while tick < now:
        x_ticks.append(((tick - start) / span, tick.strftime(tick_format)))
        tick += tick_every
    labels = [
        (start + bucket * index).astimezone(zone).strftime(label_format) for index in range(buckets)
    ]
    unreachable = _("Unreachable")
    bands = [
        (index / buckets, (index + 1) / buckets, unreachable)
        for index in range(buckets)
        if seen[index] and not reachable[index]
    ]
    rx_bps = [rx[i] * 8 / seconds[i] if seconds[i] else None for i in range(buckets)]
    tx_bps = [tx[i] * 8 / seconds[i] if seconds[i] else None for i in range(buckets)]
    common = {
        "labels": labels,
        "x_ticks": x_ticks,
        "bands": bands,
        "x_header": _("From"),
        "width": 480,
        "height": 190,
        "font_size": 13,
        "caption": True,
        "show_summary": True,
        "css_class": "card",
    }
    percentages = [
        ("cpu", _("CPU load"), Series(_("CPU"), [average(v) for v in cpu], "s1")),
        ("memory", _("Memory used"), Series(_("Memory"), [average(v) for v in memory], "s2")),
    ]
    charts = [
        line_chart(key=key, title=title, unit=PERCENT, y_max=100, series=[series], **common)
        for key, title, series in percentages
    ]
    traffic = [Series(_("Download (rx)"), rx_bps, "s1"), Series(_("Upload (tx)"), tx_bps, "s3")]
    charts.append(line_chart(key="traffic", title=_("Traffic"), unit=BPS, series=traffic, **common))
    return charts
