"""Cookie consent for the dashboard: essential cookies always, analytics only
after the visitor says yes. The choice lives in one first-party cookie (and,
for logged-in users, in the consent history).

Other apps ask :func:`analytics_allowed` before recording anything analytic::

    from privacy.consent import analytics_allowed
    if analytics_allowed(request):
        record_page_view(...)
"""

from __future__ import annotations

import re

from django.conf import settings

# One first-party cookie, a small list: ``v=1&analytics=1`` (yes) or
# ``v=1&analytics=0`` (essential only). The insights app reads the same cookie
# through analytics_allowed; "analytics=1" is the only yes.
COOKIE_NAME = "np_consent"
# Bump when the cookie purposes change, so everyone is asked again.
COOKIE_VERSION = "1"
COOKIE_MAX_AGE = 365 * 24 * 3600
ANALYTICS = "analytics"
ESSENTIAL = "essential"
_SEPARATORS = re.compile(r"[&,;|\s]+")


def cookie_choice(request) -> str | None:
    """``"analytics"``, ``"essential"`` or ``None`` when the visitor has not chosen."""
    raw = request.COOKIES.get(COOKIE_NAME, "")
    values = dict(token.split("=", 1) for token in _SEPARATORS.split(raw) if token.count("=") == 1)
    if values.get("v", COOKIE_VERSION) != COOKIE_VERSION:
        return None
    return {"1": ANALYTICS, "0": ESSENTIAL}.get(values.get("analytics"))


def analytics_allowed(request) -> bool:
    """True only when the visitor has opted in to analytics cookies."""
    return cookie_choice(request) == ANALYTICS


def cookie_choice_store(response, *, analytics: bool) -> None:
    response.set_cookie(
        COOKIE_NAME,
        f"v={COOKIE_VERSION}&analytics={1 if analytics else 0}",
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        secure=getattr(settings, "SESSION_COOKIE_SECURE", False),
        httponly=True,
    )
