"""Customer invoices (PPPoE subscriptions) and the organisation's billing settings."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import CURRENCY_CHOICES
from accounts.tenancy import TenantModel


class BillingSettings(TenantModel):
    """How an organisation bills its customers; one row per organisation.

    ``platform_plan`` is how NettPortal bills the organisation: staff set it in
    the admin; operators never see it in a form.
    """

    invoice_due_days = models.PositiveSmallIntegerField(
        _("invoice due after (days)"), default=7, validators=[MaxValueValidator(60)]
    )
    grace_days = models.PositiveSmallIntegerField(
        _("suspend after overdue (days)"),
        default=3,
        validators=[MaxValueValidator(60)],
        help_text=_("PPPoE service is suspended this many days after an unpaid invoice is due."),
    )
    reminder_days_before_due = models.PositiveSmallIntegerField(
        _("remind before due (days)"), default=2, validators=[MaxValueValidator(30)]
    )
    send_receipts = models.BooleanField(_("email receipts to customers"), default=True)
    receipt_note = models.CharField(
        _("note on receipts"),
        max_length=300,
        blank=True,
        help_text=_("E.g. your tax number or a thank-you line."),
    )
    platform_plan = models.ForeignKey(
        "billing.PlatformFeePlan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Set by NettPortal staff. Empty: the default plan."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "billing settings"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="billing_settings_unique")
        ]

    def __str__(self):
        return f"billing settings of {self.organization_id}"


class Subscription(TenantModel):
    """A monthly PPPoE service a customer is invoiced for."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        CANCELLED = "cancelled", _("Cancelled")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="subscriptions"
    )
    description = models.CharField(_("plan"), max_length=120)
    amount = models.DecimalField(_("monthly price"), max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    billing_day = models.PositiveSmallIntegerField(
        _("billing day"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Day of the month each invoice is issued (1–28)."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    starts_on = models.DateField(_("first period starts"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "status"], name="sub_org_status")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_sub_amount_positive")
        ]

    def __str__(self):
        return self.description


class Invoice(TenantModel):
    """A bill to a customer: one per subscription period, or one-off."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        VOID = "void", _("Void")

    number = models.CharField(max_length=20)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoices",
    )
    subscription = models.ForeignKey(
        Subscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="invoices"
    )
    description = models.CharField(max_length=200)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    issued_on = models.DateField()
    due_on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    paid_at = models.DateTimeField(null=True, blank=True)
    payment = models.ForeignKey(
        "billing.Payment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    suspended_customer_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="billing_invoice_number_unique"
            ),
            models.UniqueConstraint(
                fields=["organization", "subscription", "period_start"],
                condition=Q(subscription__isnull=False),
                name="billing_invoice_period_unique",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="billing_invoice_amount_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "due_on"], name="inv_org_status_due"),
            models.Index(fields=["organization", "customer", "-issued_on"], name="inv_org_cust"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self):
        return self.status == self.Status.OPEN
