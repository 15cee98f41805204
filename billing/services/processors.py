"""Setting up an organisation's processor accounts and testing their credentials."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import ProcessorAccount
from billing.processors import ProcessorError, processor_for
from nettportal.errors import ValidationFailed

PLAIN_FIELDS = {
    ProcessorAccount.Kind.MPESA: (
        "environment",
        "is_enabled",
        "shortcode",
        "till_number",
        "transaction_type",
        "confirm_with_query",
    ),
    ProcessorAccount.Kind.PAYSTACK: ("environment", "is_enabled", "public_key"),
}


@transaction.atomic
def processor_account_save(
    *, organization, kind: str, fields: dict, secrets: dict
) -> ProcessorAccount:
    """Create or update the account of ``kind``. Empty secrets keep the stored ones."""
    if kind not in ProcessorAccount.Kind.values:
        raise ValidationFailed(_("Unknown payment processor."))
    account = ProcessorAccount.objects.select_for_update().filter(
        kind=kind
    ).first() or ProcessorAccount(organization=organization, kind=kind)
    for name in PLAIN_FIELDS[kind]:
        if name in fields:
            setattr(account, name, fields[name])
    if kind == ProcessorAccount.Kind.MPESA:
        for name in ("shortcode", "till_number"):
            value = str(getattr(account, name) or "").strip()
            if value and not value.isdigit():
                raise ValidationFailed(_("Use digits only."), field=name)
            setattr(account, name, value)
        if not account.shortcode:
            raise ValidationFailed(_("Enter the business short code."), field="shortcode")
        if (
            account.transaction_type == ProcessorAccount.TransactionType.BUY_GOODS
            and not account.till_number
        ):
            raise ValidationFailed(_("Enter the till number for Buy Goods."), field="till_number")
    stored = account.get_secrets()
    for name in ProcessorAccount.SECRET_NAMES[kind]:
        value = str(secrets.get(name) or "").strip()
        if value:
            stored[name] = value
    secret_key = stored.get("secret_key", "")
    if (
        kind == ProcessorAccount.Kind.PAYSTACK
        and secret_key
        and not secret_key.startswith(("sk_test_", "sk_live_"))
    ):
        raise ValidationFailed(
            _("A Paystack secret key starts with sk_test_ or sk_live_."), field="secret_key"
        )
    missing = [name for name in ProcessorAccount.SECRET_NAMES[kind] if not stored.get(name)]
    if missing:
        raise ValidationFailed(_("This is required."), field=missing[0])
    account.set_secrets(stored)
    account.last_test_ok = None
    account.last_test_message = ""
    account.save()
    return account


def processor_account_test(*, account: ProcessorAccount) -> tuple[bool, str]:
    """The "test credentials" button: one harmless authenticated call to the processor."""
    try:
        message = processor_for(account).test_credentials()
        ok = True
    except ProcessorError as exc:
        ok, message = False, exc.message
    ProcessorAccount.objects.filter(pk=account.pk).update(
        last_tested_at=timezone.now(), last_test_ok=ok, last_test_message=clean_message(message)
    )
    account.refresh_from_db()
    return ok, message


def clean_message(message: str) -> str:
    return str(message)[:300]


@transaction.atomic
def processor_account_rotate_callback(*, account: ProcessorAccount) -> ProcessorAccount:
    """A new secret callback URL (if the old one leaked).

    Callbacks for requests already sent go to the old URL and are refused;
    reconciliation settles those payments with a status query.
    """
    from billing.models.processors import new_callback_key, new_callback_token

    account.callback_key = new_callback_key()
    account.callback_token = new_callback_token()
    account.save(update_fields=["callback_key", "callback_token", "updated_at"])
    return account
