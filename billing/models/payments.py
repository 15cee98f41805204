"""Payments, their audit trail, fulfilment and customer credit."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import CURRENCY_CHOICES
from accounts.tenancy import TenantModel

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I


def new_public_id() -> str:
    """Unguessable id for the payer's status page and receipt link."""
    return secrets.token_urlsafe(16)


def new_reference() -> str:
    """Our own reference: 10 characters, fits M-Pesa's AccountReference (≤ 12)."""
    return "NP" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


class Payment(TenantModel):
    """Money an end customer pays an operator, through one processor.

    Status moves only forward through :mod:`billing.services.payments`
    (conditional updates, so concurrent callbacks and queries cannot apply a
    change twice): ``pending`` → ``paid`` / ``failed`` / ``cancelled`` /
    ``needs_review``; late proof of payment may still turn a failed, cancelled
    or needs-review payment into ``paid``; nothing turns ``paid`` back except
    a refund.
    """

    class Processor(models.TextChoices):
        MPESA = "mpesa", _("M-Pesa")
        PAYSTACK = "paystack", _("Paystack")
        CASH = "cash", _("Cash")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")

    MANUAL_PROCESSORS = (Processor.CASH, Processor.BANK_TRANSFER)
    ONLINE_PROCESSORS = (Processor.MPESA, Processor.PAYSTACK)

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        NEEDS_REVIEW = "needs_review", _("Needs review")
        REFUNDED = "refunded", _("Refunded")

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    reference = models.CharField(max_length=20, unique=True, default=new_reference)
    processor = models.CharField(max_length=16, choices=Processor.choices)
    processor_account = models.ForeignKey(
        "billing.ProcessorAccount",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payments",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payments",
    )
    # What the payment is for: a key in billing.fulfilment's registry
    # ("package", "invoice", "topup"), the id there, and a label kept as it was.
    purpose = models.CharField(max_length=24, blank=True)
    purpose_ref = models.CharField(max_length=64, blank=True)
    purpose_label = models.CharField(_("for"), max_length=120, blank=True)
    router_label = models.CharField(
        _("router"), max_length=120, blank=True, help_text=_("Where the purchase was made.")
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.PENDING)
    payer_phone = models.CharField(max_length=20, blank=True, help_text=_("E.164"))
    payer_email = models.EmailField(blank=True)
    # The processor's ids: CheckoutRequestID / Paystack transaction id (+ MerchantRequestID).
    processor_reference = models.CharField(max_length=100, null=True, blank=True)
    processor_request_id = models.CharField(max_length=100, blank=True)
    # Proof of payment: M-Pesa receipt, Paystack reference, bank or cash-book reference.
    processor_receipt = models.CharField(_("processor receipt"), max_length=100, blank=True)
    receipt_number = models.CharField(max_length=20, blank=True)
    # Where the payer finishes paying (Paystack's checkout page).
    redirect_url = models.CharField(max_length=500, blank=True)
    failure_code = models.CharField(max_length=20, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    review_reason = models.CharField(max_length=300, blank=True)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    check_count = models.PositiveSmallIntegerField(default=0)
    receipt_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "processor", "processor_reference"],
                condition=Q(processor_reference__isnull=False),
                name="billing_payment_processor_ref_unique",
            ),
            models.UniqueConstraint(
                fields=["organization", "processor", "processor_receipt"],
                condition=~Q(processor_receipt=""),
                name="billing_payment_receipt_unique",
            ),
            models.UniqueConstraint(
                fields=["organization", "receipt_number"],
                condition=~Q(receipt_number=""),
                name="billing_payment_receipt_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="billing_payment_amount_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "-created_at", "-id"], name="pay_org_created"),
            models.Index(fields=["organization", "status", "-created_at"], name="pay_org_status"),
            models.Index(fields=["organization", "customer", "-created_at"], name="pay_org_cust"),
            models.Index(fields=["organization", "paid_at"], name="pay_org_paid"),
            models.Index(fields=["status", "created_at"], name="pay_status_created"),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_paid(self):
        return self.status == self.Status.PAID

    @property
    def is_online(self):
        return self.processor in self.ONLINE_PROCESSORS

    @property
    def payer_phone_masked(self) -> str:
        phone = self.payer_phone
        return f"{phone[:-7]}•••{phone[-4:]}" if len(phone) > 8 else phone


class PaymentEvent(TenantModel):
    """One thing that happened to a payment, with the processor's payload.

    Payloads are stored with personal data removed (phone numbers masked,
    names and emails dropped) by :func:`billing.processors.base.minimise`.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        START = "start", _("Sent to processor")
        START_FAILED = "start_failed", _("Processor refused or did not answer")
        CALLBACK = "callback", _("Callback")
        WEBHOOK = "webhook", _("Webhook")
        QUERY = "query", _("Status query")
        STATUS = "status", _("Status changed")
        MANUAL = "manual", _("Staff action")
        RECEIPT = "receipt", _("Receipt sent")
        FULFILMENT = "fulfilment", _("Fulfilment")

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    message = models.CharField(max_length=300, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["payment", "created_at"], name="pay_event_payment")]

    def __str__(self):
        return f"{self.kind}: {self.message}"


class Fulfilment(TenantModel):
    """Giving the value a paid payment bought, exactly once.

    Created in the same transaction that marks the payment paid (one row per
    payment, enforced by the database). The handler runs under a row lock and
    its writes commit together with ``status=done``; a handler that cannot
    finish yet (router offline) is retried later with back-off.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    payment = models.OneToOneField(Payment, on_delete=models.CASCADE, related_name="fulfilment")
    purpose = models.CharField(max_length=24)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="fulfil_due")]

    def __str__(self):
        return f"{self.purpose} for payment {self.payment_id}"


class CreditEntry(TenantModel):
    """A customer's account credit: top-ups add, invoices paid from credit subtract."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="credit_entries"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text=_("+ credit, − spent"))
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="credit_entry"
    )
    invoice = models.ForeignKey(
        "billing.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "currency"], name="credit_customer")]

    def __str__(self):
        return self.description


class DocumentCounter(TenantModel):
    """Per-organisation running numbers for receipts and invoices (no gaps, no repeats)."""

    kind = models.CharField(max_length=12)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind"], name="billing_counter_unique")
        ]

    def __str__(self):
        return f"{self.kind} #{self.value}"
