"""RouterOS value formats the simulator writes (and the client parses back)."""

from __future__ import annotations

import re
from datetime import datetime

from routers.routeros.values import format_duration, parse_duration  # noqa: F401 - shared formats

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def version_tuple(version: str) -> tuple[int, ...]:
    numbers = re.findall(r"\d+", version.split(" ")[0])
    return tuple(int(n) for n in numbers[:3]) or (0,)


def format_datetime(moment: datetime, version: str) -> str:
    """RouterOS 7.10 changed ``jul/14/2023 10:00:00`` to ``2023-07-14 10:00:00``."""
    if version_tuple(version) >= (7, 10):
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return f"{MONTHS[moment.month - 1]}/{moment.day:02d}/{moment.year} {moment:%H:%M:%S}"


def format_bool(value: bool) -> str:
    return "true" if value else "false"


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("yes", "true"):
        return True
    if lowered in ("no", "false"):
        return False
    raise ValueError(f"not a yes/no value: {text!r}")
