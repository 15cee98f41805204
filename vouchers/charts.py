"""Sales per day as a chart of the shared chart component (nettportal.charts)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from nettportal.charts import Chart, Series, bar_chart, money_unit


def sales_chart(sales, *, currency: str) -> Chart:
    """Bars for ``sales.days`` (oldest first); the last one, today, stands out."""
    days = sales.days
    return bar_chart(
        key="sales",
        title=_("Sales per day, last %(n)s days") % {"n": len(days)},
        labels=[f"{day:%a}" for day, _amount in days],
        long_labels=[f"{day:%a %d %b}" for day, _amount in days],
        series=[Series(_("Sales"), [amount for _day, amount in days])],
        unit=money_unit(currency),
        x_header=_("Day"),
        highlight_last=True,
        y_axis=False,
        width=280,
        height=90,
        font_size=10,
        max_x_labels=7,
        empty_text=_("No sales in the last 7 days."),
        css_class="sales-chart",
    )
