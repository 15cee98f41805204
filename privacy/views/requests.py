"""The privacy request queue and the per-customer duties (export, correction, erasure)."""

from datetime import datetime, time

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import has_org_permission, org_permission_required
from nettportal.errors import ApplicationError
from privacy import selectors
from privacy.access_log import access_log_record
from privacy.forms import LinkCustomerForm, PrivacyRequestCloseForm, PrivacyRequestForm
from privacy.models import AccessLog, PrivacyRequest
from privacy.registry import customer_model
from privacy.services import customers as customer_services
from privacy.services import exports as export_services
from privacy.services import requests as request_services
from privacy.views.common import form_error, paginate, querystring_without_page


@org_permission_required("privacy.view")
def request_list(request):
    organization = request.organization
    state = request.GET.get("state", "open")
    kind = request.GET.get("kind", "")
    requests = selectors.privacy_request_list(organization=organization, state=state, kind=kind)
    return render(
        request,
        "privacy/request_list.html",
        {
            "page_obj": paginate(request, requests),
            "state": state if state in selectors.REQUEST_FILTERS else "open",
            "kind": kind,
            "kinds": PrivacyRequest.Kind.choices,
            "counts": selectors.privacy_request_counts(organization=organization),
            "querystring": querystring_without_page(request),
            "can_manage": has_org_permission(request, "privacy.manage"),
        },
    )


@org_permission_required("privacy.manage")
def request_create(request):
    form = PrivacyRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        received_on = data.pop("received_on")
        try:
            privacy_request = request_services.privacy_request_create(
                organization=request.organization,
                source=PrivacyRequest.Source.DASHBOARD,
                actor=request.user,
                request=request,
                **data,
            )
            if received_on and received_on < timezone.localdate():
                received = timezone.make_aware(datetime.combine(received_on, time(12)))
                PrivacyRequest.objects.filter(pk=privacy_request.pk).update(
                    received_at=received, due_at=PrivacyRequest.due_from(received)
                )
        except ApplicationError as error:
            form_error(form, error)
        else:
            messages.success(
                request, _("Request %(ref)s recorded.") % {"ref": privacy_request.reference}
            )
            return redirect("privacy:request_detail", privacy_request.pk)
    return render(request, "privacy/request_form.html", {"form": form})


@org_permission_required("privacy.view")
def request_detail(request, privacyrequest_id):
    privacy_request = get_object_or_404(
        PrivacyRequest.objects.select_related("handled_by"), pk=privacyrequest_id
    )
    access_log_record(
        organization=request.organization,
        action=AccessLog.Action.VIEW,
        target=privacy_request,
        request=request,
    )
    customer = None
    if privacy_request.customer_ref and customer_model() is not None:
        customer = customer_model().objects.filter(pk=privacy_request.customer_ref).first()
    return render(
        request,
        "privacy/request_detail.html",
        {
            "privacy_request": privacy_request,
            "customer": customer,
            "has_customers": customer_model() is not None,
            "close_form": PrivacyRequestCloseForm(),
            "link_form": LinkCustomerForm(),
            "exports": privacy_request.exports.all()[:10],
            "can_manage": has_org_permission(request, "privacy.manage"),
        },
    )


@require_POST
@org_permission_required("privacy.manage")
def request_start(request, privacyrequest_id):
    privacy_request = get_object_or_404(PrivacyRequest, pk=privacyrequest_id)
    try:
        request_services.privacy_request_start(privacy_request=privacy_request, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("privacy:request_detail", privacy_request.pk)


@require_POST
@org_permission_required("privacy.manage")
def request_close(request, privacyrequest_id):
    privacy_request = get_object_or_404(PrivacyRequest, pk=privacyrequest_id)
    form = PrivacyRequestCloseForm(request.POST)
    if form.is_valid():
        try:
            request_services.privacy_request_close(
                privacy_request=privacy_request,
                actor=request.user,
                status=form.cleaned_data["status"],
                outcome=form.cleaned_data["outcome"],
                request=request,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Request %(ref)s closed.") % {"ref": privacy_request})
            return redirect("privacy:request_list")
    else:
        messages.error(request, _("Choose a result and write the outcome."))
    return redirect("privacy:request_detail", privacy_request.pk)


@require_POST
@org_permission_required("privacy.manage")
def request_link_customer(request, privacyrequest_id):
    privacy_request = get_object_or_404(PrivacyRequest, pk=privacyrequest_id)
    form = LinkCustomerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the customer's number."))
        return redirect("privacy:request_detail", privacy_request.pk)
    try:
        customer = customer_services.customer_get(
            organization=request.organization, customer_id=form.cleaned_data["customer_id"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("privacy:request_detail", privacy_request.pk)
    request_services.privacy_request_link_customer(
        privacy_request=privacy_request, customer=customer, actor=request.user
    )
    messages.success(request, _("Customer linked to the request."))
    return redirect("privacy:request_detail", privacy_request.pk)


# --- one customer --------------------------------------------------------------------------


def _customer_or_404(request, customer_id):
    try:
        return customer_services.customer_get(
            organization=request.organization, customer_id=customer_id
        )
    except ApplicationError:
        raise Http404 from None


def _linked_request(request):
    request_id = request.GET.get("request") or request.POST.get("request")
    if not request_id or not str(request_id).isdigit():
        return None
    return PrivacyRequest.objects.filter(pk=request_id).first()


@org_permission_required("privacy.view")
def customer_privacy(request, customer_id):
    customer = _customer_or_404(request, customer_id)
    access_log_record(
        organization=request.organization,
        action=AccessLog.Action.VIEW,
        target=customer,
        request=request,
        detail={"page": "privacy"},
    )
    return render(
        request,
        "privacy/customer_privacy.html",
        {
            "customer": customer,
            "summary": customer_services.customer_data_summary(
                organization=request.organization, customer=customer
            ),
            "privacy_request": _linked_request(request),
            "can_manage": has_org_permission(request, "privacy.manage"),
        },
    )


@require_POST
@org_permission_required("privacy.manage")
def customer_export(request, customer_id):
    customer = _customer_or_404(request, customer_id)
    privacy_request = _linked_request(request)
    try:
        export_services.customer_export_request(
            organization=request.organization,
            actor=request.user,
            customer=customer,
            privacy_request=privacy_request,
            request=request,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("privacy:customer", customer.pk)
    if privacy_request is not None:
        request_services.privacy_request_note_outcome(
            privacy_request=privacy_request,
            text=_("Export of customer #%(id)s prepared.") % {"id": customer.pk},
        )
    messages.success(request, _("The customer's export is being prepared."))
    return redirect("privacy:export_list")


@org_permission_required("privacy.manage")
def customer_correct(request, customer_id):
    customer = _customer_or_404(request, customer_id)
    form_class = customer_services.correction_form_class()
    privacy_request = _linked_request(request)
    form = form_class(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        try:
            changed = customer_services.customer_correct(
                organization=request.organization,
                customer=_customer_or_404(request, customer_id),
                actor=request.user,
                data=request.POST,
                privacy_request=privacy_request,
                request=request,
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("Corrected: %(fields)s.") % {"fields": ", ".join(changed)}
                if changed
                else _("Nothing was changed."),
            )
            return redirect("privacy:customer", customer.pk)
    return render(
        request,
        "privacy/customer_correct.html",
        {"customer": customer, "form": form, "privacy_request": privacy_request},
    )


@org_permission_required("privacy.manage")
def customer_erase(request, customer_id):
    customer = _customer_or_404(request, customer_id)
    privacy_request = _linked_request(request)
    if request.method == "POST":
        if request.POST.get("confirm") != "erase":
            messages.error(request, _("Tick the box to confirm the erasure."))
            return redirect("privacy:customer_erase", customer.pk)
        result = customer_services.customer_erase(
            organization=request.organization,
            customer=customer,
            actor=request.user,
            privacy_request=privacy_request,
            request=request,
        )
        if result["hook_errors"]:
            messages.warning(
                request,
                _(
                    "The customer's data was erased, but removing their account from some "
                    "routers failed. Check the routers."
                ),
            )
        else:
            messages.success(request, _("The customer's data was erased."))
        if privacy_request is not None:
            return redirect("privacy:request_detail", privacy_request.pk)
        return redirect("privacy:request_list")
    return render(
        request,
        "privacy/customer_erase.html",
        {
            "customer": customer,
            "summary": customer_services.customer_data_summary(
                organization=request.organization, customer=customer
            ),
            "privacy_request": privacy_request,
        },
    )
