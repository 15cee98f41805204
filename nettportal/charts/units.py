"""How chart values are written (bytes, bit rates, money, counts) and where an axis stops."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.template.defaultfilters import filesizeformat


def format_bytes(value) -> str:
    """``1536`` → ``1.5 KB``; powers of 1024, as routers and data bundles count them.

    Django's ``filesizeformat`` (so the unit names follow the page's language),
    with a plain space so the text can go into SVG and CSV alike.
    """
    return filesizeformat(int(value)).replace("\xa0", " ")


def format_bps(value) -> str:
    """``12_300_000`` → ``12.3 Mbps`` (link speeds are decimal)."""
    for unit, size in (("Gbps", 1e9), ("Mbps", 1e6), ("kbps", 1e3)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f} bps"


def format_count(value) -> str:
    """``1234`` → ``1,234``; an average keeps one decimal."""
    value = float(value)
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.1f}"


# Units whose axis is written in a larger step once values grow: (base, names).
_STEPPED = {
    "bytes": (1024, ("B", "KB", "MB", "GB", "TB")),
    "bps": (1000, ("bps", "kbps", "Mbps", "Gbps")),
}


@dataclass(frozen=True)
class Unit:
    """How a chart's values are written: ``count``, ``bytes``, ``percent``, ``bps`` or ``money``."""

    kind: str = "count"
    currency: str = ""

    @property
    def is_integer(self) -> bool:
        return self.kind == "count"

    def format(self, value) -> str:
        """The full text, for tooltips and the data table."""
        if value is None:
            return "—"
        if self.kind == "bytes":
            return format_bytes(value)
        if self.kind == "bps":
            return format_bps(value)
        if self.kind == "percent":
            return f"{float(value):.0f}%"
        if self.kind == "money":
            from vouchers.formatting import money  # the project's one way to write a price

            return money(value, self.currency)
        return format_count(value)

    def scale(self, top: float) -> tuple[float, str]:
        """``(divisor, suffix)`` the axis is written in, chosen by the top of the axis."""
        if self.kind not in _STEPPED:
            return 1.0, ""
        base, names = _STEPPED[self.kind]
        power = 0
        while power < len(names) - 1 and top >= base ** (power + 1):
            power += 1
        return float(base**power), names[power]

    def axis(self, value: float, divisor: float = 1.0, suffix: str = "") -> str:
        """A short tick label: ``0``, ``2.5 MB``, ``50%``, ``₵250``."""
        if self.kind in _STEPPED:
            return "0" if value == 0 else f"{round(value / divisor, 2):g} {suffix}"
        if self.kind == "percent":
            return f"{value:g}%"
        if self.kind == "money":
            text = self.format(value)
            return text[:-3] if text.endswith(".00") else text
        return format_count(round(value, 2))


COUNT = Unit("count")
BYTES = Unit("bytes")
PERCENT = Unit("percent")
BPS = Unit("bps")


def money_unit(currency: str) -> Unit:
    """Amounts in ``currency`` (the organisation's, or the one a report was filtered by)."""
    return Unit("money", currency)


def nice_scale(value: float, *, max_steps: int = 5, integer: bool = False) -> tuple[float, float]:
    """``(top, step)`` of an axis that holds ``value`` in at most ``max_steps`` round steps.

    The step is the smallest of 1, 2, 2.5 or 5 times a power of ten that needs
    no more than ``max_steps`` steps (whole numbers only when ``integer``, so a
    count axis never reads 2.5). Nothing above zero gives ``(1, 1)``: an
    all-zero series still has an axis to lie on.
    """
    value = float(value or 0)
    if value <= 0 or not math.isfinite(value):
        return 1.0, 1.0
    magnitude = 10.0 ** math.floor(math.log10(value / max_steps))
    for multiple in (1, 2, 2.5, 5, 10, 20):
        step = round(multiple * magnitude, 12)
        if integer and (step < 1 or step != int(step)):
            continue
        steps = math.ceil(value / step - 1e-9)
        if steps <= max_steps:
            return round(step * steps, 12), step
    raise AssertionError("ten times the magnitude always fits")  # pragma: no cover


def nice_max(value: float, *, integer: bool = False) -> float:
    """The top of a round axis that holds ``value`` (``730`` → ``800``, ``0`` → ``1``)."""
    return nice_scale(value, integer=integer)[0]
