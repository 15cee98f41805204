"""Recording access to personal data (the access log promised in the policy).

Call :func:`access_log_record` from every view, API view, export or admin page
that shows, exports, changes or deletes personal data. Entries carry ids and
types, never the personal values themselves.
"""

import contextlib

from accounts.tenancy import current_organization_or_none, is_unscoped, tenant
from privacy.models import AccessLog


def _client_ip(request):
    if request is None:
        return None
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter().get_client_ip(request)
    except Exception:  # a malformed header must not break the page being logged
        return request.META.get("REMOTE_ADDR")


def access_log_record(
    *,
    organization,
    action: str,
    target=None,
    target_type: str = "",
    target_id="",
    actor=None,
    request=None,
    via: str | None = None,
    detail: dict | None = None,
) -> AccessLog:
    if via is None:  # the REST API (token or session) or the dashboard
        via = AccessLog.Via.API if _through_api(request) else AccessLog.Via.DASHBOARD
    if target is not None:
        target_type = target_type or target._meta.label
        target_id = target_id or target.pk
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    # Jobs and services called outside a request may have no tenant active;
    # the entry names its organisation, so write it in that scope.
    scope = (
        tenant(organization)
        if current_organization_or_none() is None and not is_unscoped()
        else contextlib.nullcontext()
    )
    with scope:
        return AccessLog.objects.create(
            organization=organization,
            actor=actor,
            actor_label=(actor.email if actor is not None else via)[:120],
            action=action,
            via=via,
            target_type=target_type,
            target_id=str(target_id or ""),
            detail=detail or {},
            ip_address=_client_ip(request),
        )


def _through_api(request) -> bool:
    from rest_framework.request import Request

    return request is not None and (
        isinstance(request, Request) or getattr(request, "api_token", None) is not None
    )
