from django.core.paginator import Paginator
from django.http import QueryDict

from nettportal.errors import ApplicationError
from privacy.access_log import access_log_record
from privacy.models import AccessLog

PER_PAGE = 25


def paginate(request, queryset, per_page: int = PER_PAGE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def querystring_without_page(query: QueryDict) -> str:
    kept = query.copy()
    kept.pop("page", None)
    for name in list(kept):
        if not any(kept.getlist(name)):
            kept.pop(name)
    return kept.urlencode()


def log_access(request, action=AccessLog.Action.VIEW, *, target=None, target_type="", detail=None):
    return access_log_record(
        organization=request.organization,
        action=action,
        target=target,
        target_type=target_type,
        request=request,
        detail=detail,
    )


def form_error(form, error: ApplicationError):
    if error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    else:
        form.add_error(None, error.message)
