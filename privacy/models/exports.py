from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import TenantModel


class DataExport(TenantModel):
    """One export ZIP: the whole organisation, or one customer's data.

    The file lives under ``PRIVACY_EXPORT_ROOT`` until ``expires_at`` (the
    signed link's lifetime); the clean-up task then removes it and marks the
    row expired. The row itself follows the ``exports`` retention class.
    """

    class Kind(models.TextChoices):
        ORGANIZATION = "organization", _("Whole organisation")
        CUSTOMER = "customer", _("One customer")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being prepared")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ORGANIZATION)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # The customer's primary key for customer exports (no foreign key, so the
    # export record outlives an erased customer).
    subject_id = models.CharField(max_length=40, blank=True)
    job = models.OneToOneField(
        "nettportal.BackgroundJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    privacy_request = models.ForeignKey(
        "privacy.PrivacyRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="exports",
    )
    file_name = models.CharField(max_length=200, blank=True)
    file_size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    download_count = models.PositiveIntegerField(default=0)
    last_downloaded_at = models.DateTimeField(null=True, blank=True)
    file_removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "-created_at"]),
            models.Index(fields=["status", "expires_at"]),
        ]
        constraints = [
            # At most one organisation export in flight per organisation.
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(kind="organization", status__in=["queued", "running"]),
                name="one_active_organization_export",
            )
        ]

    def __str__(self):
        return f"export {self.pk} ({self.kind})"

    @property
    def is_downloadable(self) -> bool:
        return (
            self.status == self.Status.READY
            and self.expires_at is not None
            and self.expires_at > timezone.now()
            and self.file_removed_at is None
        )

    @property
    def total_rows(self) -> int:
        return sum(int(value) for value in (self.counts or {}).values())
