"""Friendly messages on the public pages, in the page's language.

Each outcome of a login attempt (and each router ``$(error)``, see
:func:`portal.handoff.router_error_code`) has a code; the text is ours, never
the router's or an exception's, so a crafted link cannot put words on the page.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

ERROR, INFO, OK = "n", "n i", "n ok"

NOTICES = {
    "wrong_code": (
        ERROR,
        _("That code is not valid. Check the letters and numbers and try again."),
    ),
    "used_code": (
        ERROR,
        _("This code has already been used up. Buy a package or ask for a new voucher."),
    ),
    "expired_code": (ERROR, _("This code has expired. Buy a package or ask for a new voucher.")),
    "revoked_code": (ERROR, _("This code has been cancelled. Ask the staff for help.")),
    "empty_code": (ERROR, _("Type the code printed on your voucher.")),
    "no_device": (
        ERROR,
        _(
            "We could not recognise your device. Disconnect from the Wi-Fi, connect again "
            "and open any website to come back to this page."
        ),
    ),
    "router_offline": (
        ERROR,
        _(
            "The Wi-Fi router is not answering right now. Wait a minute and try again; your code still works."
        ),
    ),
    "invalid_login": (ERROR, _("The router did not accept the login. Please try again.")),
    "limit_reached": (ERROR, _("The time or data of this code is used up.")),
    "too_many_sessions": (ERROR, _("This code is already in use on another device.")),
    "wrong_device": (ERROR, _("This code belongs to another device.")),
    "router_busy": (ERROR, _("The router is busy. Please try again in a moment.")),
    "router_error": (ERROR, _("The router could not log you in. Please try again.")),
    "no_router": (
        ERROR,
        _("This Wi-Fi is not fully set up yet, so we cannot connect you. Please tell the staff."),
    ),
    "package_withdrawn": (
        ERROR,
        _("The package of this code is no longer sold. Ask the staff for a new code."),
    ),
    "wrong_network": (ERROR, _("This code cannot be used on this Wi-Fi network.")),
    "time_left": (
        ERROR,
        _(
            "Your device still has time left on another code. Use it up first, or buy a "
            "package that can be added on top."
        ),
    ),
    "code_refused": (ERROR, _("This code cannot be used here. Ask the staff for help.")),
    "expired_form": (
        ERROR,
        _("This page was open for too long. Please try again."),
    ),
}


def notice_html(code: str) -> str:
    if not code or code not in NOTICES:
        return ""
    css, text = NOTICES[code]
    return format_html('<p class="{}" role="alert">{}</p>', css, text)


def lockout_text(lockout, time_zone: str) -> str:
    minutes = lockout.minutes
    try:
        zone = ZoneInfo(time_zone)
    except Exception:
        zone = ZoneInfo("UTC")
    at = formats.time_format(lockout.retry_at.astimezone(zone), "H:i")
    return ngettext(
        "Too many wrong codes. For your security, try again in %(minutes)s minute (at %(time)s).",
        "Too many wrong codes. For your security, try again in %(minutes)s minutes (at %(time)s).",
        minutes,
    ) % {"minutes": minutes, "time": at}


def lockout_html(lockout, time_zone: str) -> str:
    return format_html('<p class="{}" role="alert">{}</p>', ERROR, lockout_text(lockout, time_zone))


def text_html(text: str, css: str = ERROR) -> str:
    return format_html('<p class="{}" role="alert">{}</p>', css, text)


def too_many_html(lockout, time_zone: str) -> str:
    """For forms other than the voucher box (codes sent, recovery attempts)."""
    return text_html(
        _("Too many attempts. Please try again in %(minutes)s minutes.")
        % {"minutes": lockout.minutes}
    )
