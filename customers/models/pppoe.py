"""PPPoE service accounts, kept as ``/ppp/secret`` on one router each."""

from django.db import models
from django.db.models import F
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import TenantModel
from nettportal.crypto import EncryptedTextField


class PppoeAccount(TenantModel):
    """A customer's PPPoE login.

    The router holds the truth the customer experiences; this row holds what
    it *should* be. ``version`` goes up with every change we want on the
    router and ``synced_version`` records the version the router has, so a
    sync that finishes after a newer change never marks the account "in sync".

    ``profile`` is the RouterOS ``/ppp/profile`` name (which carries the rate
    limit on the router); ``rate_limit`` is kept for display and export.
    TODO(vouchers): replace both with a foreign key to ``vouchers.Package``
    when packages exist (see customers/packages.py).
    """

    class SyncState(models.TextChoices):
        PENDING = "pending", _("Waiting to sync")
        SYNCED = "synced", _("On the router")
        FAILED = "failed", _("Sync failed")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="pppoe_accounts"
    )
    router = models.ForeignKey(
        "routers.Router", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField(_("username"), max_length=64)
    password = EncryptedTextField(_("password"))
    profile = models.CharField(_("package"), max_length=64, default="default")
    rate_limit = models.CharField(_("rate limit"), max_length=40, blank=True)
    remote_address = models.GenericIPAddressField(
        _("static IP address"), protocol="IPv4", null=True, blank=True
    )
    is_enabled = models.BooleanField(
        default=True, help_text=_("Follows the customer's status: only active customers connect.")
    )
    sync_state = models.CharField(
        max_length=8, choices=SyncState.choices, default=SyncState.PENDING
    )
    sync_error = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    synced_version = models.PositiveIntegerField(default=0)
    synced_at = models.DateTimeField(null=True, blank=True)
    router_secret_id = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(
                F("organization"), Lower("username"), name="customers_pppoe_username_unique"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "router", "sync_state"], name="pppoe_router"),
            models.Index(fields=["organization", "profile"], name="pppoe_profile"),
        ]

    def __str__(self):
        return self.username

    @property
    def comment(self) -> str:
        """Written on the router so reconciliation knows which secrets are ours."""
        return f"nettportal:{self.pk}"
