"""The request/action log and the staff alerts on bursts of failures.

``security_event_record`` writes one :class:`RequestLog` row. For failed
logins and API authentication failures it also counts the failures of that
kind in the last ``SECURITY_ALERT_WINDOW`` seconds; at
``SECURITY_ALERT_THRESHOLD`` it emails staff once per window (a cache key
taken with ``add`` makes the alert fire once even with many workers).
"""

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from insights.models import RequestLog
from nettportal.mail import send_email

logger = logging.getLogger(__name__)
ALERTING_KINDS = {RequestLog.Kind.LOGIN_FAILED, RequestLog.Kind.API_AUTH_FAILED}
# URL arguments that are secrets or capabilities (invitation and payment-page
# tokens, callback keys, password-reset keys, public ids): the log keeps the
# argument's name in their place, never the value.
SECRET_URL_ARGUMENT = re.compile(r"token|secret|key|signature|signed|public_id|uid|code", re.I)


def client_ip(request):
    if request is None:
        return None
    from privacy.access_log import _client_ip

    return _client_ip(request)


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return "/" + match.route
    return request.path[:200]


def _logged_path(request) -> str:
    """The request's path with every secret URL argument replaced by its name
    (``/p/cafe/pay/<token>/``)."""
    path = getattr(request, "path", "") or ""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return path
    for name, value in (match.kwargs or {}).items():
        text = str(value)
        if text and SECRET_URL_ARGUMENT.search(name):
            path = path.replace(text, f"<{name}>")
    return path


def security_event_record(
    *,
    kind: str,
    request=None,
    user=None,
    organization=None,
    status_code=None,
    detail: str = "",
    route_only: bool = False,
) -> RequestLog:
    """One request-log row; ``route_only`` stores the URL pattern instead of the
    path (for URLs whose parts are secrets)."""
    if request is not None:
        if user is None:
            candidate = getattr(request, "user", None)
            user = candidate if candidate is not None and candidate.is_authenticated else None
        organization = organization or getattr(request, "organization", None)
    token = getattr(request, "api_token", None) if request is not None else None
    entry = RequestLog.objects.create(
        kind=kind,
        ip_address=client_ip(request),
        method=(getattr(request, "method", "") or "")[:8],
        path=(_route(request) if route_only else _logged_path(request))[:200],
        status_code=status_code,
        user=user if getattr(user, "pk", None) else None,
        organization=organization if getattr(organization, "pk", None) else None,
        via_api_token=token.prefix if token is not None else "",
        detail=detail[:200],
    )
    if kind in ALERTING_KINDS:
        _maybe_alert(kind)
    return entry


def _staff_recipients() -> list[str]:
    if settings.SECURITY_ALERT_EMAILS:
        return list(settings.SECURITY_ALERT_EMAILS)
    return list(
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .values_list("email", flat=True)
    )


def _maybe_alert(kind: str) -> None:
    window = settings.SECURITY_ALERT_WINDOW
    since = timezone.now() - timedelta(seconds=window)
    recent = RequestLog.objects.filter(kind=kind, at__gte=since)
    count = recent.count()
    if count < settings.SECURITY_ALERT_THRESHOLD:
        return
    if not cache.add(f"insights:security-alert:{kind}", 1, timeout=window):
        return  # already alerted in this window
    sources = list(recent.values("ip_address").annotate(n=Count("id")).order_by("-n")[:5])
    recipients = _staff_recipients()
    label = RequestLog.Kind(kind).label
    send_email(
        to=recipients,
        template="security_alert",
        context={
            "kind_label": label,
            "count": count,
            "minutes": max(1, window // 60),
            "sources": sources,
        },
    )
    RequestLog.objects.create(kind=RequestLog.Kind.ALERT, detail=f"{label}: {count} in {window}s")
    logger.warning(
        "security alert: %s %s in %ss (%s staff emailed)", kind, count, window, len(recipients)
    )
