"""Daily aggregation of analytics. Raw events and the request log are deleted by
the privacy retention sweep (classes in ``insights/personal_data.py``)."""

import datetime as dt
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Sum

from accounts.tenancy import all_tenants
from insights.models import AnalyticsEvent, DailyUsage


def _day_bounds(day: dt.date):
    start = dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
    return start, start + timedelta(days=1)


@transaction.atomic
def daily_usage_aggregate(*, day: dt.date) -> int:
    """(Re)build the ``DailyUsage`` rows of one UTC day from the raw events.

    Idempotent: the day's rows are replaced, so running it twice, or again
    after late beacons arrived, gives the same totals."""
    start, end = _day_bounds(day)
    with all_tenants():
        rows = (
            AnalyticsEvent.objects.filter(at__gte=start, at__lt=end)
            .values("organization_id", "kind", "name")
            .annotate(
                events=Count("id"),
                users=Count("user_id", distinct=True),
                total=Sum("duration_ms"),
            )
        )
        DailyUsage.objects.filter(day=day).delete()
        created = DailyUsage.objects.bulk_create(
            [
                DailyUsage(
                    organization_id=row["organization_id"],
                    day=day,
                    kind=row["kind"],
                    name=row["name"],
                    events=row["events"],
                    users=row["users"],
                    total_duration_ms=row["total"] or 0,
                )
                for row in rows
            ]
        )
    return len(created)
