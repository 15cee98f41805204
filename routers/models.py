"""Routers and what polling learns about them.

A :class:`Router` holds how to reach a MikroTik (password encrypted at rest)
and the latest observed state, so list pages need no joins. Each poll adds one
:class:`RouterStatusSample` (charts), one :class:`InterfaceTrafficSample` per
interface (counter deltas), replaces the router's :class:`ActiveSession` set,
and records a :class:`RouterEvent` when the router goes offline or comes back.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import TenantModel
from nettportal.crypto import EncryptedTextField


class Router(TenantModel):
    class Status(models.TextChoices):
        UNKNOWN = "unknown", _("Not polled yet")
        ONLINE = "online", _("Online")
        OFFLINE = "offline", _("Offline")
        AUTH_FAILED = "auth_failed", _("Login refused")
        ERROR = "error", _("Error")

    name = models.CharField(max_length=100)
    host = models.CharField(
        _("host or IP address"),
        max_length=255,
        help_text=_("The router's address as NettPortal reaches it, e.g. a WireGuard tunnel IP."),
    )
    api_port = models.PositiveIntegerField(
        _("API port"),
        default=8728,
        validators=[MinValueValidator(1), MaxValueValidator(65535)],
        help_text=_("8728 for the API service, 8729 for API-SSL."),
    )
    use_tls = models.BooleanField(_("use TLS (API-SSL)"), default=False)
    verify_tls = models.BooleanField(
        _("verify the TLS certificate"),
        default=False,
        help_text=_(
            "Only when the router's certificate is signed by an authority this server trusts."
        ),
    )
    username = models.CharField(max_length=100)
    password = EncryptedTextField(blank=True)
    site = models.CharField(_("site / location"), max_length=100, blank=True)
    notes = models.TextField(blank=True)
    is_enabled = models.BooleanField(
        _("poll this router"), default=True, help_text=_("Turn off to pause polling.")
    )

    # What the last polls saw.
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNKNOWN)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_error_kind = models.CharField(max_length=20, blank=True)
    identity = models.CharField(max_length=100, blank=True)
    version = models.CharField(max_length=60, blank=True)
    board_name = models.CharField(max_length=100, blank=True)
    uptime_seconds = models.BigIntegerField(null=True, blank=True)
    cpu_load = models.PositiveSmallIntegerField(null=True, blank=True)
    free_memory = models.BigIntegerField(null=True, blank=True)
    total_memory = models.BigIntegerField(null=True, blank=True)
    hotspot_sessions_count = models.PositiveIntegerField(default=0)
    ppp_sessions_count = models.PositiveIntegerField(default=0)

    # Counters of the last successful poll, per interface name:
    # [interface id, rx bytes, tx bytes, type, running, disabled]. Kept on the
    # router row (already written by every poll) so a poll does not rewrite
    # every interface row; interface rows change only when an interface does.
    interface_counters = models.JSONField(default=dict, blank=True, editable=False)

    # Polling bookkeeping: back-off and the lease that stops overlapping polls.
    consecutive_failures = models.PositiveIntegerField(default=0)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    poll_lease_until = models.DateTimeField(null=True, blank=True)
    poll_lease_token = models.CharField(max_length=32, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="router_unique_name"),
            models.UniqueConstraint(
                fields=["organization", "host", "api_port"], name="router_unique_address"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["organization", "site"]),
            models.Index(fields=["is_enabled", "next_poll_at"]),
        ]

    def __str__(self):
        return self.name

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.api_port}"

    @property
    def is_online(self) -> bool:
        return self.status == self.Status.ONLINE

    @property
    def memory_used_percent(self) -> int | None:
        if not self.total_memory or self.free_memory is None:
            return None
        return round(100 * (self.total_memory - self.free_memory) / self.total_memory)

    @property
    def users_online(self) -> int:
        return self.hotspot_sessions_count + self.ppp_sessions_count


class RouterInterface(TenantModel):
    """An interface of a router; written when it appears or changes state."""

    router = models.ForeignKey(Router, on_delete=models.CASCADE, related_name="interfaces")
    name = models.CharField(max_length=100)
    type = models.CharField(max_length=40, blank=True)
    is_running = models.BooleanField(default=False)
    is_disabled = models.BooleanField(default=False)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "router", "name"], name="router_interface_unique"
            )
        ]

    def __str__(self):
        return self.name


class RouterStatusSample(TenantModel):
    """One poll: reachability, load and router-wide traffic since the last poll."""

    router = models.ForeignKey(Router, on_delete=models.CASCADE, related_name="samples")
    taken_at = models.DateTimeField()
    is_reachable = models.BooleanField()
    cpu_load = models.PositiveSmallIntegerField(null=True)
    memory_used_percent = models.PositiveSmallIntegerField(null=True)
    uptime_seconds = models.BigIntegerField(null=True)
    hotspot_sessions = models.PositiveIntegerField(default=0)
    ppp_sessions = models.PositiveIntegerField(default=0)
    # Bytes through the physical interfaces since the previous sample.
    rx_bytes = models.BigIntegerField(null=True)
    tx_bytes = models.BigIntegerField(null=True)
    interval_seconds = models.PositiveIntegerField(null=True)

    class Meta:
        ordering = ["-taken_at"]
        indexes = [
            models.Index(fields=["organization", "router", "taken_at"]),
            models.Index(fields=["taken_at"]),
        ]


class InterfaceTrafficSample(TenantModel):
    """Bytes through one interface between two polls (never negative)."""

    router = models.ForeignKey(Router, on_delete=models.CASCADE, related_name="+")
    interface = models.ForeignKey(RouterInterface, on_delete=models.CASCADE, related_name="samples")
    taken_at = models.DateTimeField()
    rx_bytes = models.BigIntegerField()
    tx_bytes = models.BigIntegerField()
    interval_seconds = models.PositiveIntegerField()
    # True when the counters went backwards (reboot or reset): the delta is
    # the counter's value, i.e. what passed since the reset.
    counter_reset = models.BooleanField(default=False)

    class Meta:
        ordering = ["-taken_at"]
        indexes = [
            models.Index(fields=["organization", "interface", "taken_at"]),
            models.Index(fields=["taken_at"]),
        ]


class ActiveSession(TenantModel):
    """A user online on a router right now (hotspot or PPPoE), as of the last poll."""

    class Kind(models.TextChoices):
        HOTSPOT = "hotspot", _("Hotspot")
        PPP = "ppp", _("PPPoE")

    router = models.ForeignKey(Router, on_delete=models.CASCADE, related_name="sessions")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    router_item_id = models.CharField(max_length=20, help_text=_("RouterOS .id, e.g. *1A"))
    username = models.CharField(max_length=100)
    address = models.CharField(max_length=45, blank=True)
    mac_address = models.CharField(max_length=17, blank=True)
    uptime_seconds = models.BigIntegerField(default=0)
    bytes_in = models.BigIntegerField(null=True)
    bytes_out = models.BigIntegerField(null=True)
    login_by = models.CharField(max_length=40, blank=True)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["username"]
        indexes = [
            models.Index(fields=["organization", "router", "kind"]),
            models.Index(fields=["organization", "username"]),
        ]

    def __str__(self):
        return f"{self.username}@{self.router_id}"


class RouterEvent(TenantModel):
    class Kind(models.TextChoices):
        ONLINE = "online", _("Came online")
        OFFLINE = "offline", _("Went offline")
        AUTH_FAILED = "auth_failed", _("Login refused")
        ERROR = "error", _("Error")
        REBOOTED = "rebooted", _("Rebooted")
        SESSION_DISCONNECTED = "session_disconnected", _("Session disconnected")

    router = models.ForeignKey(Router, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "router", "-created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.router_id})"
