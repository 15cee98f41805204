"""Server-rendered inline SVG charts (no JavaScript chart library, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.defaultfilters import filesizeformat

WIDTH = 640
HEIGHT = 170
TOP = 12
BOTTOM = 22
LEFT = 4
RIGHT = 4


@dataclass
class Bar:
    x: float
    width: float
    down_y: float
    down_height: float
    up_y: float
    up_height: float
    title: str
    label: str
    label_x: float = 0.0
    anchor: str = "start"


def _human(value: int) -> str:
    return filesizeformat(value).replace("\xa0", " ")


def usage_bars(days: list[dict]) -> dict:
    """Stacked bars (download under upload) for ``[{day, bytes_in, bytes_out}]``."""
    plot_height = HEIGHT - TOP - BOTTOM
    peak = max((d["bytes_in"] + d["bytes_out"] for d in days), default=0)
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    bars = []
    for index, item in enumerate(days):
        down, up = item["bytes_out"], item["bytes_in"]
        down_h = plot_height * down / peak if peak else 0
        up_h = plot_height * up / peak if peak else 0
        base = TOP + plot_height
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.15, 2),
                width=round(slot * 0.7, 2),
                down_y=round(base - down_h, 2),
                down_height=round(down_h, 2),
                up_y=round(base - down_h - up_h, 2),
                up_height=round(up_h, 2),
                title=f"{item['day']:%d %b}: {_human(down)} down, {_human(up)} up",
                label=f"{item['day']:%d %b}" if index % 5 == 0 or index == len(days) - 1 else "",
                label_x=round(LEFT + (index + 1) * slot, 2)
                if index == len(days) - 1
                else round(LEFT + index * slot + slot * 0.15, 2),
                anchor="end" if index == len(days) - 1 else "start",
            )
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "baseline": HEIGHT - BOTTOM,
        "label_y": HEIGHT - 6,
        "bars": bars,
        "peak": _human(peak) if peak else "",
        "has_data": peak > 0,
    }
