from django.utils import timezone

from accounts.roles import Role
from insights.models import AnalyticsEvent, DailyUsage


def build(world):
    owner = world.users[Role.OWNER]
    world.add(
        AnalyticsEvent.objects.create(
            organization=world.organization,
            user=owner,
            kind=AnalyticsEvent.Kind.FEATURE,
            name=f"marker.{world.marker.lower()}",
        ),
        DailyUsage.objects.create(
            organization=world.organization,
            day=timezone.now().date(),
            kind=AnalyticsEvent.Kind.FEATURE,
            name=f"marker.{world.marker.lower()}",
            events=1,
            users=1,
        ),
    )
