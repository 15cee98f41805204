"""Phone numbers: validated and stored in E.164, shown in the national format."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalize_phone(raw: str, region: str | None = None) -> str:
    """Parse ``raw`` (any common format) and return E.164, or raise ValidationError."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter a phone number."), code="required")
    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("Enter a valid phone number, e.g. +233 20 123 4567."), code="invalid"
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("This is not a valid phone number for its country."), code="invalid"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone_national(e164: str, region: str | None = None) -> str:
    """Show a stored number the way people in ``region`` write it."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if region and phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
