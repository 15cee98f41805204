"""Payments in the dashboard: list, detail, receipts, staff actions, cash/bank records."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import has_org_permission, org_permission_required
from billing import selectors
from billing.forms import ManualPaymentForm, PaymentFilterForm, RefundForm, ResolveForm
from billing.models import Payment
from billing.pdf import receipt_pdf
from billing.services import manual, online, payments
from billing.views.common import form_error, log_access, paginate, querystring_without_page
from nettportal.errors import ApplicationError
from privacy.models import AccessLog


@org_permission_required("billing.view")
def payment_list(request):
    form = PaymentFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = paginate(
        request,
        selectors.payment_list(
            status=data.get("status", ""),
            processor=data.get("processor", ""),
            search=data.get("q", ""),
        ),
    )
    rows = list(page.object_list)
    if rows:
        log_access(
            request,
            target_type="billing.Payment",
            detail={"list": True, "ids": [p.pk for p in rows]},
        )
    return render(
        request,
        "billing/payment_list.html",
        {
            "form": form,
            "page_obj": page,
            "payments": rows,
            "counts": selectors.payment_status_counts(),
            "querystring": querystring_without_page(request.GET),
            "can_manage": has_org_permission(request, "billing.manage"),
            "is_filtered": any(request.GET.get(k) for k in ("q", "status", "processor")),
        },
    )


def _payment(payment_id) -> Payment:
    return get_object_or_404(
        Payment.objects.select_related("customer", "processor_account", "recorded_by"),
        pk=payment_id,
    )


@org_permission_required("billing.view")
def payment_detail(request, payment_id):
    payment = _payment(payment_id)
    log_access(request, target=payment)
    fulfilment = getattr(payment, "fulfilment", None) if payment.purpose else None
    return render(
        request,
        "billing/payment_detail.html",
        {
            "payment": payment,
            "events": payment.events.select_related("actor").order_by("created_at", "id"),
            "fulfilment": fulfilment,
            "can_manage": has_org_permission(request, "billing.manage"),
            "recipient": payments.receipt_recipient(payment),
        },
    )


@org_permission_required("billing.view")
def payment_receipt_pdf(request, payment_id):
    payment = _payment(payment_id)
    if payment.status not in (Payment.Status.PAID, Payment.Status.REFUNDED):
        messages.error(request, _("Only paid payments have a receipt."))
        return redirect("billing:payment_detail", payment_id=payment.pk)
    log_access(request, AccessLog.Action.EXPORT, target=payment, detail={"receipt_pdf": True})
    settings_row = selectors.billing_settings_get(organization=request.organization)
    response = HttpResponse(
        receipt_pdf(payment, receipt_note=settings_row.receipt_note), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="receipt-{payment.receipt_number or payment.reference}.pdf"'
    )
    return response


@require_POST
@org_permission_required("billing.manage")
def payment_resend_receipt(request, payment_id):
    payment = _payment(payment_id)
    if payments.receipt_send(payment_id=payment.pk, force=True, actor=request.user):
        messages.success(request, _("The receipt was emailed again."))
    else:
        messages.error(request, _("There is no paid payment with an email address to send to."))
    return redirect("billing:payment_detail", payment_id=payment.pk)


@require_POST
@org_permission_required("billing.manage")
def payment_check(request, payment_id):
    payment = _payment(payment_id)
    if not payment.is_online:
        messages.error(request, _("Only M-Pesa and Paystack payments can be checked."))
        return redirect("billing:payment_detail", payment_id=payment.pk)
    outcome = online.payment_confirm(payment_id=payment.pk)
    labels = {
        "paid": _("The processor confirmed the payment: it is now paid."),
        "failed": _("The processor says the payment failed."),
        "cancelled": _("The processor says the payment was cancelled."),
        "pending": _("The processor is still waiting for the payer."),
        "review": _("The processor's answer does not match; the payment needs review."),
        "settled": _("This payment is already settled."),
    }
    messages.info(request, labels.get(outcome, _("The processor could not say how it ended.")))
    return redirect("billing:payment_detail", payment_id=payment.pk)


@require_POST
@org_permission_required("billing.manage")
def payment_retry_delivery(request, payment_id):
    payment = _payment(payment_id)
    if payments.fulfilment_retry(payment=payment, actor=request.user):
        messages.success(request, _("Delivery is being tried again."))
    else:
        messages.error(request, _("Only failed deliveries can be retried."))
    return redirect("billing:payment_detail", payment_id=payment.pk)


def _staff_action(request, payment_id, *, form_class, template_title, service):
    payment = _payment(payment_id)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(payment=payment, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form_error(form, error)
        else:
            log_access(request, AccessLog.Action.CHANGE, target=payment)
            messages.success(request, _("Saved."))
            return redirect("billing:payment_detail", payment_id=payment.pk)
    return render(
        request,
        "billing/payment_action.html",
        {"payment": payment, "form": form, "title": template_title},
    )


@org_permission_required("billing.manage")
def payment_resolve(request, payment_id):
    return _staff_action(
        request,
        payment_id,
        form_class=ResolveForm,
        template_title=_("Settle this payment"),
        service=payments.payment_resolve,
    )


@org_permission_required("billing.manage")
def payment_refund(request, payment_id):
    return _staff_action(
        request,
        payment_id,
        form_class=RefundForm,
        template_title=_("Record a refund"),
        service=payments.payment_refund,
    )


@org_permission_required("billing.manage")
def payment_record(request):
    initial = {}
    invoice_id = request.GET.get("invoice")
    if invoice_id and invoice_id.isdigit():
        initial["invoice"] = invoice_id
    form = ManualPaymentForm(
        request.POST or None, initial=initial, organization=request.organization
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = manual.payment_record_manual(
                organization=request.organization,
                actor=request.user,
                processor=data["processor"],
                amount=data["amount"],
                currency=data["currency"],
                reference=data["reference"],
                customer=data.get("customer"),
                invoice=data.get("invoice"),
                as_credit=data.get("as_credit", False),
                paid_at=data.get("paid_at"),
                note=data.get("note", ""),
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            log_access(request, AccessLog.Action.CREATE, target=payment)
            messages.success(
                request, _("Payment recorded. Receipt %(n)s.") % {"n": payment.receipt_number}
            )
            return redirect("billing:payment_detail", payment_id=payment.pk)
    return render(request, "billing/payment_record.html", {"form": form})
