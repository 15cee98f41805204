"""Cookie consent for the dashboard: essential cookies always, analytics only
after the visitor says yes. The choice lives in one first-party cookie (and,
for logged-in users, in the consent history).

Other apps ask :func:`analytics_allowed` before recording anything analytic::

    from privacy.consent import analytics_allowed
    if analytics_allowed(request):
        record_page_view(...)
"""

from __future__ import annotations

from django.conf import settings

COOKIE_NAME = "np_cookie_consent"
# Bump when the cookie purposes change, so everyone is asked again.
COOKIE_VERSION = "1"
COOKIE_MAX_AGE = 365 * 24 * 3600
ANALYTICS = "analytics"
ESSENTIAL = "essential"


def cookie_choice(request) -> str | None:
    """``"analytics"``, ``"essential"`` or ``None`` when the visitor has not chosen."""
    raw = request.COOKIES.get(COOKIE_NAME, "")
    version, _sep, choice = raw.partition(":")
    if version != COOKIE_VERSION or choice not in (ANALYTICS, ESSENTIAL):
        return None
    return choice


def analytics_allowed(request) -> bool:
    """True only when the visitor has opted in to analytics cookies."""
    return cookie_choice(request) == ANALYTICS


def cookie_choice_store(response, *, analytics: bool) -> None:
    response.set_cookie(
        COOKIE_NAME,
        f"{COOKIE_VERSION}:{ANALYTICS if analytics else ESSENTIAL}",
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        secure=getattr(settings, "SESSION_COOKIE_SECURE", False),
        httponly=True,
    )
