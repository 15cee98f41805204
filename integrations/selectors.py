from django.db.models import Count, Q

from integrations.models import ApiToken, WebhookDelivery, WebhookEndpoint


def api_token_list(*, organization):
    return ApiToken.objects.filter(organization=organization).select_related("created_by")


def webhook_endpoint_list(*, organization):
    return WebhookEndpoint.objects.filter(organization=organization).annotate(
        failed=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.FAILED)),
        retrying=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.RETRYING)),
    )


def webhook_delivery_list(*, endpoint, status: str = ""):
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)
    if status in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-id")
