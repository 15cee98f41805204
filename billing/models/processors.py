"""Per-organisation payment-processor accounts (credentials encrypted at rest)."""

import json
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import TenantModel
from nettportal.crypto import EncryptedTextField


def new_callback_key() -> str:
    """The public half of a processor's callback URL: names the account, proves nothing."""
    return secrets.token_urlsafe(12)


def new_callback_token() -> str:
    """The secret half of the M-Pesa callback URL (Daraja callbacks are unsigned)."""
    return secrets.token_urlsafe(24)


class ProcessorAccount(TenantModel):
    """An organisation's account with one online payment processor.

    Secrets (Daraja consumer key/secret and pass key, Paystack secret key) live
    together as JSON in one encrypted field and are never shown again once
    saved. Callbacks reach ``/payments/hooks/<kind>/<callback_key>/…``: the key
    picks the account (and so the tenant), never anything in the body.
    """

    class Kind(models.TextChoices):
        MPESA = "mpesa", _("M-Pesa (Daraja STK Push)")
        PAYSTACK = "paystack", _("Paystack (cards and mobile money)")

    class Environment(models.TextChoices):
        SANDBOX = "sandbox", _("Sandbox / test")
        PRODUCTION = "production", _("Live")

    class TransactionType(models.TextChoices):
        PAYBILL = "CustomerPayBillOnline", _("PayBill")
        BUY_GOODS = "CustomerBuyGoodsOnline", _("Till number (Buy Goods)")

    SECRET_NAMES = {
        Kind.MPESA: ("consumer_key", "consumer_secret", "passkey"),
        Kind.PAYSTACK: ("secret_key",),
    }

    kind = models.CharField(max_length=12, choices=Kind.choices)
    environment = models.CharField(
        max_length=12, choices=Environment.choices, default=Environment.SANDBOX
    )
    is_enabled = models.BooleanField(_("accept payments"), default=True)
    # M-Pesa
    shortcode = models.CharField(
        _("business short code"),
        max_length=10,
        blank=True,
        help_text=_("PayBill number, or the store (head office) number of a till."),
    )
    till_number = models.CharField(
        _("till number"), max_length=10, blank=True, help_text=_("Only for Buy Goods tills.")
    )
    transaction_type = models.CharField(
        max_length=24, choices=TransactionType.choices, default=TransactionType.PAYBILL
    )
    confirm_with_query = models.BooleanField(
        _("confirm every callback with the M-Pesa status query"),
        default=False,
        help_text=_(
            "Strictest: a success callback is only trusted once Daraja's STK query agrees. "
            "Otherwise a callback must match a request we made (IDs and amount)."
        ),
    )
    # Paystack
    public_key = models.CharField(_("public key"), max_length=80, blank=True)
    secrets = EncryptedTextField(blank=True, editable=False)
    callback_key = models.CharField(
        max_length=32, unique=True, default=new_callback_key, editable=False
    )
    callback_token = EncryptedTextField(default=new_callback_token, editable=False)
    last_tested_at = models.DateTimeField(null=True, blank=True)
    last_test_ok = models.BooleanField(null=True, blank=True)
    last_test_message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind"], name="billing_processor_account_unique"
            )
        ]

    def __str__(self):
        return self.get_kind_display()

    def get_secrets(self) -> dict:
        if not self.secrets:
            return {}
        try:
            value = json.loads(self.secrets)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def set_secrets(self, values: dict) -> None:
        self.secrets = json.dumps({k: v for k, v in values.items() if v}, sort_keys=True)

    def secret(self, name: str) -> str:
        return str(self.get_secrets().get(name) or "")

    @property
    def has_secrets(self) -> bool:
        names = self.SECRET_NAMES.get(self.kind, ())
        stored = self.get_secrets()
        return all(stored.get(name) for name in names)

    @property
    def party_b(self) -> str:
        """Daraja's PartyB: the till for Buy Goods, the PayBill number otherwise."""
        if self.transaction_type == self.TransactionType.BUY_GOODS:
            return self.till_number or self.shortcode
        return self.shortcode
