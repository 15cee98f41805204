import logging

from celery import shared_task
from django.utils import timezone

from accounts.tenancy import all_tenants, tenant_task
from integrations.delivery import delivery_attempt
from integrations.models import WebhookDelivery

logger = logging.getLogger(__name__)


@shared_task(time_limit=60, soft_time_limit=50, ignore_result=True)
@tenant_task
def deliver_webhook_task(org_id: int, delivery_id: int) -> str:
    """One attempt of one delivery; safe to run twice (the claim is conditional)."""
    return delivery_attempt(delivery_id)


@shared_task(time_limit=120, soft_time_limit=100, ignore_result=True)
def retry_due_webhooks_task(limit: int = 500) -> int:
    """Platform-wide sweep: enqueue every delivery whose next attempt is due."""
    now = timezone.now()
    with all_tenants():
        due = list(
            WebhookDelivery.objects.filter(
                status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING],
                next_attempt_at__lte=now,
            )
            .exclude(locked_until__gt=now)
            .order_by("next_attempt_at")
            .values_list("organization_id", "pk")[:limit]
        )
    for org_id, delivery_id in due:
        deliver_webhook_task.delay(org_id, delivery_id)
    if due:
        logger.info("enqueued %s due webhook deliveries", len(due))
    return len(due)
