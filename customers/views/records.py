"""One customer: detail page, create, edit, status changes, devices; and tags."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.permissions import has_org_permission, org_permission_required
from customers import selectors
from customers.forms import CustomerForm, DeviceForm
from customers.models import Customer, CustomerDevice, Tag
from customers.services import customers as services
from customers.views.common import form_error, log_access
from nettportal.errors import ApplicationError
from privacy.models import AccessLog

STATUS_ACTIONS = {
    "suspend": (
        Customer.Status.SUSPENDED,
        gettext_lazy("Suspend customer"),
        gettext_lazy(
            "Suspend %(name)s? Their PPPoE service is disabled on the router and any "
            "connection is cut until you reactivate them."
        ),
    ),
    "reactivate": (
        Customer.Status.ACTIVE,
        gettext_lazy("Reactivate customer"),
        gettext_lazy("Reactivate %(name)s? Their PPPoE service is enabled again on the router."),
    ),
    "close": (
        Customer.Status.CLOSED,
        gettext_lazy("Close customer"),
        gettext_lazy(
            "Close %(name)s's account? Their PPPoE service is disabled on the router. The "
            "record and its history are kept; you can reactivate it later."
        ),
    ),
}


@org_permission_required("customers.view")
def customer_detail(request, customer_id):
    customer = selectors.customer_for_detail(customer_id)
    if customer is None:
        from django.http import Http404

        raise Http404
    log_access(request, AccessLog.Action.VIEW, target=customer)
    context = {
        "customer": customer,
        "can_manage": has_org_permission(request, "customers.manage"),
        "device_form": DeviceForm(),
        **selectors.customer_detail_sections(customer=customer, organization=request.organization),
    }
    return render(request, "customers/customer_detail.html", context)


@org_permission_required("customers.manage")
def customer_create(request):
    form = CustomerForm(request.POST or None, region=request.organization.country)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(
                organization=request.organization, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            log_access(request, AccessLog.Action.CREATE, target=customer)
            messages.success(request, _("Customer %(name)s added.") % {"name": customer.name})
            return redirect("customers:detail", customer_id=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": None})


@org_permission_required("customers.manage")
def customer_edit(request, customer_id):
    customer = get_object_or_404(Customer.objects.prefetch_related("tags"), pk=customer_id)
    from nettportal.phones import format_phone_national

    initial = {
        "name": customer.name,
        "phone": format_phone_national(customer.phone, request.organization.country),
        "email": customer.email,
        "customer_type": customer.customer_type,
        "address": customer.address,
        "notes": customer.notes,
        "tags": ", ".join(tag.name for tag in customer.tags.all()),
        "marketing_consent": customer.marketing_consent,
    }
    form = CustomerForm(request.POST or None, initial=initial, region=request.organization.country)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.customer_update(
                customer=customer, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            if changed:
                log_access(
                    request,
                    AccessLog.Action.CHANGE,
                    target=customer,
                    detail={"fields": sorted(changed)},
                )
                messages.success(request, _("Changes saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("customers:detail", customer_id=customer.pk)
    else:
        log_access(request, AccessLog.Action.VIEW, target=customer, detail={"form": "edit"})
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})


def _status_view(action):
    status, title, question = STATUS_ACTIONS[action]

    @org_permission_required("customers.manage")
    def view(request, customer_id):
        customer = get_object_or_404(Customer, pk=customer_id)
        if request.method == "POST":
            try:
                changed = services.customer_set_status(
                    customer=customer, actor=request.user, status=status
                )
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                if changed:
                    log_access(
                        request,
                        AccessLog.Action.CHANGE,
                        target=customer,
                        detail={"status": status},
                    )
                    messages.success(
                        request,
                        _("%(name)s is now %(status)s.")
                        % {"name": customer.name, "status": customer.get_status_display().lower()},
                    )
                else:
                    messages.info(request, _("Nothing changed."))
            return redirect("customers:detail", customer_id=customer.pk)
        return render(
            request,
            "customers/confirm.html",
            {
                "title": title,
                "message": question % {"name": customer.name},
                "confirm_label": title,
                "danger": status != Customer.Status.ACTIVE,
                "cancel_href": reverse("customers:detail", args=[customer.pk]),
            },
        )

    view.__name__ = f"customer_{action}"
    return view


customer_suspend = _status_view("suspend")
customer_reactivate = _status_view("reactivate")
customer_close = _status_view("close")


@require_POST
@org_permission_required("customers.manage")
def device_add(request, customer_id):
    customer = get_object_or_404(Customer, pk=customer_id)
    form = DeviceForm(request.POST)
    if form.is_valid():
        try:
            services.customer_device_add(
                customer=customer,
                actor=request.user,
                mac_address=form.cleaned_data["mac_address"],
                label=form.cleaned_data["label"],
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            log_access(request, AccessLog.Action.CHANGE, target=customer, detail={"device": "add"})
            messages.success(request, _("Device added."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("customers:detail", customer_id=customer.pk)


@org_permission_required("customers.manage")
def device_remove(request, customerdevice_id):
    device = get_object_or_404(
        CustomerDevice.objects.select_related("customer"), pk=customerdevice_id
    )
    back = reverse("customers:detail", args=[device.customer_id])
    if request.method == "POST":
        services.customer_device_remove(device=device, actor=request.user)
        log_access(
            request, AccessLog.Action.CHANGE, target=device.customer, detail={"device": "remove"}
        )
        messages.success(request, _("Device removed."))
        return redirect(back)
    return render(
        request,
        "customers/confirm.html",
        {
            "title": _("Remove device"),
            "message": _("Remove the device %(mac)s from %(name)s?")
            % {"mac": device.mac_address, "name": device.customer.name},
            "confirm_label": _("Remove device"),
            "danger": True,
            "cancel_href": back,
        },
    )


@org_permission_required("customers.view")
def tag_list(request):
    return render(
        request,
        "customers/tag_list.html",
        {
            "tags": selectors.tag_usage(),
            "can_manage": has_org_permission(request, "customers.manage"),
        },
    )


@org_permission_required("customers.manage")
def tag_delete(request, tag_id):
    tag = get_object_or_404(Tag, pk=tag_id)
    if request.method == "POST":
        services.tag_delete(tag=tag)
        messages.success(request, _("Tag “%(name)s” deleted.") % {"name": tag.name})
        return redirect("customers:tags")
    return render(
        request,
        "customers/confirm.html",
        {
            "title": _("Delete tag"),
            "message": _(
                "Delete the tag “%(name)s”? It is removed from every customer; the "
                "customers themselves are kept."
            )
            % {"name": tag.name},
            "confirm_label": _("Delete tag"),
            "danger": True,
            "cancel_href": reverse("customers:tags"),
        },
    )
