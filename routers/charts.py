"""Status and traffic history as inline SVG charts, computed on the server.

Samples are grouped into buckets (15 minutes over 24 hours, 2 hours over
7 days) so a chart has at most ~100 points whatever the poll interval. A
bucket without a reachable sample leaves a gap in the line, which is how an
outage shows. No JavaScript, no chart library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from routers.models import Router, RouterStatusSample

RANGES = {
    "24h": (timedelta(hours=24), timedelta(minutes=15), timedelta(hours=6), "%H:%M"),
    "7d": (timedelta(days=7), timedelta(hours=2), timedelta(days=1), "%a %d"),
}
WIDTH, HEIGHT = 480, 190
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 70, 10, 12, 26


@dataclass
class Series:
    label: str
    css_class: str
    values: list[float | None]
    segments: list[str] = field(default_factory=list)

    @property
    def latest(self):
        return next((v for v in reversed(self.values) if v is not None), None)

    @property
    def peak(self):
        present = [v for v in self.values if v is not None]
        return max(present) if present else None


@dataclass
class Chart:
    key: str
    title: str
    unit: str
    series: list[Series]
    y_max: float
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, str]]
    outages: list[tuple[float, float]]
    has_data: bool
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = PAD_LEFT
    plot_right: int = WIDTH - PAD_RIGHT
    plot_top: int = PAD_TOP
    plot_bottom: int = HEIGHT - PAD_BOTTOM

    @property
    def plot_height(self) -> int:
        return self.plot_bottom - self.plot_top

    @property
    def center_x(self) -> float:
        return (self.plot_left + self.plot_right) / 2

    @property
    def center_y(self) -> float:
        return (self.plot_top + self.plot_bottom) / 2

    @property
    def summary(self) -> str:
        parts = []
        for series in self.series:
            if series.latest is not None:
                parts.append(
                    _("%(label)s now %(now)s, peak %(peak)s")
                    % {
                        "label": series.label,
                        "now": self.format(series.latest),
                        "peak": self.format(series.peak),
                    }
                )
        return "; ".join(parts) or _("No data in this period.")

    def format(self, value: float) -> str:
        if self.unit == "%":
            return f"{value:.0f}%"
        return format_bps(value)


def format_bps(value: float) -> str:
    for unit, size in (("Gbps", 1e9), ("Mbps", 1e6), ("kbps", 1e3)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f} bps"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def router_charts(
    *, router: Router, range_key: str = "24h", now: datetime | None = None, time_zone: str = "UTC"
) -> list[Chart]:
    span, bucket, tick_every, tick_format = RANGES.get(range_key, RANGES["24h"])
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
        x_ticks.append((_x((tick - start) / span), tick.strftime(tick_format)))
        tick += tick_every
    outages = []
    for index in range(buckets):
        if seen[index] and not reachable[index]:
            outages.append((_x(index / buckets), _x((index + 1) / buckets) - _x(index / buckets)))

    rx_bps = [rx[i] * 8 / seconds[i] if seconds[i] else None for i in range(buckets)]
    tx_bps = [tx[i] * 8 / seconds[i] if seconds[i] else None for i in range(buckets)]
    traffic_max = _nice_max(max([v for v in rx_bps + tx_bps if v is not None] or [0]))
    charts = [
        _chart(
            "cpu",
            _("CPU load"),
            "%",
            100,
            [Series(_("CPU"), "s1", [average(v) for v in cpu])],
            x_ticks,
            outages,
            buckets,
        ),
        _chart(
            "memory",
            _("Memory used"),
            "%",
            100,
            [Series(_("Memory"), "s2", [average(v) for v in memory])],
            x_ticks,
            outages,
            buckets,
        ),
        _chart(
            "traffic",
            _("Traffic"),
            "bps",
            traffic_max,
            [Series(_("Download (rx)"), "s1", rx_bps), Series(_("Upload (tx)"), "s3", tx_bps)],
            x_ticks,
            outages,
            buckets,
        ),
    ]
    return charts


def _x(fraction: float) -> float:
    return round(PAD_LEFT + fraction * (WIDTH - PAD_LEFT - PAD_RIGHT), 1)


def _y(value: float, y_max: float) -> float:
    plot = HEIGHT - PAD_TOP - PAD_BOTTOM
    return round(PAD_TOP + plot - min(value, y_max) / y_max * plot, 1)


def _chart(key, title, unit, y_max, series_list, x_ticks, outages, buckets) -> Chart:
    has_data = False
    for series in series_list:
        segment: list[str] = []
        for index, value in enumerate(series.values):
            if value is None:
                _close(series, segment)
                segment = []
                continue
            has_data = True
            segment.append(f"{_x((index + 0.5) / buckets)},{_y(value, y_max)}")
        _close(series, segment)
    y_ticks = []
    for fraction in (0, 0.5, 1) if has_data else ():
        value = y_max * fraction
        label = f"{value:.0f}%" if unit == "%" else format_bps(value)
        y_ticks.append((_y(value, y_max), label))
    return Chart(key, title, unit, series_list, y_max, y_ticks, x_ticks, outages, has_data)


def _close(series: Series, segment: list[str]) -> None:
    if len(segment) == 1:  # one point: draw a short dash so it shows
        x, y = segment[0].split(",")
        segment = [f"{float(x) - 1.5},{y}", f"{float(x) + 1.5},{y}"]
    if segment:
        series.segments.append(" ".join(segment))
