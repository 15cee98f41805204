"""The operator's customers: found by contact, created by phone (customers app)."""

from __future__ import annotations

import contextlib

from nettportal.errors import ValidationFailed


def clean_phone(raw: str, *, region: str) -> str:
    from django.core.exceptions import ValidationError

    from nettportal.phones import normalize_phone

    try:
        return normalize_phone(raw, region)
    except ValidationError as error:
        raise ValidationFailed(error.messages[0], field="phone") from None


def customer_for_contact(*, channel: str, contact: str) -> int | None:
    """The id of the active organisation's customer with this phone or email, if any."""
    from customers.models import Customer

    field = "phone" if channel == "sms" else "email__iexact"
    return (
        Customer.objects.filter(**{field: contact})
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def customer_for_phone(*, config, phone: str):
    """The operator's customer with this phone, created as a hotspot customer when new."""
    from customers.models import Customer
    from customers.services.customers import customer_get_or_create_by_phone

    customer, _created = customer_get_or_create_by_phone(
        organization=config.organization, phone=phone, source=Customer.Source.PORTAL
    )
    return customer


def customer_device_remember(*, customer, mac: str) -> None:
    from customers.services.customers import customer_device_add

    # A MAC the customers app does not accept is not worth failing a delivery for.
    with contextlib.suppress(ValidationFailed):
        customer_device_add(customer=customer, mac_address=mac)
