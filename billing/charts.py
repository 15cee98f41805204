"""Server-rendered inline SVG charts (no JavaScript chart library, nothing external).

Each function returns safe markup with a <title> and an accessible label, so
screen readers get the numbers too and the page works with JavaScript off.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe


def _nice_max(value: Decimal) -> Decimal:
    if value <= 0:
        return Decimal("1")
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = magnitude * Decimal(str(step))
        if top >= value:
            return top
    return value


def _money(value: Decimal) -> str:
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def bar_chart(points, *, label: str, currency: str, width: int = 720, height: int = 220) -> str:
    """Vertical bars, one per (date, amount, count) point."""
    points = list(points)
    if not points:
        return ""
    left, bottom, top_pad = 56, 24, 12
    plot_w, plot_h = width - left - 8, height - bottom - top_pad
    top = _nice_max(max(amount for _d, amount, _n in points))
    slot = plot_w / len(points)
    bar = max(1.0, slot * 0.7)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
    ]
    for fraction in (0, 0.5, 1):
        y = top_pad + plot_h * (1 - fraction)
        parts.append(
            f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">'
            f"{escape(_money(top * Decimal(str(fraction))))}</text>"
        )
    step = max(1, len(points) // 8)
    for index, (day, amount, count) in enumerate(points):
        h = float(amount / top) * plot_h if top else 0
        x = left + index * slot + (slot - bar) / 2
        y = top_pad + plot_h - h
        tip = (
            f"{day:%d %b}: {_money(amount)} {currency} ({count} payment{'s' if count != 1 else ''})"
        )
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{max(h, 0):.1f}" '
            f'class="bar"><title>{escape(tip)}</title></rect>'
        )
        if index % step == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - 6}" text-anchor="middle" class="axis">'
                f"{day:%d %b}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or numeric


def hbar_chart(rows, *, label: str, currency: str, width: int = 280, limit: int = 8) -> str:
    """Horizontal bars for (label, amount, count) rows, largest first."""
    rows = list(rows)[:limit]
    if not rows:
        return ""
    row_h, label_w = 26, 104
    height = row_h * len(rows) + 4
    top = max(amount for _l, amount, _n in rows) or Decimal("1")
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
    ]
    for index, (name, amount, count) in enumerate(rows):
        y = index * row_h + 2
        bar_w = float(amount / top) * (width - label_w - 56)
        short = name if len(name) <= 16 else name[:15] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" class="axis">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{max(bar_w, 1):.1f}" height="{row_h - 10}" class="bar">'
            f"<title>{escape(f'{name}: {_money(amount)} {currency} ({count})')}</title></rect>"
            f'<text x="{label_w + max(bar_w, 1) + 6:.1f}" y="{y + 16}" class="axis">{escape(_money(amount))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or numeric
