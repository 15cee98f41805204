"""Customer invoices and PPPoE subscriptions."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import has_org_permission, org_permission_required
from billing import selectors
from billing.forms import InvoiceForm, SubscriptionForm, SubscriptionStatusForm
from billing.models import Invoice, Payment, Subscription
from billing.pdf import invoice_pdf
from billing.services import invoices as services
from billing.views.common import form_error, log_access, paginate, querystring_without_page
from nettportal.errors import ApplicationError
from privacy.models import AccessLog


@org_permission_required("billing.view")
def invoice_list(request):
    status = request.GET.get("status", "")
    search = request.GET.get("q", "")[:100]
    page = paginate(request, selectors.invoice_list(status=status, search=search))
    rows = list(page.object_list)
    if rows:
        log_access(
            request,
            target_type="billing.Invoice",
            detail={"list": True, "ids": [i.pk for i in rows]},
        )
    return render(
        request,
        "billing/invoice_list.html",
        {
            "page_obj": page,
            "invoices": rows,
            "status": status,
            "q": search,
            "statuses": Invoice.Status.choices,
            "querystring": querystring_without_page(request.GET),
            "today": timezone.localdate(),
            "can_manage": has_org_permission(request, "billing.manage"),
        },
    )


@org_permission_required("billing.view")
def invoice_detail(request, invoice_id):
    invoice = get_object_or_404(
        Invoice.objects.select_related("customer", "subscription", "payment"), pk=invoice_id
    )
    log_access(request, target=invoice)
    payments = Payment.objects.filter(purpose="invoice", purpose_ref=str(invoice.pk)).order_by(
        "-created_at"
    )
    return render(
        request,
        "billing/invoice_detail.html",
        {
            "invoice": invoice,
            "payments": payments,
            "today": timezone.localdate(),
            "can_manage": has_org_permission(request, "billing.manage"),
        },
    )


@org_permission_required("billing.view")
def invoice_pdf_view(request, invoice_id):
    invoice = get_object_or_404(Invoice.objects.select_related("customer"), pk=invoice_id)
    log_access(request, AccessLog.Action.EXPORT, target=invoice, detail={"invoice_pdf": True})
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response


@org_permission_required("billing.manage")
def invoice_create(request):
    form = InvoiceForm(request.POST or None, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invoice = services.invoice_create(
                organization=request.organization,
                customer=data["customer"],
                description=data["description"],
                amount=data["amount"],
                currency=data["currency"],
                issued_on=timezone.localdate(),
                due_on=data.get("due_on"),
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            log_access(request, AccessLog.Action.CREATE, target=invoice)
            messages.success(request, _("Invoice %(n)s issued.") % {"n": invoice.number})
            return redirect("billing:invoice_detail", invoice_id=invoice.pk)
    return render(request, "billing/invoice_form.html", {"form": form})


@org_permission_required("billing.manage")
def invoice_void(request, invoice_id):
    invoice = get_object_or_404(Invoice, pk=invoice_id)
    if request.method == "POST":
        try:
            services.invoice_void(invoice=invoice)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            log_access(request, AccessLog.Action.CHANGE, target=invoice)
            messages.success(request, _("Invoice %(n)s voided.") % {"n": invoice.number})
        return redirect("billing:invoice_detail", invoice_id=invoice.pk)
    return render(
        request,
        "components/confirm.html",
        {
            "title": _("Void invoice %(n)s?") % {"n": invoice.number},
            "message": _(
                "The customer no longer owes it. If billing suspended them for it and nothing "
                "else is overdue, their service is reactivated."
            ),
            "confirm_label": _("Void invoice"),
            "cancel_url": "billing:invoices",
        },
    )


@org_permission_required("billing.view")
def subscription_list(request):
    page = paginate(request, selectors.subscription_list())
    return render(
        request,
        "billing/subscription_list.html",
        {
            "page_obj": page,
            "subscriptions": list(page.object_list),
            "statuses": Subscription.Status.choices,
            "can_manage": has_org_permission(request, "billing.manage"),
        },
    )


@org_permission_required("billing.manage")
def subscription_create(request):
    form = SubscriptionForm(request.POST or None, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.subscription_create(
                organization=request.organization,
                customer=data["customer"],
                description=data["description"],
                amount=data["amount"],
                currency=data["currency"],
                billing_day=data["billing_day"],
                starts_on=data["starts_on"],
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            messages.success(
                request, _("Subscription added. Invoices are issued on the billing day.")
            )
            return redirect("billing:subscriptions")
    return render(request, "billing/subscription_form.html", {"form": form})


@require_POST
@org_permission_required("billing.manage")
def subscription_status(request, subscription_id):
    subscription = get_object_or_404(Subscription, pk=subscription_id)
    form = SubscriptionStatusForm(request.POST)
    if form.is_valid():
        services.subscription_set_status(
            subscription=subscription, status=form.cleaned_data["status"]
        )
        messages.success(request, _("Subscription updated."))
    else:
        messages.error(request, _("Choose a status."))
    return redirect("billing:subscriptions")
