from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import has_org_permission, org_permission_required
from nettportal.errors import ApplicationError
from privacy.access_log import access_log_record
from privacy.models import AccessLog
from vouchers import selectors, services
from vouchers.forms import StaffRedeemForm, VoucherFilterForm
from vouchers.models import Voucher
from vouchers.views.common import form_error, page_of, querystring

VOUCHERS_PER_PAGE = 50
MAX_BULK = 100_000


def _filters(data) -> tuple[VoucherFilterForm, selectors.VoucherFilters]:
    form = VoucherFilterForm(data or None)
    if not form.is_valid():
        return form, selectors.VoucherFilters(q="", status="")
    data = form.cleaned_data
    return form, selectors.VoucherFilters(
        q=data.get("q", ""),
        status=data.get("status", ""),
        batch=data.get("batch"),
        package=data.get("package"),
        date_field=data.get("date_field") or "created",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )


@org_permission_required("vouchers.view")
def voucher_list(request):
    form, filters = _filters(request.GET)
    vouchers = selectors.voucher_search(filters, time_zone=request.organization.time_zone)
    page = page_of(request, vouchers, VOUCHERS_PER_PAGE)
    is_filtered = form.is_bound and form.is_valid() and any(form.cleaned_data.values())
    return render(
        request,
        "vouchers/voucher_list.html",
        {
            "filter_form": form,
            "page_obj": page,
            "querystring": querystring(form.cleaned_data) if is_filtered else "",
            "is_filtered": is_filtered,
            "can_manage": has_org_permission(request, "vouchers.manage"),
        },
    )


@require_POST
@org_permission_required("vouchers.manage")
def voucher_bulk_revoke(request):
    """Revoke the ticked vouchers, or every voucher matching the filters.

    The first POST (from the list) shows a confirmation; only a POST with
    ``confirm=yes`` revokes.
    """
    if request.POST.get("all_matching"):
        form, filters = _filters(QueryDict(request.POST.get("filters", "")))
        if not (form.is_valid() and any(form.cleaned_data.values())):
            # Never widen "everything matching" to everything.
            messages.error(request, _("Search for the vouchers to revoke first."))
            return redirect("vouchers:vouchers")
        queryset = selectors.voucher_search(filters, time_zone=request.organization.time_zone)
        ids = list(
            queryset.filter(status__in=["unused", "active"]).values_list("pk", flat=True)[:MAX_BULK]
        )
    else:
        ids = [int(pk) for pk in request.POST.getlist("voucher_ids") if pk.isdigit()][:MAX_BULK]
        ids = list(
            Voucher.objects.filter(pk__in=ids, status__in=["unused", "active"]).values_list(
                "pk", flat=True
            )
        )
    back = reverse("vouchers:vouchers") + (
        f"?{request.POST['filters']}" if request.POST.get("filters") else ""
    )
    if not ids:
        messages.error(request, _("None of the chosen vouchers can be revoked."))
        return redirect(back)
    if request.POST.get("confirm") != "yes":
        return render(
            request,
            "vouchers/confirm.html",
            {
                "title": _("Revoke vouchers"),
                "message": _(
                    "Revoke %(n)s voucher(s)? They stop working at once and are removed "
                    "from every router. This cannot be undone."
                )
                % {"n": len(ids)},
                "confirm_label": _("Revoke %(n)s voucher(s)") % {"n": len(ids)},
                "cancel_href": back,
                "hidden": [("voucher_ids", pk) for pk in ids[:2000]]
                if not request.POST.get("all_matching")
                else [("all_matching", "1"), ("filters", request.POST.get("filters", ""))],
            },
        )
    count = services.vouchers_revoke(
        organization=request.organization, actor=request.user, voucher_ids=ids
    )
    messages.success(
        request,
        _("%(n)s voucher(s) revoked; they are being removed from your routers.") % {"n": count},
    )
    return redirect(back)


def _get_voucher(voucher_id):
    return get_object_or_404(
        Voucher.objects.select_related("package", "batch", "router", "stacked_onto"),
        pk=voucher_id,
    )


@org_permission_required("vouchers.view")
def voucher_detail(request, voucher_id):
    voucher = _get_voucher(voucher_id)
    if voucher.device_mac:
        # The page shows the customer's device address.
        access_log_record(
            organization=request.organization,
            action=AccessLog.Action.VIEW,
            target=voucher,
            request=request,
            detail={"fields": ["device_mac"]},
        )
    return render(
        request,
        "vouchers/voucher_detail.html",
        {
            "voucher": voucher,
            "events": selectors.voucher_events(voucher)[:100],
            "stacked": list(voucher.stacked.all()),
            "can_manage": has_org_permission(request, "vouchers.manage"),
        },
    )


@org_permission_required("vouchers.manage")
def voucher_revoke_view(request, voucher_id):
    voucher = _get_voucher(voucher_id)
    detail = reverse("vouchers:voucher_detail", kwargs={"voucher_id": voucher.pk})
    if request.method == "POST":
        try:
            services.voucher_revoke(voucher=voucher, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Voucher revoked; it is being removed from your routers."))
        return redirect(detail)
    return render(
        request,
        "vouchers/confirm.html",
        {
            "title": _("Revoke %(code)s") % {"code": voucher.code},
            "message": _(
                "Revoke this voucher? It stops working at once, its user is removed from "
                "every router and a device using it is disconnected."
            ),
            "confirm_label": _("Revoke voucher"),
            "cancel_href": detail,
        },
    )


@org_permission_required("vouchers.manage")
def voucher_redeem_staff(request, voucher_id):
    """Staff redeem a code for a customer (e.g. paid in cash at the counter)."""
    voucher = _get_voucher(voucher_id)
    form = StaffRedeemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.voucher_redeem(
                organization=request.organization,
                code=voucher.code,
                router=data["router"],
                mac=data["mac"],
                ip=data["ip"],
                login=bool(data["mac"] or data["ip"]),
                actor=request.user,
                via="dashboard",
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            if data["mac"]:
                access_log_record(
                    organization=request.organization,
                    action=AccessLog.Action.CHANGE,
                    target=voucher,
                    request=request,
                    detail={"fields": ["device_mac"]},
                )
            if result.logged_in:
                messages.success(request, _("Redeemed, and the device is online."))
            elif result.login_error:
                messages.warning(
                    request,
                    _("Redeemed, but the router did not log the device in: %(reason)s")
                    % {"reason": result.login_error},
                )
            else:
                messages.success(request, _("Redeemed. The customer can now log in with it."))
            return redirect("vouchers:voucher_detail", voucher_id=voucher.pk)
    return render(request, "vouchers/voucher_redeem.html", {"voucher": voucher, "form": form})
