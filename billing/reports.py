"""Revenue reports: paid payments by day, package, router and processor.

Money counts from ``paid_at`` in the organisation's time zone; refunded
payments are left out. A report is for one currency (organisations selling in
several see one at a time).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate

from billing.models import Payment

MAX_DAYS = 366


@dataclass
class Revenue:
    start: dt.date
    end: dt.date  # inclusive
    currency: str
    total: Decimal = Decimal("0")
    count: int = 0
    by_day: list = field(default_factory=list)  # [(date, amount, count)]
    by_package: list = field(default_factory=list)  # [(label, amount, count)]
    by_router: list = field(default_factory=list)
    by_processor: list = field(default_factory=list)
    currencies: list = field(default_factory=list)


def _paid(organization, start: dt.date, end: dt.date):
    zone = zoneinfo.ZoneInfo(organization.time_zone or "UTC")
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return Payment.objects.filter(
        status=Payment.Status.PAID, paid_at__gte=since, paid_at__lt=until
    ), zone


def _grouped(payments, key: str, labels: dict | None = None, empty: str = "—") -> list:
    rows = (
        payments.values(key).annotate(amount=Sum("amount"), n=Count("id")).order_by("-amount", key)
    )
    result = []
    for row in rows:
        value = row[key] or ""
        label = (labels or {}).get(value, value) or empty
        result.append((label, row["amount"] or Decimal("0"), row["n"]))
    return result


def revenue_report(*, organization, start: dt.date, end: dt.date, currency: str = "") -> Revenue:
    if end < start:
        start, end = end, start
    if (end - start).days >= MAX_DAYS:
        start = end - dt.timedelta(days=MAX_DAYS - 1)
    payments, zone = _paid(organization, start, end)
    currencies = sorted(set(payments.values_list("currency", flat=True).distinct().order_by()))
    currency = currency or (organization.currency if organization.currency in currencies else "")
    currency = currency or (currencies[0] if currencies else organization.currency)
    payments = payments.filter(currency=currency)
    report = Revenue(start=start, end=end, currency=currency, currencies=currencies)
    totals = payments.aggregate(amount=Sum("amount"), n=Count("id"))
    report.total, report.count = totals["amount"] or Decimal("0"), totals["n"]
    daily = {
        row["day"]: (row["amount"], row["n"])
        for row in payments.annotate(day=TruncDate("paid_at", tzinfo=zone))
        .values("day")
        .annotate(amount=Sum("amount"), n=Count("id"))
        .order_by("day")
    }
    day = start
    while day <= end:
        amount, n = daily.get(day, (Decimal("0"), 0))
        report.by_day.append((day, amount, n))
        day += dt.timedelta(days=1)
    report.by_package = _grouped(
        payments.filter(purpose="package"), "purpose_label", empty="(unnamed package)"
    )
    others = _grouped(
        payments.exclude(purpose="package"),
        "purpose",
        {"invoice": "PPPoE invoices", "topup": "Top-ups"},
        empty="Other",
    )
    report.by_package += others
    report.by_router = _grouped(payments, "router_label", empty="(no router)")
    report.by_processor = _grouped(payments, "processor", dict(Payment.Processor.choices))
    return report


def revenue_csv_rows(report: Revenue):
    yield ["section", "label", "payments", "amount", "currency"]
    for day, amount, n in report.by_day:
        yield ["day", day.isoformat(), n, f"{amount:.2f}", report.currency]
    for section, rows in (
        ("package", report.by_package),
        ("router", report.by_router),
        ("processor", report.by_processor),
    ):
        for label, amount, n in rows:
            yield [section, label, n, f"{amount:.2f}", report.currency]
    yield ["total", "", report.count, f"{report.total:.2f}", report.currency]
