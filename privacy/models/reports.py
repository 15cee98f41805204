from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MinorDataReport(models.Model):
    """Someone tells us a person under 18 has data on NettPortal.

    Staff see these in the admin and resolve them: delete the reported user
    account, or forward an erasure request to the operator whose customer
    records hold the child's data (the operator is the controller).
    """

    class Concerns(models.TextChoices):
        USER_ACCOUNT = "user_account", _("A NettPortal account (someone who logs in)")
        CUSTOMER_RECORD = "customer_record", _("A Wi-Fi customer of an operator")
        NOT_SURE = "not_sure", _("Not sure")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        INVESTIGATING = "investigating", _("Investigating")
        DELETED = "deleted", _("Data deleted")
        FORWARDED = "forwarded", _("Forwarded to the operator")
        NO_ACTION = "no_action", _("Closed without action")

    OPEN_STATUSES = (Status.NEW, Status.INVESTIGATING)

    reporter_name = models.CharField(max_length=120)
    reporter_email = models.EmailField()
    concerns = models.CharField(max_length=16, choices=Concerns.choices)
    where = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("The operator, Wi-Fi network or email address the data is under."),
    )
    details = models.TextField(max_length=4000)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The reported account, once identified."),
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The operator concerned, once identified."),
    )
    privacy_request = models.ForeignKey(
        "privacy.PrivacyRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.TextField(blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self):
        return f"report {self.pk} ({self.get_status_display()})"
