"""Recording consented usage events. Other apps call :func:`track_feature`::

    from insights.analytics import track_feature
    track_feature(request, "vouchers.batch_created")

Nothing is recorded unless the person allowed analytics cookies, or when no
organisation is active (staff, sign-up pages).
"""

import re

from insights.consent import analytics_allowed
from insights.models import AnalyticsEvent

FEATURE_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
MAX_DURATION_MS = 6 * 3600 * 1000


def _context(request):
    organization = getattr(request, "organization", None)
    user = getattr(request, "user", None)
    if organization is None or user is None or not user.is_authenticated:
        return None
    if not analytics_allowed(request):
        return None
    return organization, user


def record_event(request, *, kind: str, name: str, duration_ms: int | None = None):
    context = _context(request)
    if context is None:
        return None
    organization, user = context
    return AnalyticsEvent.objects.create(
        organization=organization, user=user, kind=kind, name=name[:120], duration_ms=duration_ms
    )


def track_feature(request, name: str):
    """Count one use of a feature, e.g. ``"routers.test_connection"``."""
    if not FEATURE_NAME.match(name):
        raise ValueError(f"feature names look like 'area.action', not {name!r}")
    return record_event(request, kind=AnalyticsEvent.Kind.FEATURE, name=name)


def route_of(request) -> str | None:
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route:
        return None
    return "/" + match.route
