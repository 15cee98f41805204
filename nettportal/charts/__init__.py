"""The one chart component: a series in, drawable geometry out.

Pages build a :class:`Chart` with :func:`bar_chart`, :func:`line_chart` or
:func:`hbar_chart` and render it with
``{% include "components/chart.html" with chart=... %}``, which draws it as
inline SVG. Everything is computed here on the server: no JavaScript, no chart
library, nothing fetched from elsewhere. Every chart carries a title, a
one-sentence summary and a data table so screen readers get the numbers, and
an empty state ("No data for this period") when there is nothing to draw.

Geometry is plain numbers in SVG user units (the template turns localisation
off, so a French page still writes ``12.5``, not ``12,5``). Labels are
formatted text in the chart's unit: :data:`COUNT`, :data:`BYTES`,
:data:`PERCENT`, :data:`BPS` or :func:`money_unit`.
"""

from nettportal.charts.build import bar_chart, hbar_chart, line_chart
from nettportal.charts.shapes import Chart, Series
from nettportal.charts.units import (
    BPS,
    BYTES,
    COUNT,
    PERCENT,
    Unit,
    format_bps,
    format_bytes,
    format_count,
    money_unit,
    nice_max,
    nice_scale,
)

__all__ = [
    "BPS",
    "BYTES",
    "COUNT",
    "PERCENT",
    "Chart",
    "Series",
    "Unit",
    "bar_chart",
    "format_bps",
    "format_bytes",
    "format_count",
    "hbar_chart",
    "line_chart",
    "money_unit",
    "nice_max",
    "nice_scale",
]
