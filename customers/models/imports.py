"""A CSV import: the uploaded file, its validation result and its outcome."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import TenantModel


class CustomerImport(TenantModel):
    """Upload → preview (per-row errors) → import valid rows or nothing.

    The uploaded file is kept in private storage until the import is finished
    (and removed with its row by the retention sweep after ``CUSTOMERS_IMPORT_KEEP_DAYS``);
    ``errors`` maps a CSV row number (as a string, 1 = the first data row) to
    its messages, which is all the report needs besides the file itself.
    """

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Checking rows")
        VALIDATED = "validated", _("Ready to import")
        IMPORTING = "importing", _("Importing")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Mode(models.TextChoices):
        VALID_ROWS = "valid_rows", _("Import the valid rows, skip the others")
        ALL_OR_NOTHING = "all_or_nothing", _("Import only if every row is valid")

    file_path = models.CharField(max_length=300)
    file_name = models.CharField(max_length=200)
    file_size = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.VALIDATING)
    mode = models.CharField(max_length=16, choices=Mode.choices, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    valid_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    imported_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=dict, blank=True)
    columns = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=300, blank=True)
    job = models.ForeignKey(
        "nettportal.BackgroundJob",
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
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="cust_import_recent")]

    def __str__(self):
        return self.file_name

    @property
    def is_busy(self):
        return self.status in (self.Status.VALIDATING, self.Status.IMPORTING)
