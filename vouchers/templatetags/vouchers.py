from django import template

from vouchers import formatting

register = template.Library()


@register.filter
def money(amount, currency):
    """``{{ package.price|money:organization.currency }}`` → ``₵5.00``."""
    return formatting.money(amount, currency)


@register.filter
def duration(value, empty="No limit"):
    return formatting.duration(value, empty=empty)


@register.filter
def data_amount(value, empty="Unlimited"):
    return formatting.data_amount(value, empty=empty)


@register.filter
def speed(rate_limit):
    return formatting.speed(rate_limit)


@register.filter
def status_badge(status):
    """The badge class for a voucher status."""
    return {
        "unused": "",
        "active": "ok",
        "used_up": "warn",
        "expired": "warn",
        "revoked": "bad",
        "synced": "ok",
        "error": "bad",
        "pending": "",
        "kept": "warn",
        "done": "ok",
        "failed": "bad",
        "running": "",
        "queued": "",
        "ready": "ok",
        "generating": "",
    }.get(str(status), "")


@register.simple_tag
def total_money(totals, currency):
    """Sum of a {currency: amount} dict, each in its currency."""
    if not totals:
        return formatting.money(0, currency)
    return " + ".join(formatting.money(amount, code) for code, amount in totals.items())
