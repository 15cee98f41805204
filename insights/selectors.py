"""Reads for the staff insights page (platform-wide, so unscoped by name)."""

import datetime as dt

from django.db.models import Count, Sum
from django.utils import timezone

from accounts.tenancy import all_tenants
from insights.models import AnalyticsEvent, DailyUsage


def usage_overview(*, days: int = 30) -> dict:
    today = timezone.now().date()
    start = today - dt.timedelta(days=days - 1)
    with all_tenants():
        aggregated = DailyUsage.objects.filter(day__gte=start)
        per_day_orgs = dict(
            aggregated.values("day")
            .annotate(n=Count("organization_id", distinct=True))
            .values_list("day", "n")
        )
        per_day_logins = dict(
            aggregated.filter(kind=AnalyticsEvent.Kind.LOGIN)
            .values("day")
            .annotate(n=Sum("events"))
            .values_list("day", "n")
        )
        active_orgs = aggregated.values("organization_id").distinct().count()
        features = list(
            aggregated.filter(kind=AnalyticsEvent.Kind.FEATURE)
            .values("name")
            .annotate(orgs=Count("organization_id", distinct=True), uses=Sum("events"))
            .order_by("-orgs", "name")[:20]
        )
        pages = list(
            aggregated.filter(kind=AnalyticsEvent.Kind.PAGE_VIEW)
            .values("name")
            .annotate(views=Sum("events"))
            .order_by("-views")[:15]
        )
        time_spent = {
            row["name"]: row
            for row in aggregated.filter(kind=AnalyticsEvent.Kind.TIME_SPENT)
            .values("name")
            .annotate(total=Sum("total_duration_ms"), n=Sum("events"))
        }
    series_days = [start + dt.timedelta(days=i) for i in range(days)]
    for page in pages:
        spent = time_spent.get(page["name"])
        page["avg_seconds"] = (
            round(spent["total"] / spent["n"] / 1000) if spent and spent["n"] else None
        )
    return {
        "days": days,
        "active_orgs": active_orgs,
        "orgs_series": [(day.strftime("%d %b"), per_day_orgs.get(day, 0)) for day in series_days],
        "logins_series": [
            (day.strftime("%d %b"), per_day_logins.get(day, 0) or 0) for day in series_days
        ],
        "features": features,
        "pages": pages,
    }
