"""Customer records, their tags, devices and activity."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import TenantModel


class Tag(TenantModel):
    """A free label operators put on customers ("estate-7", "VIP", "unpaid")."""

    name = models.CharField(_("name"), max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                F("organization"), Lower("name"), name="customers_tag_name_ci_unique"
            )
        ]

    def __str__(self):
        return self.name


class Customer(TenantModel):
    """One end customer of an operator.

    ``phone`` is stored in E.164 (``+233244123456``) and shown in the
    organisation's national format; it is unique within the organisation when
    present, because the landing page finds returning buyers by phone.
    """

    class Type(models.TextChoices):
        HOTSPOT = "hotspot", _("Hotspot")
        PPPOE = "pppoe", _("PPPoE")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    class Source(models.TextChoices):
        DASHBOARD = "dashboard", _("Added in the dashboard")
        IMPORT = "import", _("CSV import")
        PORTAL = "portal", _("Landing-page purchase")
        API = "api", _("API")

    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("E.164"))
    customer_type = models.CharField(
        _("type"), max_length=10, choices=Type.choices, default=Type.HOTSPOT
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="customers")
    marketing_consent = models.BooleanField(_("agrees to marketing messages"), default=False)
    marketing_consent_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.DASHBOARD)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "phone"],
                condition=~Q(phone=""),
                name="customers_customer_phone_unique",
            ),
        ]
        indexes = [
            # Keyset pagination: one index per sort order (scanned both ways).
            models.Index(fields=["organization", "created_at", "id"], name="cust_org_created"),
            models.Index(F("organization"), Lower("name"), F("id"), name="cust_org_name"),
            models.Index(
                fields=["organization", "status", "created_at", "id"], name="cust_org_status"
            ),
            # Trigram indexes for substring search live in migration 0002 (PostgreSQL only).
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE


class CustomerDevice(TenantModel):
    """A device (MAC address) seen for a customer, from router polling or added by hand."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="devices")
    mac_address = models.CharField(_("MAC address"), max_length=17)
    label = models.CharField(_("label"), max_length=80, blank=True)
    last_ip = models.GenericIPAddressField(null=True, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_seen_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "customer", "mac_address"],
                name="customers_device_unique",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "mac_address"], name="cust_device_mac"),
            models.Index(fields=["customer", "-last_seen_at"], name="cust_device_recent"),
        ]

    def __str__(self):
        return self.mac_address


class CustomerEvent(TenantModel):
    """The customer's activity feed: what happened to the record and its services.

    Values of personal fields are never copied here (only which fields changed).
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        SUSPENDED = "suspended", _("Suspended")
        REACTIVATED = "reactivated", _("Reactivated")
        CLOSED = "closed", _("Closed")
        TAGGED = "tagged", _("Tagged")
        UNTAGGED = "untagged", _("Tag removed")
        IMPORTED = "imported", _("Imported")
        SERVICE = "service", _("Service")
        ROUTER = "router", _("Router")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    message = models.CharField(max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer", "-at"], name="cust_event_recent")]

    def __str__(self):
        return f"{self.kind}: {self.message}"
