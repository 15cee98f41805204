"""In-app notifications follow NOTIFICATION_RETENTION_DAYS through the one
retention sweep (privacy), in every organisation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tenancy import all_tenants, tenant
from notifications.models import Notification
from privacy.tasks import retention_sweep_task

pytestmark = pytest.mark.django_db


def _notice(org, user, days_old):
    with tenant(org):
        notice = Notification.objects.create(
            organization=org, recipient=user, event="router.offline", title="Tower offline"
        )
        Notification.objects.filter(pk=notice.pk).update(
            created_at=timezone.now() - timedelta(days=days_old)
        )
    return notice


def test_old_notifications_go_young_ones_stay(org_a, owner_a, org_b, owner_b, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 10
    old_a = _notice(org_a, owner_a, 11)
    young_a = _notice(org_a, owner_a, 9)
    old_b = _notice(org_b, owner_b, 30)
    young_b = _notice(org_b, owner_b, 0)

    retention_sweep_task()

    with all_tenants():
        left = set(Notification.objects.values_list("pk", flat=True))
    assert left == {young_a.pk, young_b.pk}
    assert old_a.pk not in left and old_b.pk not in left
