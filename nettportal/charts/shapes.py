"""What a chart is made of: the input series and the drawable pieces the template renders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from nettportal.charts.units import Unit

# Colours are written as SVG attributes, so a chart looks right on pages that do
# not load app.css (the staff pages use Django admin's styles).
PALETTE = {
    "s1": "#0b6e69",  # brand
    "s2": "#7a4fb5",
    "s3": "#d9822b",
    "s4": "#6fd3c7",
    "highlight": "#075450",  # brand-dark: today's bar
}
SERIES_CLASSES = ("s1", "s2", "s3", "s4")


@dataclass
class Series:
    """One named row of values (``None`` is "no reading": a gap in a line)."""

    label: str
    values: Sequence[float | None]
    css_class: str = ""

    @property
    def colour(self) -> str:
        return PALETTE.get(self.css_class, PALETTE["s1"])


@dataclass
class Rect:
    x: float
    y: float
    width: float
    height: float
    colour: str
    css_class: str = ""


@dataclass
class Column:
    """The marks of one label, grouped under the tooltip that names their values."""

    title: str
    rects: list[Rect]


@dataclass
class Polyline:
    css_class: str
    colour: str
    points: str


@dataclass
class Dot:
    """A reading with no neighbour to draw a line to."""

    x: float
    y: float
    colour: str
    title: str


@dataclass
class Band:
    """A shaded stretch behind the lines (a router outage)."""

    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass
class Text:
    x: float
    y: float
    text: str
    anchor: str = "middle"
    middle: bool = False  # vertically centred on y


@dataclass
class GridLine:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass
class Tick:
    value: float  # a value (y axis), an index or a fraction of the width (x axis)
    position: float  # where it is drawn
    label: str


@dataclass
class Chart:
    kind: str  # "bar", "line" or "hbar"
    title: str
    unit: Unit
    series: list[Series]
    labels: list[str]
    width: int
    height: int
    key: str = ""
    id: str = ""
    font_size: int = 11
    y_max: float = 1.0
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    grid: list[GridLine] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    lines: list[Polyline] = field(default_factory=list)
    dots: list[Dot] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    table_headers: list[str] = field(default_factory=list)
    table_rows: list[tuple[str, list[str]]] = field(default_factory=list)
    has_data: bool = False
    summary: str = ""
    empty_text: str = ""
    caption: bool = False  # the title also shows above the chart
    show_summary: bool = False  # the summary also shows under the chart
    css_class: str = ""

    @property
    def is_empty(self) -> bool:
        """Nothing at all to draw (a line chart with outage bands but no readings is not)."""
        return not self.has_data and not self.bands

    @property
    def legend(self) -> list[Series]:
        return self.series if len(self.series) > 1 or self.caption else []
