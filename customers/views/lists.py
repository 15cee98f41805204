"""The customer list, bulk actions and exports."""

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.permissions import has_org_permission, org_permission_required
from customers import exports, selectors
from customers.forms import BulkActionForm, CustomerFilterForm
from customers.models import Customer
from customers.services.customers import customers_bulk_set_status, customers_bulk_tag
from customers.views.common import filter_querystring, log_access, safe_next, tenant_stream
from nettportal.errors import ApplicationError
from privacy.models import AccessLog

BULK_STATUS = {
    "suspend": Customer.Status.SUSPENDED,
    "reactivate": Customer.Status.ACTIVE,
    "close": Customer.Status.CLOSED,
}


def _filter_form(request):
    from customers.services.pppoe import router_list

    return CustomerFilterForm(
        request.GET,
        tags=selectors.tag_list(),
        profiles=selectors.profile_names(organization=request.organization),
        routers=router_list(),
    )


@org_permission_required("customers.view")
def customer_list(request):
    form = _filter_form(request)
    filters = form.filters()
    page = selectors.customer_page(
        organization=request.organization,
        filters=filters,
        per_page=form.page_size(),
        after=request.GET.get("after") or None,
        before=request.GET.get("before") or None,
        last=request.GET.get("last") == "1",
    )
    _decorate(page.rows, request.organization.country)
    if page.rows:
        log_access(
            request,
            AccessLog.Action.VIEW,
            detail={"list": True, "ids": [customer.pk for customer in page.rows]},
        )
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "querystring": filter_querystring(request.GET),
        "can_manage": has_org_permission(request, "customers.manage"),
        "bulk_form": BulkActionForm(),
    }
    template = (
        "customers/_customer_results.html" if request.htmx else "customers/customer_list.html"
    )
    return render(request, template, context)


def _decorate(customers, region: str) -> None:
    """Per-row display values computed once in Python: the list renders 50–100 rows,
    and per-row template work (URL reversing, related managers, translated labels,
    date formatting) adds up to most of the page's time."""
    from django.utils import timezone
    from django.utils.formats import date_format

    from nettportal.phones import format_phone_national

    base = reverse("customers:detail", args=[0])[:-2]
    types = {value: str(label) for value, label in Customer.Type.choices}
    statuses = {value: str(label) for value, label in Customer.Status.choices}
    for customer in customers:
        customer.ui_url = f"{base}{customer.pk}/"
        customer.ui_phone = format_phone_national(customer.phone, region) if customer.phone else ""
        customer.ui_type = types.get(customer.customer_type, customer.customer_type)
        customer.ui_status = statuses.get(customer.status, customer.status)
        customer.ui_tags = [tag.name for tag in customer.tags.all()]
        customer.ui_services = [
            (account.username, account.profile) for account in customer.pppoe_accounts.all()
        ]
        customer.ui_added = date_format(timezone.localtime(customer.created_at), "j M Y")


@org_permission_required("customers.view")
def customer_count(request):
    """The list's total, fetched by the page after it rendered (counting a big list
    costs more than showing a page of it, so the page does not wait for it)."""
    form = _filter_form(request)
    filters = form.filters()
    count = selectors.customer_count(organization=request.organization, filters=filters)
    return render(request, "customers/_customer_count.html", {"count": count, "filters": filters})


@require_POST
@org_permission_required("customers.manage")
def customer_bulk(request):
    back = safe_next(request, reverse("customers:index"))
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    action, ids = form.cleaned_data["action"], form.cleaned_data["ids"]
    customers = list(Customer.objects.filter(pk__in=ids).only("id", "name", "status"))
    if not customers:
        messages.error(request, _("None of the selected customers exist any more."))
        return redirect(back)
    if not form.cleaned_data["confirmed"]:
        return render(
            request,
            "customers/bulk_confirm.html",
            {
                "action": action,
                "action_label": dict(BulkActionForm.ACTIONS)[action],
                "tag": form.cleaned_data.get("tag", ""),
                "customers": customers[:20],
                "total": len(customers),
                "ids": [customer.pk for customer in customers],
                "next": back,
            },
        )
    try:
        if action in BULK_STATUS:
            changed = len(
                customers_bulk_set_status(
                    organization_id=request.organization.pk,
                    actor=request.user,
                    customer_ids=ids,
                    status=BULK_STATUS[action],
                )
            )
        else:
            changed = customers_bulk_tag(
                organization=request.organization,
                actor=request.user,
                customer_ids=ids,
                tag_name=form.cleaned_data["tag"],
                remove=action == "untag",
            )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(back)
    log_access(
        request,
        AccessLog.Action.CHANGE,
        detail={"bulk": action, "ids": [customer.pk for customer in customers], "changed": changed},
    )
    messages.success(
        request,
        ngettext("%(n)s customer changed.", "%(n)s customers changed.", changed) % {"n": changed}
        if changed
        else _("Nothing to change: the selected customers were already like that."),
    )
    return redirect(back)


def _export(request, fmt: str):
    form = _filter_form(request)
    filters = form.filters()
    queryset = selectors.customer_queryset(organization=request.organization, filters=filters)
    log_access(
        request,
        AccessLog.Action.EXPORT,
        detail={"export": fmt, **_filters_detail(filters)},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "json":
        response = StreamingHttpResponse(
            tenant_stream(request.organization, exports.json_stream(queryset)),
            content_type="application/json; charset=utf-8",
        )
    else:
        response = StreamingHttpResponse(
            tenant_stream(request.organization, exports.csv_stream(queryset)),
            content_type="text/csv; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


def _filters_detail(filters) -> dict:
    """The filters of an export, for the access log: never the search text itself."""
    return {
        "search": bool(filters.q),
        "type": filters.customer_type,
        "status": filters.status,
        "tag_id": filters.tag_id,
        "profile": filters.profile,
        "router_id": filters.router_id,
    }


@org_permission_required("customers.manage")
def customer_export_csv(request):
    return _export(request, "csv")


@org_permission_required("customers.manage")
def customer_export_json(request):
    return _export(request, "json")
