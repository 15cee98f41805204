"""Packages, voucher batches, vouchers and what happened to them.

* :class:`Package` — what a customer buys (price, validity, limits, speed); it
  lives on routers as a ``/ip/hotspot/user/profile`` kept in step by a sync
  task, whose per-router result is a :class:`PackageRouterSync` row.
* :class:`VoucherBatch` — a print run of codes for one package.
* :class:`Voucher` — one code. It stays in NettPortal until redeemed; then it
  is a hotspot user on the router the customer is behind. Its life:
  ``unused → active → used_up | expired | revoked`` (``unused → expired |
  revoked`` when never sold).
* :class:`BatchPush` — a batch copied to one router ahead of time, with a
  cursor so an interrupted push resumes where it stopped.
* :class:`VoucherEvent` — every state change and every action taken on a
  router (created, removed, recreated, kicked), for the operator and support.
* :class:`VoucherSettings` — an organisation's defaults for codes and cards.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import TenantModel


class Package(TenantModel):
    name = models.CharField(max_length=80)
    profile_name = models.CharField(
        _("router profile name"),
        max_length=64,
        editable=False,
        help_text=_("The /ip/hotspot/user/profile this package is kept as on routers."),
    )
    description = models.CharField(
        max_length=200, blank=True, help_text=_("One line shown on the landing page.")
    )
    price = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    validity = models.DurationField(
        null=True,
        blank=True,
        help_text=_("How long a voucher works, counted from its first login. Empty: no end."),
    )
    time_limit = models.DurationField(
        null=True, blank=True, help_text=_("Total online time allowed (limit-uptime).")
    )
    data_limit_bytes = models.BigIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Total download + upload allowed (limit-bytes-total)."),
    )
    rate_limit = models.CharField(
        max_length=64,
        blank=True,
        help_text=_("Upload/download speed as RouterOS writes it, e.g. 2M/5M."),
    )
    shared_users = models.PositiveSmallIntegerField(
        _("devices at once"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive packages cannot be sold or redeemed.")
    )
    on_all_routers = models.BooleanField(_("offered on every router"), default=True)
    routers = models.ManyToManyField(
        "routers.Router",
        blank=True,
        related_name="+",
        help_text=_("Used when the package is not offered on every router."),
    )
    sold_on_landing_page = models.BooleanField(_("sold on the landing page"), default=False)
    allows_stacking = models.BooleanField(
        _("can be added on top of time left"),
        default=False,
        help_text=_(
            "If on, a customer whose voucher still has time left can redeem this one and "
            "the time and data add up. If off, they must use up what they have first."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["price", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="package_unique_name"),
            models.UniqueConstraint(
                fields=["organization", "profile_name"], name="package_unique_profile"
            ),
        ]
        indexes = [models.Index(fields=["organization", "is_active"])]

    def __str__(self):
        return self.name


class PackageRouterSync(TenantModel):
    """How one package stands on one router, as the last sync found and left it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to sync")
        SYNCED = "synced", _("In sync")
        ERROR = "error", _("Sync failed")
        KEPT = "kept", _("Kept (still in use)")

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="syncs")
    router = models.ForeignKey("routers.Router", on_delete=models.CASCADE, related_name="+")
    # True while the package is offered on this router; False means "remove it".
    is_wanted = models.BooleanField(default=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    router_profile_id = models.CharField(max_length=20, blank=True)
    # What we last put on the router; a router that differs from it drifted.
    synced_values = models.JSONField(default=dict, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    # What differed on the router before the last sync fixed it:
    # [{"field": "rate-limit", "router": "1M/1M", "expected": "2M/5M"}, …]
    drift = models.JSONField(default=list, blank=True)
    drift_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["router__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "package", "router"], name="package_sync_unique"
            )
        ]

    def __str__(self):
        return f"{self.package_id}@{self.router_id}: {self.state}"


class VoucherSettings(TenantModel):
    """An organisation's defaults for new codes and for printed cards."""

    qr_url_template = models.CharField(
        _("QR code link"),
        max_length=300,
        blank=True,
        help_text=_(
            "Where the QR code on a card leads. {code} is replaced by the voucher code, "
            "{org} by your organisation's short name. Empty: your NettPortal landing page."
        ),
    )
    card_footer = models.CharField(
        max_length=120, blank=True, help_text=_("A line printed on every card, e.g. a help number.")
    )
    logo = models.ImageField(upload_to="vouchers/logos/", blank=True)
    code_length = models.PositiveSmallIntegerField(default=8)
    code_prefix = models.CharField(max_length=8, blank=True)
    group_size = models.PositiveSmallIntegerField(default=4)
    alphabet = models.CharField(max_length=10, default="mixed")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "voucher settings"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="voucher_settings_unique")
        ]

    def __str__(self):
        return f"voucher settings {self.organization_id}"


class VoucherBatch(TenantModel):
    class Status(models.TextChoices):
        GENERATING = "generating", _("Generating")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Alphabet(models.TextChoices):
        MIXED = "mixed", _("Letters and digits (no 0/O/1/I/L)")
        DIGITS = "digits", _("Digits only (2–9)")

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="batches")
    quantity = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    code_length = models.PositiveSmallIntegerField(_("random characters"), default=8)
    prefix = models.CharField(max_length=8, blank=True)
    group_size = models.PositiveSmallIntegerField(default=4)
    separator = models.CharField(max_length=1, blank=True, default="-")
    alphabet = models.CharField(max_length=10, choices=Alphabet.choices, default=Alphabet.MIXED)
    pin_length = models.PositiveSmallIntegerField(
        _("PIN digits"), default=0, help_text=_("0: no PIN (the code is also the password).")
    )
    expires_at = models.DateTimeField(
        _("unsold vouchers expire"),
        null=True,
        blank=True,
        help_text=_("Vouchers not redeemed by then stop working."),
    )
    note = models.CharField(max_length=200, blank=True)
    qr_url_template = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.GENERATING)
    generated_count = models.PositiveIntegerField(default=0)
    job = models.ForeignKey(
        "nettportal.BackgroundJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "voucher batches"
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self):
        return f"Batch {self.pk}"

    @property
    def code_format(self):
        from vouchers.codes import CodeFormat

        return CodeFormat(
            length=self.code_length,
            prefix=self.prefix,
            group_size=self.group_size,
            separator=self.separator,
            alphabet=self.alphabet,
        )

    @property
    def is_ready(self):
        return self.status == self.Status.READY


class Voucher(TenantModel):
    class Status(models.TextChoices):
        UNUSED = "unused", _("Unused")
        ACTIVE = "active", _("In use")
        USED_UP = "used_up", _("Used up")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    FINISHED = (Status.USED_UP, Status.EXPIRED, Status.REVOKED)

    class Source(models.TextChoices):
        BATCH = "batch", _("Printed batch")
        PAYMENT = "payment", _("Online payment")

    # This table is bulk-loaded 100,000 rows at a time. PostgreSQL checks a
    # foreign-key constraint row by row (deferred to the commit, where it cost
    # ~4 s of a 5 s batch), so the three keys every batch row carries have no
    # database constraint: the generator writes ids it has just validated, and
    # CASCADE / PROTECT are carried out by Django's deletion collector as
    # before. Each key is covered by one index below instead of Django's own.
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        db_index=False,  # leads the unique (organization, lookup) index
        db_constraint=False,
    )
    batch = models.ForeignKey(
        VoucherBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vouchers",
        db_index=False,  # (organization, batch, status) below
        db_constraint=False,
    )
    package = models.ForeignKey(
        Package, on_delete=models.PROTECT, related_name="vouchers", db_constraint=False
    )
    code = models.CharField(max_length=40, help_text=_("As printed; the router's user name."))
    lookup = models.CharField(max_length=40, editable=False)
    pin = models.CharField(max_length=8, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UNUSED)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.BATCH)
    payment_reference = models.CharField(max_length=100, null=True, blank=True)
    unsold_expires_at = models.DateTimeField(null=True, blank=True)
    # Where the voucher lives once redeemed or first seen online.
    router = models.ForeignKey(
        "routers.Router",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    redeemed_at = models.DateTimeField(null=True, blank=True)
    first_login_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    used_seconds = models.BigIntegerField(default=0)
    used_bytes = models.BigIntegerField(default=0)
    # Usage before the router's counters last started from zero (the user was
    # recreated): used = base + what the router counts now.
    usage_base_seconds = models.BigIntegerField(default=0)
    usage_base_bytes = models.BigIntegerField(default=0)
    # Time and data added by vouchers stacked onto this one.
    extra_validity = models.DurationField(null=True, blank=True)
    extra_time = models.DurationField(null=True, blank=True)
    extra_bytes = models.BigIntegerField(null=True, blank=True)
    stacked_onto = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stacked",
        db_index=False,
    )
    device_mac = models.CharField(max_length=17, blank=True)
    sold_at = models.DateTimeField(null=True, blank=True)
    sold_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # varchar_pattern_ops (PostgreSQL) lets this one index serve exact
            # look-ups, ON CONFLICT and "code starts with" searches.
            models.UniqueConstraint(
                fields=["organization", "lookup"],
                name="voucher_unique_code",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            models.UniqueConstraint(
                fields=["organization", "payment_reference"],
                condition=Q(payment_reference__isnull=False),
                name="voucher_unique_payment",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "expires_at"],
                condition=Q(status="active"),
                name="voucher_active_expiry",
            ),
            models.Index(fields=["organization", "batch", "status"]),
            models.Index(fields=["organization", "-created_at"]),
            models.Index(
                fields=["organization", "sold_at"],
                condition=Q(sold_at__isnull=False),
                name="voucher_sold_at",
            ),
            # Rows of one router or one voucher belong to one organisation;
            # these also serve the SET NULL / PROTECT checks when those are deleted.
            models.Index(
                fields=["router", "status"],
                condition=Q(router__isnull=False),
                name="voucher_router",
            ),
            # "Does this device already use a code on this router?", asked at every
            # redemption: without it PostgreSQL walks every active voucher of the router.
            models.Index(
                fields=["router", "device_mac"],
                condition=Q(status="active"),
                name="voucher_device_active",
            ),
            models.Index(
                fields=["stacked_onto"],
                condition=Q(stacked_onto__isnull=False),
                name="voucher_stacked_onto",
            ),
            models.Index(
                fields=["status", "unsold_expires_at"],
                condition=Q(status="unused", unsold_expires_at__isnull=False),
                name="voucher_unsold_expiry",
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def is_finished(self):
        return self.status in self.FINISHED

    @property
    def password(self) -> str:
        """The hotspot password: the PIN, or the code itself when there is none
        (what MikroTik login pages in "voucher" mode send)."""
        return self.pin or self.code

    @property
    def total_time_limit(self) -> timedelta | None:
        base = self.package.time_limit
        if base is None:
            return None
        return base + (self.extra_time or timedelta())

    @property
    def total_data_limit(self) -> int | None:
        base = self.package.data_limit_bytes
        if base is None:
            return None
        return base + (self.extra_bytes or 0)

    @property
    def total_validity(self) -> timedelta | None:
        base = self.package.validity
        if base is None:
            return None
        return base + (self.extra_validity or timedelta())

    @property
    def time_left(self) -> timedelta | None:
        if self.status != self.Status.ACTIVE or self.expires_at is None:
            return None
        return max(timedelta(), self.expires_at - timezone.now())


class BatchPush(TenantModel):
    """A batch pushed ahead of time to one router (one connection, resumable)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Pushing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Stopped by an error")

    batch = models.ForeignKey(VoucherBatch, on_delete=models.CASCADE, related_name="pushes")
    router = models.ForeignKey("routers.Router", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Vouchers are pushed in id order; everything up to this id is done.
    cursor = models.BigIntegerField(default=0)
    pushed = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    job = models.ForeignKey(
        "nettportal.BackgroundJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A running push touches this after each chunk; a stale one may be taken over.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["router__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "batch", "router"], name="batch_push_unique"
            )
        ]

    def __str__(self):
        return f"batch {self.batch_id} → router {self.router_id}"


class VoucherEvent(TenantModel):
    """One thing that happened to a voucher, or was done on a router because of it."""

    class Kind(models.TextChoices):
        REDEEMED = "redeemed", _("Redeemed")
        ISSUED = "issued", _("Issued for a payment")
        FIRST_LOGIN = "first_login", _("First login seen")
        LOGGED_IN = "logged_in", _("Device logged in")
        STACKED = "stacked", _("Added on top of another voucher")
        USED_UP = "used_up", _("Used up")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")
        REMOVED = "removed", _("Removed from router")
        RECREATED = "recreated", _("Recreated on router")
        KICKED = "kicked", _("Session ended")
        ROUTER_ERROR = "router_error", _("Router error")
        RECONCILED = "reconciled", _("Router checked")

    voucher = models.ForeignKey(
        Voucher, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    router = models.ForeignKey(
        "routers.Router", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    message = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "voucher", "-created_at"]),
            models.Index(fields=["organization", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.voucher_id})"
