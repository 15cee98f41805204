"""Whether this request may be counted in usage analytics.

The privacy app owns the cookie banner and will expose
``privacy.consent.analytics_allowed(request)``; when it exists we ask it.
Until then (and as the contract it must keep) the answer is read from the
``np_consent`` cookie: a ``&``/``,``/``;``-separated list in which
``analytics=1`` means yes. Anything else, or no cookie, means no.
"""

import re
from importlib import import_module

COOKIE_NAME = "np_consent"
_SEPARATORS = re.compile(r"[&,;|\s]+")


def _cookie_allows(request) -> bool:
    value = request.COOKIES.get(COOKIE_NAME, "")
    return "analytics=1" in _SEPARATORS.split(value)


def analytics_allowed(request) -> bool:
    try:
        privacy_consent = import_module("privacy.consent")
    except ModuleNotFoundError:
        privacy_consent = None
    check = getattr(privacy_consent, "analytics_allowed", None)
    if check is not None and check is not analytics_allowed:
        return bool(check(request))
    return _cookie_allows(request)
