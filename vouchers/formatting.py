"""How prices, durations, data amounts and speeds are written for people.

Used by templates (``{% load vouchers %}``), printed cards and the CSV export,
so a price reads the same everywhere: ``₵5.00``, ``₦500``, ``KSh 50``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from accounts.models import CURRENCIES

# Currencies that are not written with minor units in everyday use.
NO_MINOR_UNITS = {"UGX", "TZS", "RWF", "XOF", "NGN", "KES"}
# Symbols written before the amount with a space (letters would run into digits).
SPACED = {"KSh", "USh", "TSh", "FRw", "CFA", "R"}


def currency_symbol(code: str) -> str:
    return CURRENCIES.get(code, (code, code))[1]


def money(amount, currency: str, *, symbol: str | None = None) -> str:
    """``money(Decimal("5"), "GHS")`` → ``₵5.00``; ``money(50, "KES")`` → ``KSh 50``."""
    if amount is None:
        return "—"
    value = Decimal(amount)
    sign = symbol if symbol is not None else currency_symbol(currency)
    whole = value == value.to_integral_value()
    if currency in NO_MINOR_UNITS and whole:
        text = f"{value.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
    else:
        text = f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
    if sign in SPACED or (sign.isalpha() and len(sign) > 1):
        return f"{sign} {text}"
    return f"{sign}{text}"


_UNITS = (
    ("day", "days", 86400),
    ("hour", "hours", 3600),
    ("minute", "minutes", 60),
)


def duration(value: timedelta | None, *, empty: str = "No limit") -> str:
    """``timedelta(days=1)`` → ``1 day``; ``timedelta(minutes=90)`` → ``1 hour 30 minutes``."""
    if value is None:
        return empty
    seconds = int(value.total_seconds())
    if seconds <= 0:
        return "0 minutes"
    parts = []
    for singular, plural, size in _UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {singular if count == 1 else plural}")
    if seconds and not parts:
        parts.append(f"{seconds} seconds")
    return " ".join(parts[:2])


def data_amount(value: int | None, *, empty: str = "Unlimited") -> str:
    """Bytes in decimal units as operators sell them: ``1 GB``, ``500 MB``."""
    if value is None:
        return empty
    for unit, size in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if value >= size:
            number = value / size
            return f"{number:.0f} {unit}" if number == int(number) else f"{number:.1f} {unit}"
    return f"{value} B"


_RATE = re.compile(r"^(\d+(?:\.\d+)?)([kKMG]?)$")


def rate_bits(text: str) -> int:
    """``5M`` → 5,000,000 bits per second (RouterOS's own units)."""
    match = _RATE.match(text)
    if not match:
        raise ValueError(text)
    factor = {"": 1, "k": 1000, "K": 1000, "M": 10**6, "G": 10**9}[match.group(2)]
    return int(float(match.group(1)) * factor)


def speed(rate_limit: str) -> str:
    """``2M/5M`` (upload/download) → ``5 Mbit/s down · 2 Mbit/s up``."""
    if not rate_limit:
        return "Full speed"
    first = rate_limit.split()[0]
    up, _, down = first.partition("/")
    down = down or up

    def human(part):
        bits = rate_bits(part)
        for unit, size in (("Gbit/s", 10**9), ("Mbit/s", 10**6), ("kbit/s", 10**3)):
            if bits >= size:
                number = bits / size
                return f"{number:g} {unit}"
        return f"{bits} bit/s"

    try:
        return f"{human(down)} down · {human(up)} up"
    except ValueError:
        return rate_limit
