"""Series in, geometry out: the bar, line and horizontal-bar layouts."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from django.utils.text import slugify
from django.utils.translation import gettext as _

from nettportal.charts.shapes import (
    PALETTE,
    SERIES_CLASSES,
    Band,
    Chart,
    Column,
    Dot,
    GridLine,
    Polyline,
    Rect,
    Series,
    Text,
    Tick,
)
from nettportal.charts.units import COUNT, Unit, nice_scale

_ids = itertools.count(1)  # element ids, unique within a page (and across htmx swaps)


def _new_chart(kind, title, unit, series, labels, options: dict) -> Chart:
    """A chart of ``series`` over ``labels``; ``options`` are :class:`Chart` fields.

    Common options: ``key`` (names the chart in markup and ids), ``width`` and
    ``height`` (SVG user units, 640×180 unless given), ``font_size``,
    ``empty_text``, ``caption`` and ``show_summary`` (also show the title above
    and the summary under the chart) and ``css_class`` (on the figure).
    """
    options = {"width": 640, "height": 180, **options}
    key = options.pop("key", "")
    empty_text = options.pop("empty_text", "") or _("No data for this period")
    labels = [str(label) for label in labels]
    prepared = []
    for index, item in enumerate(series):
        if len(item.values) != len(labels):
            raise ValueError(
                f"series {item.label!r} has {len(item.values)} values for {len(labels)} labels"
            )
        css_class = item.css_class or SERIES_CLASSES[index % len(SERIES_CLASSES)]
        prepared.append(Series(item.label, list(item.values), css_class))
    return Chart(
        kind=kind,
        title=title,
        unit=unit,
        series=prepared,
        labels=labels,
        key=key,
        id=f"chart-{slugify(key) or 'c'}-{next(_ids)}",
        empty_text=empty_text,
        **options,
    )


def _text_width(text: str, font_size: int) -> float:
    return len(text) * font_size * 0.6


def _y_axis(chart: Chart, peak: float, fixed_max: float | None = None) -> float:
    """Set ``y_max`` and the ticks' values and labels; returns the width the labels need."""
    divisor, suffix = chart.unit.scale(fixed_max or peak)
    if fixed_max:
        y_max, step = float(fixed_max), float(fixed_max) / 2
    else:
        y_max, step = nice_scale(peak / divisor, integer=chart.unit.is_integer)
        y_max, step = y_max * divisor, step * divisor
    chart.y_max = y_max
    chart.y_ticks = [
        Tick(value, 0.0, chart.unit.axis(value, divisor, suffix))
        for value in (round(step * index, 9) for index in range(round(y_max / step) + 1))
    ]
    return round(max(_text_width(tick.label, chart.font_size) for tick in chart.y_ticks) + 10, 1)


def _summary(chart: Chart, long_labels: list[str]) -> str:
    parts = []
    for item in chart.series:
        present = [(index, value) for index, value in enumerate(item.values) if value is not None]
        if not present:
            continue
        peak_index, peak = max(present, key=lambda pair: pair[1])
        parts.append(
            _("%(label)s latest %(now)s, peak %(peak)s (%(when)s)")
            % {
                "label": item.label,
                "now": chart.unit.format(present[-1][1]),
                "peak": chart.unit.format(peak),
                "when": long_labels[peak_index],
            }
        )
    return "; ".join(parts) or chart.empty_text


def _table(chart: Chart, long_labels, x_header, notes, notes_header, *, skip_blank=False) -> None:
    """The visually hidden table: one row per label, one column per series."""
    chart.table_headers = [x_header or _("Period"), *(item.label for item in chart.series)]
    if notes:
        chart.table_headers.append(notes_header)
    for index, label in enumerate(long_labels):
        values = [item.values[index] for item in chart.series]
        if skip_blank and all(value is None for value in values):
            continue
        cells = [chart.unit.format(value) for value in values]
        if notes:
            cells.append(str(notes[index]))
        chart.table_rows.append((label, cells))


def _tooltip(chart: Chart, index: int, long_labels, notes) -> str:
    if len(chart.series) == 1:
        text = chart.unit.format(chart.series[0].values[index] or 0)
    else:
        text = ", ".join(
            f"{item.label} {chart.unit.format(item.values[index] or 0)}" for item in chart.series
        )
    note = f" ({notes[index]})" if notes else ""
    return f"{long_labels[index]}: {text}{note}"


def _every(count: int, most: int) -> set[int]:
    """Which of ``count`` labels to print so that at most ``most`` show."""
    step = max(1, math.ceil(count / max(most, 1)))
    return set(range(0, count, step))


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: Unit = COUNT,
    stacked: bool = False,
    long_labels: Sequence[str] | None = None,
    notes: Sequence[str] | None = None,
    notes_header: str = "",
    x_header: str = "",
    highlight_last: bool = False,
    y_axis: bool = True,
    max_x_labels: int = 8,
    max_bar_width: float = 48,
    **options,
) -> Chart:
    """Vertical bars, one slot per label; several series stand side by side, or ``stacked``.

    ``long_labels`` name the slots in tooltips and the table (``labels`` are
    the short axis text); ``notes`` add a text per slot there (``2 payments``).
    A series of zeros is "no data": there is nothing to look at. Values below
    zero are drawn as zero (the table still gives the number).
    """
    chart = _new_chart("bar", title, unit, series, labels, options)
    width, height = chart.width, chart.height
    long_labels = [str(label) for label in (long_labels or chart.labels)]
    values = [[max(float(value or 0), 0.0) for value in item.values] for item in chart.series]
    chart.has_data = any(value > 0 for row in values for value in row)
    _table(chart, long_labels, x_header, notes, notes_header)
    chart.summary = _summary(chart, long_labels) if chart.has_data else chart.empty_text
    if not chart.has_data:
        return chart

    peak = max(map(sum, zip(*values, strict=True))) if stacked else max(map(max, values))
    left = _y_axis(chart, peak) if y_axis else 2.0
    if not y_axis:
        chart.y_max, chart.y_ticks = peak, []
    right, top, bottom = width - 4, chart.font_size, height - chart.font_size - 8
    plot_h = bottom - top

    def y_of(value):
        return round(bottom - plot_h * value / chart.y_max, 1)

    for tick in chart.y_ticks:
        tick.position = y_of(tick.value)
        chart.grid.append(GridLine(left, tick.position, right, tick.position))
        chart.texts.append(Text(left - 4, tick.position, tick.label, "end", middle=True))
    if not y_axis:
        chart.grid.append(GridLine(left, bottom, right, bottom))

    slot = (right - left) / len(chart.labels)
    group = min(slot * 0.7, max_bar_width)
    side_by_side = len(chart.series) > 1 and not stacked
    shown = _every(len(chart.labels), max_x_labels)
    for index, label in enumerate(chart.labels):
        x = left + index * slot + (slot - group) / 2
        base, rects = bottom, []
        for position, item in enumerate(chart.series):
            value = values[position][index]
            bar_h = max(plot_h * value / chart.y_max, 1.0) if value > 0 else 0.0
            css_class = item.css_class
            if highlight_last and index == len(chart.labels) - 1 and len(chart.series) == 1:
                css_class = "highlight"
            if side_by_side:
                rect_w = group / len(chart.series)
                rect_x, rect_y, rect_w = x + position * rect_w, bottom - bar_h, rect_w - 1
            else:
                base -= bar_h
                rect_x, rect_y, rect_w = x, base, group
            rects.append(
                Rect(
                    round(rect_x, 1),
                    round(rect_y, 1),
                    round(rect_w, 1),
                    round(bar_h, 1),
                    PALETTE[css_class],
                    css_class,
                )
            )
        chart.columns.append(Column(_tooltip(chart, index, long_labels, notes), rects))
        if index in shown:
            center = round(x + group / 2, 1)
            chart.x_ticks.append(Tick(index, center, label))
            chart.texts.append(Text(center, height - 4, label))
    return chart


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: Unit = COUNT,
    y_max: float | None = None,
    x_ticks: Sequence[tuple[float, str]] | None = None,
    bands: Sequence[tuple[float, float, str]] = (),
    long_labels: Sequence[str] | None = None,
    x_header: str = "",
    max_x_labels: int = 8,
    **options,
) -> Chart:
    """Lines through one point per label; ``None`` breaks a line, a lone reading is a dot.

    ``x_ticks`` are ``(fraction of the width, text)`` when the axis is time
    rather than one label per point; ``bands`` are ``(start, end, title)``
    fractions shaded behind the lines (outages). ``y_max`` fixes the top
    (100 for percentages) instead of a nice maximum above the peak.
    """
    chart = _new_chart("line", title, unit, series, labels, options)
    width, height = chart.width, chart.height
    long_labels = [str(label) for label in (long_labels or chart.labels)]
    present = [float(value) for item in chart.series for value in item.values if value is not None]
    chart.has_data = bool(present)
    _table(chart, long_labels, x_header, None, "", skip_blank=True)
    chart.summary = _summary(chart, long_labels)
    if not present and not bands:
        return chart

    left = 10.0
    if present:
        peak = max(present)
        left = _y_axis(chart, peak, y_max if y_max and peak <= y_max else None)
    right, top, bottom = width - 10, chart.font_size, height - chart.font_size - 12
    plot_w, plot_h = right - left, bottom - top
    count = max(len(chart.labels), 1)

    def x_of(fraction):
        return round(left + fraction * plot_w, 1)

    def y_of(value):
        return round(bottom - plot_h * min(max(float(value), 0.0), chart.y_max) / chart.y_max, 1)

    for start, end, band_title in bands:
        chart.bands.append(
            Band(x_of(start), top, round(x_of(end) - x_of(start), 1), plot_h, band_title)
        )
    for tick in chart.y_ticks:
        tick.position = y_of(tick.value)
        chart.grid.append(GridLine(left, tick.position, right, tick.position))
        chart.texts.append(Text(left - 6, tick.position, tick.label, "end", middle=True))
    if x_ticks is None:
        x_ticks = [
            ((index + 0.5) / count, chart.labels[index])
            for index in sorted(_every(len(chart.labels), max_x_labels))
        ]
    for fraction, text in x_ticks:
        chart.x_ticks.append(Tick(fraction, x_of(fraction), text))
        chart.texts.append(Text(x_of(fraction), height - 6, text))
    for item in chart.series:
        run: list[tuple[float, float, int]] = []
        for index, value in enumerate([*item.values, None]):
            if value is not None:
                run.append((x_of((index + 0.5) / count), y_of(value), index))
                continue
            if len(run) == 1:
                x, y, at = run[0]
                tip = f"{long_labels[at]}: {unit.format(item.values[at])}"
                chart.dots.append(Dot(x, y, item.colour, tip))
            elif run:
                points = " ".join(f"{x},{y}" for x, y, _at in run)
                chart.lines.append(Polyline(item.css_class, item.colour, points))
            run = []
    if not present:  # outages but no reading: say so inside the frame
        chart.texts.append(Text((left + right) / 2, (top + bottom) / 2, chart.empty_text))
    return chart


def hbar_chart(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    unit: Unit = COUNT,
    notes: Sequence[str] | None = None,
    notes_header: str = "",
    x_header: str = "",
    limit: int = 8,
    row_height: int = 26,
    max_label: int = 16,
    **options,
) -> Chart:
    """Horizontal bars, one row per label in the order given (largest first, usually)."""
    labels, values = list(labels)[:limit], list(values)[:limit]
    notes = list(notes)[:limit] if notes else None
    height = row_height * max(len(labels), 1) + 4
    options = {"width": 300, **options, "height": height}
    chart = _new_chart("hbar", title, unit, [Series(title, values)], labels, options)
    width = chart.width
    _table(chart, chart.labels, x_header, notes, notes_header)
    numbers = [max(float(value or 0), 0.0) for value in values]
    chart.has_data = any(numbers)
    if not chart.has_data:
        chart.summary = chart.empty_text
        return chart

    chart.summary = ", ".join(
        f"{label} {unit.format(value)}" for label, value in zip(labels[:3], values, strict=False)
    )
    shorts = [
        text if len(text) <= max_label else text[: max_label - 1].rstrip() + "…"
        for text in chart.labels
    ]
    amounts = [unit.format(value) for value in values]
    font = chart.font_size
    label_w = round(min(max(_text_width(text, font) for text in shorts) + 10, width * 0.4), 1)
    room = max(width - label_w - max(_text_width(text, font) for text in amounts) - 10, 10)
    chart.y_max = max(numbers)
    colour, css_class = chart.series[0].colour, chart.series[0].css_class
    for index, (short, number) in enumerate(zip(shorts, numbers, strict=True)):
        y = index * row_height + 2
        bar_w = max(round(room * number / chart.y_max, 1), 1.0)
        middle = y + row_height / 2
        chart.texts.append(Text(label_w - 6, middle, short, "end", middle=True))
        chart.texts.append(
            Text(round(label_w + bar_w + 6, 1), middle, amounts[index], "start", middle=True)
        )
        rect = Rect(label_w, y + 5, bar_w, row_height - 10, colour, css_class)
        chart.columns.append(Column(_tooltip(chart, index, chart.labels, notes), [rect]))
    return chart
