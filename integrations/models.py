import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import TenantModel
from integrations.scopes import permissions_for
from nettportal.crypto import EncryptedTextField


class ApiToken(TenantModel):
    """A credential an integration uses for the REST API.

    Only a SHA-256 digest of the token is stored; the token itself is shown
    once when it is created. ``prefix`` (the first characters) identifies it in
    lists and logs without revealing it.
    """

    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self):
        from django.utils import timezone

        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )

    @property
    def permissions(self) -> frozenset[str]:
        return permissions_for(self.scopes)


class WebhookEndpoint(TenantModel):
    """A URL of the operator's that receives signed event notifications."""

    url = models.URLField(max_length=500)
    description = models.CharField(max_length=120, blank=True)
    events = models.JSONField(default=list)
    scopes = models.JSONField(
        default=list, help_text=_("Areas this integration may receive data about.")
    )
    secret = EncryptedTextField()
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "is_active"])]

    def __str__(self):
        return self.description or self.url


class WebhookDelivery(TenantModel):
    """One event for one endpoint, retried with back-off until it succeeds or
    its retry window (``WEBHOOK_RETRY_HOURS``) closes."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RETRYING = "retrying", _("Retrying")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=60)
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker holds the delivery until this time, so two never send it at once.
    locked_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    give_up_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "endpoint", "-created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]
        verbose_name_plural = "webhook deliveries"

    def __str__(self):
        return f"{self.event} → endpoint {self.endpoint_id}"


class WebhookAttempt(TenantModel):
    """One HTTP request of a delivery, for the delivery log."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField()
    at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_unique")
        ]

    def __str__(self):
        return f"attempt {self.number} of delivery {self.delivery_id}"

    @property
    def succeeded(self):
        return self.status_code is not None and 200 <= self.status_code < 300
