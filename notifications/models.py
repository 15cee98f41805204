from django.conf import settings
from django.db import models

from accounts.tenancy import TenantModel


class Notification(TenantModel):
    """An in-app notice for one member, shown with an unread count in the top bar."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "recipient", "read_at"])]

    def __str__(self):
        return self.title


class NotificationPreference(TenantModel):
    """A member's choice for one operational alert; no row means the default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField(max_length=40)
    email = models.BooleanField(default=True)
    in_app = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "event"], name="notification_preference_unique"
            )
        ]

    def __str__(self):
        return f"{self.user_id} {self.event}"
