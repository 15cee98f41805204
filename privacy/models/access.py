from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import TenantModel


class AccessLog(TenantModel):
    """Who viewed, exported, changed or deleted personal data. Append-only:
    neither the app nor the admin can change or delete an entry (only the
    retention sweep and organisation deletion remove them, with querysets)."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        EXPORT = "export", _("Exported")
        CREATE = "create", _("Created")
        CHANGE = "change", _("Changed")
        DELETE = "delete", _("Deleted")

    class Via(models.TextChoices):
        DASHBOARD = "dashboard", _("Dashboard")
        API = "api", _("API")
        ADMIN = "admin", _("Staff admin")
        SYSTEM = "system", _("System job")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=120, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.DASHBOARD)
    target_type = models.CharField(max_length=80)
    target_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["organization", "-at"]),
            models.Index(fields=["organization", "target_type", "target_id"]),
        ]

    def __str__(self):
        return f"{self.actor_label} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("access-log entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("access-log entries cannot be deleted")
