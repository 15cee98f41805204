"""Server-rendered SVG charts: geometry computed here, drawn by
``templates/insights/chart_*.html``. No JavaScript, no chart library."""

from dataclasses import dataclass


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float
    show_label: bool


def column_chart(points: list[tuple[str, float]], *, width=640, height=180, pad=24) -> dict:
    """Vertical bars for a daily series: ``[(label, value), ...]``."""
    top = max((value for _label, value in points), default=0) or 1
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    step = inner_w / max(len(points), 1)
    every = max(1, len(points) // 8)
    bars = []
    for index, (label, value) in enumerate(points):
        bar_h = inner_h * value / top
        bars.append(
            Bar(
                x=round(pad + index * step + step * 0.15, 1),
                y=round(pad + inner_h - bar_h, 1),
                width=round(step * 0.7, 1),
                height=round(bar_h, 1),
                label=label,
                value=value,
                show_label=index % every == 0,
            )
        )
    return {
        "width": width,
        "height": height,
        "pad": pad,
        "bars": bars,
        "max": top,
        "baseline": pad + inner_h,
        "label_y": height - 6,
    }


def bar_list(items: list[tuple[str, float]], *, total: float, width=420) -> list[dict]:
    """Horizontal share bars: ``[(name, count)]`` against ``total``."""
    total = total or 1
    return [
        {
            "name": name,
            "value": value,
            "percent": round(100 * value / total),
            "width": round(width * min(value / total, 1), 1),
        }
        for name, value in items
    ]
