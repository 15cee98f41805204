import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import TenantModel


@deconstructible(path="support.models.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """``PRIVATE_STORAGE_ROOT/support``: outside MEDIA_ROOT and with no URL, so
    attachments are only ever served by the views that check who is asking.
    The location is read from settings on use (tests point it elsewhere)."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_STORAGE_ROOT / "support")

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("private files have no URL; serve them through a checked view")


private_storage = PrivateStorage()


class Ticket(TenantModel):
    class Category(models.TextChoices):
        BILLING = "billing", _("Billing")
        ROUTERS = "routers", _("Routers")
        PAYMENTS = "payments", _("Payments")
        ACCOUNT = "account", _("Account")
        PRIVACY = "privacy", _("Privacy")
        OTHER = "other", _("Other")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WAITING = "waiting", _("Waiting on customer")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    subject = models.CharField(max_length=160)
    category = models.CharField(max_length=10, choices=Category.choices, default=Category.OTHER)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        limit_choices_to={"is_staff": True},
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status", "-last_message_at"]),
            models.Index(fields=["status", "priority", "-last_message_at"]),
        ]

    def __str__(self):
        return f"#{self.pk} {self.subject}"

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED


class TicketMessage(TenantModel):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    is_staff_reply = models.BooleanField(default=False)
    # Staff-only notes: never shown to the operator, never emailed to them.
    is_internal = models.BooleanField(default=False)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organization", "ticket", "created_at"])]

    def __str__(self):
        return f"message {self.pk} on ticket {self.ticket_id}"


def attachment_path(instance, filename):
    return (
        f"{instance.organization_id}/{instance.message.ticket_id}/{instance.sha256[:16]}-{filename}"
    )


class TicketAttachment(TenantModel):
    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, storage=private_storage, max_length=300)
    original_name = models.CharField(max_length=160)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class TicketEvent(TenantModel):
    """The ticket's history: every change of status, priority, category or
    assignee, and every message, with who did it. Append-only."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        REPLIED = "replied", _("Replied")
        NOTE = "note", _("Internal note")
        STATUS = "status", _("Status changed")
        PRIORITY = "priority", _("Priority changed")
        CATEGORY = "category", _("Category changed")
        ASSIGNED = "assigned", _("Assignee changed")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    from_value = models.CharField(max_length=120, blank=True)
    to_value = models.CharField(max_length=120, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.kind} on ticket {self.ticket_id}"

    @property
    def is_staff_only(self):
        return self.kind == self.Kind.NOTE
