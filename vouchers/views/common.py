from django.core.paginator import Paginator
from django.utils.http import urlencode

from nettportal.errors import ApplicationError


def form_error(form, error: ApplicationError) -> None:
    """Show a service's error next to its field, or above the form."""
    if error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    else:
        form.add_error(None, error.message)


def page_of(request, queryset, per_page: int):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def querystring(data: dict) -> str:
    clean = {}
    for key, value in data.items():
        if key == "page" or value in (None, "", False):
            continue
        clean[key] = getattr(value, "pk", value)
    return urlencode(clean)
