"""Checks on package settings that must match what RouterOS accepts."""

from __future__ import annotations

import re

from vouchers.formatting import rate_bits

_RATE = r"\d+(?:\.\d+)?[kKMG]?"
_PAIR = re.compile(rf"^{_RATE}(?:/{_RATE})?$")
_TIME_PAIR = re.compile(r"^\d+(?:/\d+)?$")
MAX_RATE_BITS = 100 * 10**9
PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def rate_limit_error(value: str) -> str | None:
    """``None`` when ``value`` is a RouterOS ``rate-limit``, else why not.

    Accepted: ``rx[/tx] [burst-rx[/burst-tx] [threshold-rx[/tx] [burst-time-rx[/tx]
    [priority [min-rx[/tx]]]]]]`` where rates are ``512k``, ``2M``, ``1.5M``, ``1G``
    and RouterOS's rx is the customer's upload.
    """
    value = (value or "").strip()
    if not value:
        return None
    parts = value.split()
    if len(parts) > 6:
        return "Too many parts: at most rate, burst rate, burst threshold, burst time, priority and minimum rate."
    for index, part in enumerate(parts):
        if index == 3:
            if not _TIME_PAIR.match(part):
                return f"Burst time “{part}” must be whole seconds, e.g. 8/8."
            continue
        if index == 4:
            if not part.isdigit() or not 1 <= int(part) <= 8:
                return f"Priority “{part}” must be a number from 1 to 8."
            continue
        if not _PAIR.match(part):
            return (
                f"“{part}” is not a speed RouterOS understands. Write upload/download "
                "with k, M or G, e.g. 2M/5M or 512k/1M."
            )
        rates = [rate_bits(item) for item in part.split("/")]
        if index == 0 and any(rate == 0 for rate in rates):
            return "A speed of 0 would block the customer; leave the field empty for full speed."
        if any(rate > MAX_RATE_BITS for rate in rates):
            return f"“{part}” is faster than 100G; check the units (k, M, G)."
    return None
