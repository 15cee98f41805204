import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from insights.services import daily_usage_aggregate

logger = logging.getLogger(__name__)


@shared_task(time_limit=900, soft_time_limit=840, ignore_result=True)
def aggregate_daily_usage_task(day: str | None = None) -> int:
    """Aggregate ``day`` (ISO date; default yesterday, UTC). Safe to re-run."""
    target = dt.date.fromisoformat(day) if day else timezone.now().date() - dt.timedelta(days=1)
    rows = daily_usage_aggregate(day=target)
    logger.info("aggregated usage for %s: %s rows", target, rows)
    return rows
