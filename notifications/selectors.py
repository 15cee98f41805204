from notifications.models import Notification, NotificationPreference
from notifications.types import operational_types


def notification_list(*, organization, user):
    return Notification.objects.filter(organization=organization, recipient=user)


def unread_count(*, organization, user) -> int:
    return Notification.objects.filter(
        organization=organization, recipient=user, read_at__isnull=True
    ).count()


def preference_table(*, organization, user) -> list[dict]:
    saved = {
        pref.event: pref
        for pref in NotificationPreference.objects.filter(organization=organization, user=user)
    }
    rows = []
    for kind in operational_types():
        pref = saved.get(kind.event)
        rows.append(
            {
                "type": kind,
                "email": pref.email if pref else kind.email,
                "in_app": pref.in_app if pref else kind.in_app,
            }
        )
    return rows
