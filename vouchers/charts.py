"""Sales per day as an inline SVG bar chart, computed on the server (no JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass

from vouchers.formatting import money

WIDTH, HEIGHT, LABEL = 280, 90, 14


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    title: str
    is_today: bool


def sales_bars(sales, *, currency: str) -> dict:
    """Bars for ``sales.days`` (oldest first); the last one is today."""
    days = sales.days
    if not days:
        return {"bars": [], "width": WIDTH, "height": HEIGHT, "has_sales": False}
    peak = max((amount for _day, amount in days), default=0) or 1
    slot = WIDTH / len(days)
    plot = HEIGHT - LABEL
    bars = []
    for index, (day, amount) in enumerate(days):
        height = float(amount) / float(peak) * (plot - 4) if amount else 0
        bars.append(
            Bar(
                x=index * slot + slot * 0.15,
                y=plot - height,
                width=slot * 0.7,
                height=max(height, 1 if amount else 0),
                label=day.strftime("%a"),
                title=f"{day:%a %d %b}: {money(amount, currency)}",
                is_today=index == len(days) - 1,
            )
        )
    return {
        "bars": bars,
        "width": WIDTH,
        "height": HEIGHT,
        "label_y": HEIGHT - 3,
        "has_sales": any(amount for _day, amount in days),
    }
