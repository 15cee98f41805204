"""An organisation's billing settings (operators edit these; staff set the fee plan in admin)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from billing.models import BillingSettings
from nettportal.errors import ValidationFailed

EDITABLE = (
    "invoice_due_days",
    "grace_days",
    "reminder_days_before_due",
    "send_receipts",
    "receipt_note",
)


@transaction.atomic
def billing_settings_update(*, organization, **fields) -> BillingSettings:
    row, _created = BillingSettings.objects.select_for_update().get_or_create(
        organization=organization
    )
    for name in EDITABLE:
        if name in fields:
            setattr(row, name, fields[name])
    try:
        row.full_clean(exclude=["organization", "platform_plan"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ValidationFailed(messages[0], field=field) from None
    row.save()
    return row
