from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import TenantModel


class PrivacyRequest(TenantModel):
    """An end customer's data-rights request to the operator (the controller).

    Arrives from the hotspot landing page or is recorded by the operator's
    staff (a phone call, a letter) or forwarded by platform staff. Due 30 days
    after receipt; closed with a written outcome.
    """

    class Kind(models.TextChoices):
        ACCESS = "access", _("Copy of my data")
        CORRECTION = "correction", _("Correct my data")
        ERASURE = "erasure", _("Delete my data")
        OBJECTION = "objection", _("Stop using my data / marketing")
        OTHER = "other", _("Other question")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    class Source(models.TextChoices):
        LANDING_PAGE = "landing_page", _("Hotspot landing page")
        DASHBOARD = "dashboard", _("Recorded by staff")
        PLATFORM = "platform", _("Forwarded by NettPortal")

    reference = models.CharField(max_length=12)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    source = models.CharField(max_length=14, choices=Source.choices)
    requester_name = models.CharField(max_length=120)
    requester_email = models.EmailField(blank=True)
    requester_phone = models.CharField(max_length=32, blank=True)
    message = models.TextField(blank=True, max_length=2000)
    # The customer the request is about, once identified (customers.Customer pk).
    customer_ref = models.CharField(max_length=40, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    outcome = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["organization", "status", "due_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reference"], name="privacy_request_reference_unique"
            )
        ]

    def __str__(self):
        return self.reference

    @staticmethod
    def due_from(received_at):
        return received_at + timedelta(days=settings.PRIVACY_REQUEST_DUE_DAYS)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()

    @property
    def days_left(self) -> int:
        return (self.due_at - timezone.now()).days
