"""Helpers shared by the customer views."""

from django.http import QueryDict
from django.utils.http import url_has_allowed_host_and_scheme

from nettportal.errors import ApplicationError
from privacy.access_log import access_log_record

CUSTOMER_LABEL = "customers.Customer"
PAGING_PARAMS = ("after", "before", "last", "page")


def log_access(request, action, *, target=None, target_type="", target_id="", detail=None):
    return access_log_record(
        organization=request.organization,
        action=action,
        target=target,
        target_type=target_type or (CUSTOMER_LABEL if target is None else ""),
        target_id=target_id,
        request=request,
        detail=detail,
    )


def filter_querystring(query: QueryDict, *, drop=PAGING_PARAMS) -> str:
    """The list's query string without the paging cursor (for links and exports)."""
    kept = query.copy()
    for name in drop:
        kept.pop(name, None)
    for name in list(kept):
        if not any(kept.getlist(name)):
            kept.pop(name)
    return kept.urlencode()


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def form_error(form, error: ApplicationError):
    if error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    else:
        form.add_error(None, error.message)


def tenant_stream(organization, iterable):
    """Yield from ``iterable`` with ``organization`` active for each step.

    A streaming response is consumed after the view (and the tenant
    middleware) returned, so the tenant is no longer active; queries made
    while producing the next chunk need it back. Activating per step, not
    around the whole loop, keeps it correct when a server resumes the
    iterator from another context (ASGI runs each step in a worker thread).
    """
    from accounts.tenancy import tenant

    iterator = None
    while True:
        with tenant(organization):
            if iterator is None:
                iterator = iter(iterable)
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk
