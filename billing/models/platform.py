"""How NettPortal bills operators: fee plans and monthly platform invoices."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import CURRENCY_CHOICES
from accounts.tenancy import TenantModel


class PlatformFeePlan(models.Model):
    """A price list staff assign to organisations (platform-wide, not tenant data).

    The fee for a month is the flat fee (in ``flat_fee_currency``) plus
    ``percent_of_volume`` of the organisation's paid online payments (M-Pesa,
    Paystack) in each currency; cash and bank transfers are not processed by
    the platform and carry no percentage.
    """

    name = models.CharField(max_length=80, unique=True)
    flat_monthly_fee = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    flat_fee_currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="USD")
    percent_of_volume = models.DecimalField(
        _("% of processed volume"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MaxValueValidator(100)],
    )
    is_default = models.BooleanField(
        default=False, help_text=_("Used for organisations without a plan of their own.")
    )
    notes = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_fee_plan"
            )
        ]

    def __str__(self):
        return self.name


class PlatformInvoice(TenantModel):
    """NettPortal's monthly invoice to an organisation, one per period and currency."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        VOID = "void", _("Void")

    number = models.CharField(max_length=40, unique=True)
    period_start = models.DateField()
    period_end = models.DateField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    plan_name = models.CharField(max_length=80)
    payment_count = models.PositiveIntegerField(default=0)
    volume = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    flat_fee = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    percent_fee = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    issued_at = models.DateTimeField(auto_now_add=True)
    due_on = models.DateField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_note = models.CharField(max_length=200, blank=True)
    marked_paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-period_start", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "period_start", "currency"],
                name="billing_platform_invoice_period_unique",
            )
        ]

    def __str__(self):
        return self.number
