"""Webhook deliveries follow WEBHOOK_DELIVERY_RETENTION_DAYS through the one
retention sweep (privacy); deliveries still being tried are never swept."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tenancy import all_tenants, tenant
from integrations.models import WebhookAttempt, WebhookDelivery
from privacy.services.retention import retention_sweep
from tests.integrations.factories import make_endpoint

pytestmark = pytest.mark.django_db


def _delivery(org, endpoint, *, status, days_old, attempts=1):
    with tenant(org):
        delivery = WebhookDelivery.objects.create(
            organization=org,
            endpoint=endpoint,
            event="router.offline",
            payload={"router": 1},
            status=status,
            give_up_at=timezone.now(),
        )
        for number in range(1, attempts + 1):
            WebhookAttempt.objects.create(organization=org, delivery=delivery, number=number)
        at = timezone.now() - timedelta(days=days_old)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=at)
        WebhookAttempt.objects.filter(delivery=delivery).update(at=at)
    return delivery


def test_finished_deliveries_past_the_period_go_with_their_attempts(
    org_a, owner_a, org_b, owner_b, settings
):
    settings.WEBHOOK_DELIVERY_RETENTION_DAYS = 30
    endpoint_a = make_endpoint(org_a, owner_a, "https://hooks.example.com/a")
    endpoint_b = make_endpoint(org_b, owner_b, "https://hooks.example.com/b")
    Status = WebhookDelivery.Status
    old_ok = _delivery(org_a, endpoint_a, status=Status.SUCCEEDED, days_old=31, attempts=2)
    old_failed_b = _delivery(org_b, endpoint_b, status=Status.FAILED, days_old=40)
    young = _delivery(org_a, endpoint_a, status=Status.SUCCEEDED, days_old=29)
    young_b = _delivery(org_b, endpoint_b, status=Status.FAILED, days_old=1)
    in_flight = _delivery(org_a, endpoint_a, status=Status.RETRYING, days_old=31)

    retention_sweep()

    with all_tenants():
        left = set(WebhookDelivery.objects.values_list("pk", flat=True))
        attempts_left = set(WebhookAttempt.objects.values_list("delivery_id", flat=True))
    assert left == {young.pk, young_b.pk, in_flight.pk}
    assert old_ok.pk not in attempts_left and old_failed_b.pk not in attempts_left
    assert in_flight.pk in attempts_left  # its attempts stay while it is retried
    assert retention_sweep()["purged"] == {}  # idempotent: nothing more to do
