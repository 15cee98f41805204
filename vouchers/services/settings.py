"""An organisation's voucher settings (QR link, card footer and logo, paid-code format)."""

from __future__ import annotations

import logging

from django.db import transaction

from nettportal.errors import ValidationFailed
from vouchers.codes import CodeFormat, CodeFormatError
from vouchers.models import VoucherSettings
from vouchers.services.batches import validate_qr_url_template

logger = logging.getLogger(__name__)
FIELDS = (
    "qr_url_template",
    "card_footer",
    "logo",
    "code_prefix",
    "code_length",
    "group_size",
    "alphabet",
)


@transaction.atomic
def voucher_settings_update(*, organization, actor, **fields) -> VoucherSettings:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown setting(s): {', '.join(sorted(unknown))}")
    row, _created = VoucherSettings.objects.get_or_create(organization=organization)
    values = {name: getattr(row, name) for name in FIELDS}
    values.update(fields)
    values["qr_url_template"] = validate_qr_url_template(values["qr_url_template"])
    values["code_prefix"] = (values["code_prefix"] or "").strip().upper()
    try:
        CodeFormat(
            length=values["code_length"],
            prefix=values["code_prefix"],
            group_size=values["group_size"],
            alphabet=values["alphabet"],
        ).validate(quantity=10_000)
    except CodeFormatError as error:
        raise ValidationFailed(str(error), field="code_length") from None
    for name, value in values.items():
        setattr(row, name, value)
    row.card_footer = (row.card_footer or "").strip()[:120]
    row.save()
    logger.info(
        "voucher settings of organisation %s changed by user %s",
        organization.pk,
        getattr(actor, "pk", None),
    )
    return row
