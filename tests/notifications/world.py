from accounts.roles import Role
from notifications.models import Notification, NotificationPreference


def build(world):
    for role, user in world.users.items():
        world.add(
            Notification.objects.create(
                organization=world.organization,
                recipient=user,
                event="router.offline",
                title=f"Router {world.marker} offline ({role})",
                url="/routers/",
            )
        )
    world.add(
        NotificationPreference.objects.create(
            organization=world.organization,
            user=world.users[Role.OWNER],
            event="router.offline",
            email=False,
            in_app=True,
        )
    )
