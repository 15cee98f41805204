from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RetentionRule(models.Model):
    """Staff's say over one retention class. The period normally comes from the
    class's setting (see ``privacy.registry.retention_class``); ``days`` set
    here overrides it, ``is_enabled`` off keeps the rows."""

    retention_class = models.CharField(max_length=40, unique=True)
    days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "Rows older than this are deleted by the daily sweep. Empty: the configured "
            "default (the class's setting)."
        ),
    )
    is_enabled = models.BooleanField(
        default=True, help_text=_("Off: the sweep skips this class (rows are kept).")
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["retention_class"]

    def __str__(self):
        return self.retention_class

    @property
    def default_days(self):
        from privacy.registry import RETENTION_CLASSES

        declared = RETENTION_CLASSES.get(self.retention_class)
        return declared.default_days if declared else None

    @property
    def setting(self) -> str:
        from privacy.registry import RETENTION_CLASSES

        declared = RETENTION_CLASSES.get(self.retention_class)
        return (declared.setting or "") if declared else ""

    @property
    def effective_days(self):
        from privacy.services.retention import retention_days

        return retention_days(self.retention_class, rule=self)

    @property
    def description(self) -> str:
        from privacy.registry import RETENTION_CLASSES

        declared = RETENTION_CLASSES.get(self.retention_class)
        return declared.description if declared else _("Not declared by any app (kept).")


class RetentionPurge(models.Model):
    """What one sweep removed from one table: the record of what was purged."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        PARTIAL = "partial", _("Continues in the next run")
        FAILED = "failed", _("Failed")

    retention_class = models.CharField(max_length=40)
    model_label = models.CharField(max_length=100)
    reason = models.CharField(max_length=40, default="retention")
    cutoff = models.DateTimeField(null=True, blank=True)
    days = models.PositiveIntegerField(null=True, blank=True)
    deleted = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    message = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["retention_class", "-started_at"])]

    def __str__(self):
        return f"{self.model_label}: {self.deleted} purged"
