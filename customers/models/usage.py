"""Usage records built from router polling: sessions and daily rollups."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import TenantModel


class UsageSession(TenantModel):
    """One login on one router, from the first poll that saw it to the last.

    ``bytes_in``/``bytes_out`` are the router's view (in = uploaded by the
    customer, out = downloaded) summed over the session, surviving counter
    resets; ``counter_in``/``counter_out`` are the raw counters of the last
    poll that the next delta starts from. ``ended_at`` is empty while the
    session is open.
    """

    class Kind(models.TextChoices):
        HOTSPOT = "hotspot", _("Hotspot")
        PPPOE = "pppoe", _("PPPoE")

    class EndReason(models.TextChoices):
        VANISHED = "vanished", _("Logged out")
        ROUTER_REBOOT = "reboot", _("Router restarted")
        RESTARTED = "restarted", _("Reconnected")
        STALE = "stale", _("Router not polled any more")

    router = models.ForeignKey(
        "routers.Router", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="usage_sessions",
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    username = models.CharField(max_length=100, help_text=_("Hotspot user (voucher) or PPPoE name"))
    mac_address = models.CharField(max_length=17, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    router_session_id = models.CharField(max_length=20, blank=True)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=10, choices=EndReason.choices, blank=True)
    uptime_seconds = models.BigIntegerField(default=0)
    bytes_in = models.BigIntegerField(default=0)
    bytes_out = models.BigIntegerField(default=0)
    counter_in = models.BigIntegerField(default=0)
    counter_out = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "customer", "-started_at", "-id"], name="usage_customer"
            ),
            models.Index(
                fields=["organization", "router"],
                condition=Q(ended_at__isnull=True),
                name="usage_open",
            ),
            models.Index(fields=["organization", "started_at"], name="usage_started"),
        ]

    def __str__(self):
        return f"{self.kind} {self.username}"

    @property
    def is_open(self):
        return self.ended_at is None


class UsageDaily(TenantModel):
    """A customer's usage on one day (the organisation's local date)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="usage_days"
    )
    day = models.DateField()
    bytes_in = models.BigIntegerField(default=0)
    bytes_out = models.BigIntegerField(default=0)
    seconds = models.BigIntegerField(default=0)
    sessions = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "customer", "day"], name="usage_daily_unique"
            )
        ]
        indexes = [models.Index(fields=["organization", "day"], name="usage_daily_day")]

    def __str__(self):
        return f"{self.customer_id} {self.day}"


class RouterUsageDaily(TenantModel):
    """Everyone's usage through one router on one day (vouchers and unknown users too)."""

    router = models.ForeignKey("routers.Router", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    bytes_in = models.BigIntegerField(default=0)
    bytes_out = models.BigIntegerField(default=0)
    seconds = models.BigIntegerField(default=0)
    sessions = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "router", "day"], name="router_usage_daily_unique"
            )
        ]
        indexes = [models.Index(fields=["organization", "day"], name="router_usage_day")]

    def __str__(self):
        return f"{self.router_id} {self.day}"
