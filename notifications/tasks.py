import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from notifications.services import notification_prune

logger = logging.getLogger(__name__)


@shared_task(time_limit=600, soft_time_limit=540, ignore_result=True)
def prune_notifications_task() -> int:
    cutoff = timezone.now() - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    deleted = notification_prune(before=cutoff)
    logger.info("pruned %s notifications", deleted)
    return deleted
