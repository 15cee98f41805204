"""The shared chart component: geometry (nettportal.charts) and its template."""

import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from nettportal.charts import (
    BPS,
    BYTES,
    COUNT,
    PERCENT,
    Series,
    bar_chart,
    format_bytes,
    hbar_chart,
    line_chart,
    money_unit,
    nice_max,
    nice_scale,
)


# ------------------------------------------------------------ nice maximum
@pytest.mark.parametrize(
    ("value", "top"),
    [(730, 800), (1_000_000, 1_000_000), (1_050_000, 1_250_000), (9.2, 10), (0.3, 0.3), (41, 50)],
)
def test_nice_max_is_a_round_number_at_or_above_the_peak(value, top):
    assert nice_max(value) == pytest.approx(top)
    assert nice_max(value) >= value


def test_count_axes_step_in_whole_numbers():
    assert nice_scale(3, integer=True) == (3, 1)
    assert nice_scale(7, integer=True) == (8, 2)
    assert nice_scale(1, integer=True) == (1, 1)
    top, step = nice_scale(9, integer=True)
    assert step == int(step) and top >= 9


@pytest.mark.parametrize("value", [0, -5, None, float("nan"), float("inf")])
def test_nothing_above_zero_still_gives_an_axis(value):
    assert nice_scale(value) == (1.0, 1.0)


# ----------------------------------------------------------------- units
@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0 bytes"),
        (1023, "1023 bytes"),
        (1536, "1.5 KB"),
        (350 * 1024**2, "350.0 MB"),
        (2 * 1024**3, "2.0 GB"),
        (3 * 1024**4, "3.0 TB"),
    ],
)
def test_bytes_are_written_in_kb_mb_gb(value, text):
    assert format_bytes(value) == text


def test_units_write_values_and_short_axis_labels():
    assert money_unit("GHS").format(Decimal("12.5")) == "₵12.50"
    assert money_unit("KES").format(50) == "KSh 50"
    assert money_unit("GHS").axis(250) == "₵250"
    assert COUNT.format(1234) == "1,234"
    assert COUNT.format(2.25) == "2.2"
    assert PERCENT.format(33.4) == "33%"
    assert BPS.format(12_300_000) == "12.3 Mbps"
    assert BYTES.scale(3 * 1024**3) == (1024.0**3, "GB")
    assert BYTES.axis(1.5 * 1024**3, *BYTES.scale(2 * 1024**3)) == "1.5 GB"
    assert BYTES.axis(0, 1024.0, "KB") == "0"


# ------------------------------------------------------------- bar charts
def test_bars_scale_to_a_nice_maximum_with_ticks_in_the_unit():
    chart = bar_chart(
        title="Usage",
        labels=["1 Nov", "2 Nov"],
        series=[Series("Download", [2 * 1024**3, 512 * 1024**2])],
        unit=BYTES,
    )
    assert chart.has_data and not chart.is_empty
    assert chart.y_max == 2 * 1024**3
    assert [tick.label for tick in chart.y_ticks] == ["0", "0.5 GB", "1 GB", "1.5 GB", "2 GB"]
    tall, short = (column.rects[0] for column in chart.columns)
    assert tall.height == pytest.approx(4 * short.height, abs=0.2)
    # The tallest bar reaches the top tick, the baseline is the zero tick.
    assert tall.y == chart.y_ticks[-1].position
    assert tall.y + tall.height == pytest.approx(chart.y_ticks[0].position)
    assert chart.columns[0].title == "1 Nov: 2.0 GB"
    assert chart.table_rows == [("1 Nov", ["2.0 GB"]), ("2 Nov", ["512.0 MB"])]


def test_empty_and_all_zero_bar_charts_are_the_empty_state():
    charts = {}
    for name, values in {"nothing": [], "zeros": [0, 0, 0], "gaps": [None, None, None]}.items():
        labels = [f"d{index}" for index in range(len(values))]
        chart = charts[name] = bar_chart(
            title="Sales",
            labels=labels,
            series=[Series("Sales", values)],
            empty_text="No sales in the last 7 days.",
        )
        assert chart.is_empty and not chart.columns and not chart.y_ticks
        assert chart.summary == "No sales in the last 7 days."
    assert charts["zeros"].table_rows == [("d0", ["0"]), ("d1", ["0"]), ("d2", ["0"])]
    assert charts["gaps"].table_rows == [("d0", ["—"]), ("d1", ["—"]), ("d2", ["—"])]


def test_default_empty_text():
    chart = line_chart(title="CPU", labels=[], series=[Series("CPU", [])])
    assert chart.is_empty and chart.empty_text == "No data for this period"


def test_a_single_bar_is_not_as_wide_as_the_chart_and_a_tiny_value_still_shows():
    one = bar_chart(title="Sales", labels=["Mon"], series=[Series("Sales", [5])], width=640)
    (rect,) = one.columns[0].rects
    assert rect.width == 48 and rect.height > 0
    assert one.x_ticks[0].label == "Mon"
    tiny = bar_chart(title="Sales", labels=["a", "b"], series=[Series("Sales", [10_000, 1])])
    assert tiny.columns[1].rects[0].height == 1.0


def test_two_series_side_by_side_or_stacked():
    down, up = Series("Download", [300, 100]), Series("Upload", [100, 0])
    side = bar_chart(title="Usage", labels=["a", "b"], series=[down, up])
    left, right = side.columns[0].rects
    assert right.x > left.x and left.y + left.height == right.y + right.height  # same baseline
    assert side.y_max == 300
    assert [item.css_class for item in side.legend] == ["s1", "s2"]
    stacked = bar_chart(title="Usage", labels=["a", "b"], series=[down, up], stacked=True)
    lower, upper = stacked.columns[0].rects
    assert lower.x == upper.x and upper.y + upper.height == pytest.approx(lower.y)
    assert stacked.y_max == 400  # the stack's total, not the larger part
    assert stacked.columns[0].title == "a: Download 300, Upload 100"
    assert stacked.table_headers == ["Period", "Download", "Upload"]
    assert stacked.table_rows[1] == ("b", ["100", "0"])
    assert "Download latest 100, peak 300 (a)" in stacked.summary


def test_series_and_labels_must_match():
    with pytest.raises(ValueError, match="2 values for 3 labels"):
        bar_chart(title="x", labels=["a", "b", "c"], series=[Series("x", [1, 2])])


def test_money_bars_notes_and_highlight():
    chart = bar_chart(
        title="Revenue",
        labels=["Mon", "Tue"],
        long_labels=["Mon 3 Nov", "Tue 4 Nov"],
        series=[Series("Revenue", [Decimal("20"), Decimal("7.5")])],
        notes=["2 payments", "1 payment"],
        notes_header="Payments",
        unit=money_unit("GHS"),
        highlight_last=True,
    )
    assert chart.columns[1].title == "Tue 4 Nov: ₵7.50 (1 payment)"
    assert chart.columns[1].rects[0].css_class == "highlight"
    assert chart.table_headers == ["Period", "Revenue", "Payments"]
    assert chart.table_rows[0] == ("Mon 3 Nov", ["₵20.00", "2 payments"])
    assert chart.y_ticks[-1].label == "₵20"


# ------------------------------------------------------------ line charts
def test_lines_break_at_gaps_and_a_lone_reading_is_a_dot():
    chart = line_chart(
        title="Traffic",
        labels=["00", "01", "02", "03", "04"],
        series=[Series("Down", [1e6, 2e6, None, 5e5, None])],
        unit=BPS,
        bands=[(0.4, 0.6, "Unreachable")],
    )
    (line,) = chart.lines
    assert len(line.points.split()) == 2
    (dot,) = chart.dots
    assert dot.title == "03: 500.0 kbps"
    (band,) = chart.bands
    assert band.title == "Unreachable" and band.width > 0
    assert chart.y_max == 2e6 and chart.y_ticks[-1].label == "2 Mbps"
    assert [row[0] for row in chart.table_rows] == ["00", "01", "03"]  # gaps are not rows


def test_a_single_point_line_and_a_fixed_percentage_axis():
    chart = line_chart(
        title="CPU", labels=["now"], series=[Series("CPU", [42])], unit=PERCENT, y_max=100
    )
    assert not chart.lines and len(chart.dots) == 1
    assert [tick.label for tick in chart.y_ticks] == ["0%", "50%", "100%"]
    assert chart.summary == "CPU latest 42%, peak 42% (now)"


def test_an_all_zero_line_lies_on_the_axis():
    chart = line_chart(title="Traffic", labels=["a", "b"], series=[Series("Down", [0, 0])])
    assert chart.has_data and chart.y_max == 1
    (line,) = chart.lines
    assert {point.split(",")[1] for point in line.points.split()} == {
        str(chart.y_ticks[0].position)
    }


def test_outages_without_readings_still_draw_the_frame():
    chart = line_chart(
        title="CPU", labels=["a", "b"], series=[Series("CPU", [None, None])], bands=[(0, 1, "Down")]
    )
    assert not chart.has_data and not chart.is_empty
    assert any(text.text == "No data for this period" for text in chart.texts)


# ------------------------------------------------------ horizontal bars
def test_horizontal_bars_keep_the_order_shorten_long_names_and_limit_rows():
    names = [f"Package {index} with a long name" for index in range(10)]
    chart = hbar_chart(
        title="By package",
        labels=names,
        values=[100 - index for index in range(10)],
        unit=money_unit("KES"),
        notes=["1 payment"] * 10,
        limit=8,
    )
    assert len(chart.columns) == 8 and len(chart.table_rows) == 8
    widths = [column.rects[0].width for column in chart.columns]
    assert widths == sorted(widths, reverse=True)
    assert chart.columns[0].title == "Package 0 with a long name: KSh 100 (1 payment)"
    assert "Package 0 with…" in [text.text for text in chart.texts]
    assert all(text.x <= chart.width for text in chart.texts)
    assert hbar_chart(title="x", labels=["a"], values=[0]).is_empty


# -------------------------------------------------------------- template
def _render(chart) -> str:
    return render_to_string("components/chart.html", {"chart": chart})


def test_template_draws_svg_with_title_desc_and_a_data_table():
    chart = bar_chart(
        key="usage",
        title="Usage <per day>",
        labels=["1 Nov", "2 Nov"],
        series=[Series("Download", [3 * 1024**2, 1024**2]), Series("Upload", [1024, 0])],
        unit=BYTES,
        stacked=True,
    )
    html = _render(chart)
    assert html.count("<svg") == 1 and "<script" not in html
    assert re.search(r"<title id=\"chart-usage-\d+-title\">Usage &lt;per day&gt;</title>", html)
    assert f'aria-labelledby="{chart.id}-title {chart.id}-desc"' in html
    assert "<desc" in html and "Download latest 1.0 MB, peak 3.0 MB (1 Nov)" in html
    table = html[html.index("<table") : html.index("</table>")]
    assert "<caption>Usage &lt;per day&gt;</caption>" in table
    assert '<th scope="col">Download</th><th scope="col">Upload</th>' in table
    assert '<th scope="row">1 Nov</th><td>3.0 MB</td><td>1.0 KB</td>' in table
    assert "http" not in html.replace("http://www.w3.org/2000/svg", "")  # nothing fetched
    assert "No data for this period" not in html


def test_template_empty_state_has_no_svg():
    chart = bar_chart(title="Sales", labels=["Mon", "Tue"], series=[Series("Sales", [0, 0])])
    html = _render(chart)
    assert "No data for this period" in html
    assert "<svg" not in html and "<table" not in html


def test_template_writes_numbers_the_same_in_every_language():
    chart = line_chart(
        title="CPU", labels=["a", "b"], series=[Series("CPU", [12.5, 37.25])], unit=PERCENT
    )
    with translation.override("fr"):
        html = _render(chart)
    points = re.search(r'points="([^"]+)"', html).group(1)
    assert re.fullmatch(r"[\d.]+,[\d.]+ [\d.]+,[\d.]+", points)
    assert re.search(r'viewBox="0 0 640 180"', html)
