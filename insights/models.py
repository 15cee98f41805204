from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import TenantModel


class AnalyticsEvent(TenantModel):
    """One consented usage event of a member, kept raw for a short period."""

    class Kind(models.TextChoices):
        PAGE_VIEW = "page_view", _("Page view")
        FEATURE = "feature", _("Feature used")
        LOGIN = "login", _("Login")
        TIME_SPENT = "time_spent", _("Time on page")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    # A URL route pattern ("routers/<int:router_id>/") or a feature name
    # ("vouchers.batch_created"): never a raw path or query string.
    name = models.CharField(max_length=120)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["organization", "kind", "at"])]

    def __str__(self):
        return f"{self.kind} {self.name}"


class DailyUsage(TenantModel):
    """Per organisation, day, kind and name: how often, by how many people, how long."""

    day = models.DateField()
    kind = models.CharField(max_length=12, choices=AnalyticsEvent.Kind.choices)
    name = models.CharField(max_length=120)
    events = models.PositiveIntegerField(default=0)
    users = models.PositiveIntegerField(default=0)
    total_duration_ms = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "day", "kind", "name"], name="daily_usage_unique"
            )
        ]
        indexes = [models.Index(fields=["day", "kind"])]
        verbose_name_plural = "daily usage"

    def __str__(self):
        return f"{self.day} {self.kind} {self.name}"


class RequestLog(models.Model):
    """Security log: a state-changing request, a refusal, a login or an API
    authentication failure. Platform-wide (a failed login has no organisation
    yet); staff read it in the admin."""

    class Kind(models.TextChoices):
        REQUEST = "request", _("Request")
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        API_AUTH_FAILED = "api_auth_failed", _("API authentication failed")
        DENIED = "denied", _("Permission denied")
        ALERT = "alert", _("Alert sent to staff")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    method = models.CharField(max_length=8, blank=True)
    path = models.CharField(max_length=200, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    via_api_token = models.CharField(max_length=16, blank=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["kind", "at"]),
            models.Index(fields=["organization", "at"]),
            models.Index(fields=["ip_address", "at"]),
        ]

    def __str__(self):
        return f"{self.kind} {self.method} {self.path} {self.status_code or ''}".strip()
