from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccountDeletion(models.Model):
    """An organisation's deletion: requested, scheduled 30 days out, cancellable
    until then, carried out in chunks, and kept afterwards as the record that
    it happened (ids and counts only, no personal data).

    Not a tenant row: it must outlive the organisation's data.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")
        RUNNING = "running", _("Deleting")
        COMPLETED = "completed", _("Completed")

    ACTIVE = (Status.SCHEDULED, Status.RUNNING)

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deletions",
    )
    organization_ref = models.PositiveBigIntegerField(
        help_text=_("The organisation's id, kept after its row is gone.")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(default=timezone.now)
    scheduled_for = models.DateTimeField()
    reminders_sent = models.JSONField(default=list, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    legal_records_until = models.DateTimeField(null=True, blank=True)
    leftovers_purged_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["status", "scheduled_for"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(status__in=["scheduled", "running"]),
                name="one_active_deletion_per_organization",
            )
        ]

    def __str__(self):
        return f"deletion of organisation {self.organization_ref} ({self.status})"

    @property
    def days_left(self) -> int:
        return max(0, (self.scheduled_for - timezone.now()).days)


class LegalHold(models.Model):
    """Staff stop an organisation's deletion (a court order, an investigation).

    While a hold is active the deletion is not carried out; releasing the hold
    lets a due deletion proceed at the next run.
    """

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="legal_holds"
    )
    reason = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    placed_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    release_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-placed_at"]

    def __str__(self):
        return f"legal hold on organisation {self.organization_id}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None
