"""Reads for packages and vouchers (all through the tenant-scoped managers)."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from routers.models import Router
from vouchers.codes import normalise
from vouchers.models import (
    BatchPush,
    Package,
    PackageRouterSync,
    Voucher,
    VoucherBatch,
    VoucherEvent,
    VoucherSettings,
)

STATUSES = [value for value, _label in Voucher.Status.choices]


def package_list():
    """Packages with how their profiles stand on routers (two queries)."""
    return Package.objects.annotate(
        sync_total=Count("syncs", distinct=True),
        sync_errors=Count(
            "syncs", filter=Q(syncs__state=PackageRouterSync.State.ERROR), distinct=True
        ),
        sync_pending=Count(
            "syncs", filter=Q(syncs__state=PackageRouterSync.State.PENDING), distinct=True
        ),
    ).prefetch_related(Prefetch("routers", queryset=Router.objects.only("pk", "name")))


def packages_for_sale(*, router: Router | None = None):
    """Active packages the landing page sells (on ``router``, when given), cheapest first.

    For the portal: ``packages_for_sale(router=router)`` lists what a customer
    behind that router can buy.
    """
    packages = Package.objects.filter(is_active=True, sold_on_landing_page=True)
    if router is not None:
        packages = packages.filter(Q(on_all_routers=True) | Q(routers=router)).distinct()
    return packages.order_by("price", "name")


def package_routers_state(package: Package) -> list[dict]:
    """One row per router that has or should have the package's profile."""
    syncs = {
        sync.router_id: sync
        for sync in PackageRouterSync.objects.filter(package=package).select_related("router")
    }
    wanted = list(Router.objects.all()) if package.on_all_routers else list(package.routers.all())
    rows = []
    for router in wanted:
        rows.append({"router": router, "sync": syncs.pop(router.pk, None), "wanted": True})
    for sync in syncs.values():
        rows.append({"router": sync.router, "sync": sync, "wanted": sync.is_wanted})
    return sorted(rows, key=lambda row: row["router"].name.lower())


def status_counts(queryset) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for row in queryset.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    counts["total"] = sum(counts[status] for status in STATUSES)
    return counts


def batch_list():
    return VoucherBatch.objects.select_related("package", "job", "created_by")


def batch_status_counts(batch_ids) -> dict[int, dict[str, int]]:
    """Counts by status for several batches in one grouped query."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    rows = (
        Voucher.objects.filter(batch_id__in=list(batch_ids))
        .order_by()
        .values("batch_id", "status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["batch_id"]][row["status"]] = row["n"]
    return counts


def batch_pushes(batch: VoucherBatch):
    return BatchPush.objects.filter(batch=batch).select_related("router", "job")


@dataclass
class VoucherFilters:
    q: str = ""
    status: str = ""
    batch: VoucherBatch | None = None
    package: Package | None = None
    date_field: str = "created"
    date_from: date | None = None
    date_to: date | None = None


def voucher_search(filters: VoucherFilters, *, time_zone: str = "UTC"):
    """Vouchers matching the filters, newest first. A code is matched however
    it was typed (case, dashes, spaces) and by its beginning."""
    queryset = Voucher.objects.select_related("package", "batch", "router")
    if filters.q:
        lookup = normalise(filters.q)
        queryset = queryset.filter(lookup__startswith=lookup) if lookup else queryset.none()
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.batch is not None:
        queryset = queryset.filter(batch=filters.batch)
    if filters.package is not None:
        queryset = queryset.filter(package=filters.package)
    column = "sold_at" if filters.date_field == "sold" else "created_at"
    zone = zoneinfo.ZoneInfo(time_zone)
    if filters.date_from:
        start = datetime.combine(filters.date_from, time.min, tzinfo=zone)
        queryset = queryset.filter(**{f"{column}__gte": start})
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=zone)
        queryset = queryset.filter(**{f"{column}__lt": end})
    return queryset.order_by("-created_at", "-pk")


def voucher_events(voucher: Voucher):
    return VoucherEvent.objects.filter(voucher=voucher).select_related("router", "actor")


def recent_router_actions(limit: int = 10):
    return VoucherEvent.objects.filter(
        kind__in=[
            VoucherEvent.Kind.RECONCILED,
            VoucherEvent.Kind.ROUTER_ERROR,
        ]
    ).select_related("router", "voucher")[:limit]


@dataclass
class Sales:
    count: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)  # currency → amount
    days: list[tuple[date, Decimal]] = field(default_factory=list)  # main currency per day
    currency: str = ""


def sales_summary(*, organization, days: int = 7, now: datetime | None = None) -> Sales:
    """Vouchers sold today (in the organisation's time zone) and per day for a week."""
    zone = zoneinfo.ZoneInfo(organization.time_zone or "UTC")
    now = (now or timezone.now()).astimezone(zone)
    today = now.date()
    start_of_today = datetime.combine(today, time.min, tzinfo=zone)
    first_day = today - timedelta(days=days - 1)
    sold = Voucher.objects.filter(sold_at__gte=datetime.combine(first_day, time.min, tzinfo=zone))
    summary = Sales(currency=organization.currency)
    today_rows = (
        sold.filter(sold_at__gte=start_of_today)
        .order_by()
        .values("currency")
        .annotate(n=Count("pk"), total=Sum("sold_price"))
    )
    for row in today_rows:
        summary.count += row["n"]
        summary.totals[row["currency"] or organization.currency] = row["total"] or Decimal(0)
    per_day = dict(
        sold.filter(currency__in=[organization.currency, ""])
        .annotate(day=TruncDate("sold_at", tzinfo=zone))
        .order_by()
        .values("day")
        .annotate(total=Sum("sold_price"))
        .values_list("day", "total")
    )
    summary.days = [
        (day, per_day.get(day) or Decimal(0))
        for day in (first_day + timedelta(days=offset) for offset in range(days))
    ]
    return summary


def voucher_settings_for(organization) -> VoucherSettings:
    """The organisation's settings row (not saved when it has none yet)."""
    return VoucherSettings.objects.filter(organization=organization).first() or VoucherSettings(
        organization=organization
    )
