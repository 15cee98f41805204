"""Template filters for customer pages."""

from django import template

from nettportal.charts import format_bytes
from nettportal.phones import format_phone_national

register = template.Library()


@register.filter
def phone_national(e164, region):
    """``{{ customer.phone|phone_national:organization.country }}``"""
    return format_phone_national(e164 or "", region or None)


@register.filter
def bytes_human(value):
    """Traffic in the units people read on a router: 1.2 GB, 350 MB."""
    if value in (None, ""):
        return "—"
    return format_bytes(value)


@register.filter
def duration_short(seconds):
    """3d 4h, 5h 12m, 7m — how long someone was online."""
    if seconds in (None, ""):
        return "—"
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m" if minutes else f"{seconds}s"
