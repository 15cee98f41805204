from insights.analytics import record_event, route_of
from insights.models import AnalyticsEvent, RequestLog
from insights.security import security_event_record

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
SKIP_PREFIXES = ("/static/", "/healthz", "/insights/beacon/")


def log_refusals_only(view):
    """Mark a machine-to-machine endpoint (a payment processor's callback): its
    accepted requests are recorded by the app that handles them, and a row here
    each would be a write per call (a storm of duplicate callbacks, tens a
    second). Refusals are still logged, under the route, because such URLs carry
    secrets (callback keys and tokens) that must not reach the log."""
    view.request_log_refusals_only = True
    return view


def _refusals_only(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and getattr(match.func, "request_log_refusals_only", False)


def record_refusal(request, status: int) -> None:
    """The security-log row of a ``log_refusals_only`` view's answer, if it refused
    (also called by billing's shortcut for the processors' callbacks)."""
    if status >= 400:
        kind = RequestLog.Kind.DENIED if status in (401, 403, 429) else RequestLog.Kind.REQUEST
        security_event_record(kind=kind, request=request, status_code=status, route_only=True)


class RequestLogMiddleware:
    """Writes the security log for state-changing requests and refusals, and a
    page-view event for consented HTML page loads of members."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(SKIP_PREFIXES):
            return response
        status = response.status_code
        if _refusals_only(request):
            record_refusal(request, status)
            return response
        if status in (401, 403, 429):
            security_event_record(kind=RequestLog.Kind.DENIED, request=request, status_code=status)
        elif request.method in UNSAFE_METHODS or status >= 500:
            security_event_record(kind=RequestLog.Kind.REQUEST, request=request, status_code=status)
        elif (
            request.method == "GET"
            and status == 200
            and response.get("Content-Type", "").startswith("text/html")
            and not request.headers.get("HX-Request")
        ):
            route = route_of(request)
            if route is not None and not route.startswith("/admin/"):
                record_event(request, kind=AnalyticsEvent.Kind.PAGE_VIEW, name=route)
        return response
