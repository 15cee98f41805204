from django import template
from django.utils.translation import gettext as _

from nettportal.charts import format_bps

register = template.Library()


@register.filter
def duration(seconds):
    """``93784`` → ``1d 2h``; ``None`` → an em dash. Two largest units only."""
    if seconds is None or seconds == "":
        return "—"
    remaining = int(seconds)
    parts = []
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts[:2]) or "0s"


@register.filter
def bps(value):
    if value is None or value == "":
        return "—"
    return format_bps(float(value))


@register.filter
def status_badge(status):
    return {"online": "ok", "offline": "bad", "auth_failed": "bad", "error": "warn"}.get(status, "")


@register.simple_tag
def router_status_help(router):
    if router.status == "unknown":
        return _("Waiting for the first poll.")
    return router.last_error
