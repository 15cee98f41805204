"""Parsing RouterOS values into Python (and back), for both client faces.

RouterOS sends every value as text. Durations look like ``1w2d3h4m5s`` (older
builds and some menus: ``1d02:03:04``); dates changed in 7.10 from
``jul/14/2023 10:00:00`` to ``2023-07-14 10:00:00``; booleans are
``true``/``false`` (``yes``/``no`` on input).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache

__all__ = [
    "format_duration",
    "parse_bool",
    "parse_datetime",
    "parse_duration",
    "parse_int",
    "parse_seconds",
    "to_api",
]

_UNITS = (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
_DURATION_RE = re.compile(
    r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$"
)
_CLOCK_RE = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(\d{1,2}):(\d{2}):(\d{2})$")


def format_duration(seconds: float) -> str:
    """``1w2d3h4m5s`` as RouterOS prints it (``0s`` for zero)."""
    remaining = int(seconds)
    parts = []
    for unit, size in _UNITS:
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def parse_duration(text: str) -> int | None:
    """Seconds in ``1w2d3h4m5s``, ``1d02:03:04``, ``02:03:04`` or plain seconds;
    ``None`` for empty / ``none``; raises ValueError for anything else."""
    text = text.strip().lower()
    if text in ("", "none", "0"):
        return None if text != "0" else 0
    if text.isdigit():
        return int(text)
    match = _DURATION_RE.match(text)
    if match and any(match.groups()):
        w, d, h, m, s, _ms = (int(g) if g else 0 for g in match.groups())
        return w * 604800 + d * 86400 + h * 3600 + m * 60 + s
    match = _CLOCK_RE.match(text)
    if match:
        w, d, h, m, s = (int(g) if g else 0 for g in match.groups())
        return w * 604800 + d * 86400 + h * 3600 + m * 60 + s
    raise ValueError(f"not a time interval: {text!r}")


_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_OLD_DATE = re.compile(r"^([a-z]{3})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2}):(\d{2}))?$")
_NEW_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?: (\d{1,2}):(\d{2}):(\d{2}))?$")


def parse_int(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def parse_bool(value) -> bool:
    return str(value).strip().lower() in ("true", "yes")


@lru_cache(maxsize=8192)  # uptimes repeat a lot across a fleet's sessions
def parse_seconds(value) -> int | None:
    """A duration in seconds, or ``None`` when absent, ``none`` or unreadable."""
    if value in (None, ""):
        return None
    try:
        return parse_duration(str(value))
    except ValueError:
        return None


def parse_datetime(value) -> datetime | None:
    """Both date formats; ``None`` for empty, never (1970) and unreadable values.

    The result is naive: it is the router's local clock, whose zone we do not know.
    """
    if not value:
        return None
    text = str(value).strip().lower()
    match = _NEW_DATE.match(text)
    if match:
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        match = _OLD_DATE.match(text)
        if not match or match[1] not in _MONTHS:
            return None
        year, month, day = int(match[3]), _MONTHS[match[1]], int(match[2])
    hour, minute, second = (int(match[i]) if match[i] else 0 for i in (4, 5, 6))
    if year <= 1970:
        return None
    try:
        return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - router local time
    except ValueError:
        return None


def to_api(value) -> str:
    """A Python value as RouterOS expects it (names and passwords stay text)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, timedelta):
        return format_duration(value.total_seconds())
    return str(value)
