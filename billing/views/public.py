"""The payer's side: a phone-sized payment page that follows the payment until
its value is delivered, the Paystack return address, and the receipt PDF.

The payment's unguessable ``public_id`` in the URL is the capability; these
pages show no more personal data than the payer already knows (a masked phone).
"""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.tenancy import tenant
from billing.models import Payment
from billing.pdf import receipt_pdf
from billing.selectors import billing_settings_get, payment_for_public_id
from billing.services import online

CHECK_EVERY_SECONDS = 15


def _payment_or_404(public_id) -> Payment:
    payment = payment_for_public_id(public_id)
    if payment is None:
        raise Http404
    return payment


def _context(payment: Payment) -> dict:
    fulfilment = getattr(payment, "fulfilment", None) if payment.purpose else None
    display = (fulfilment.result or {}).get("display") if fulfilment else None
    waited = (timezone.now() - payment.created_at).total_seconds()
    return {
        "payment": payment,
        "organization": payment.organization,
        "fulfilment": fulfilment,
        "display": display if isinstance(display, dict) else None,
        "is_waiting": payment.status == Payment.Status.PENDING
        or (payment.is_paid and fulfilment is not None and fulfilment.status == "pending"),
        "can_check": payment.status == Payment.Status.PENDING and payment.is_online and waited > 20,
    }


@never_cache
def payment_page(request, public_id):
    payment = _payment_or_404(public_id)
    with tenant(payment.organization):
        return render(request, "billing/public_payment.html", _context(payment))


@never_cache
def payment_status(request, public_id):
    """The part of the page htmx refreshes while the payment is pending."""
    payment = _payment_or_404(public_id)
    with tenant(payment.organization):
        return render(request, "billing/_public_status.html", _context(payment))


@require_POST
def payment_check(request, public_id):
    """ "I have paid": ask the processor now (at most every 15 seconds per payment)."""
    payment = _payment_or_404(public_id)
    with tenant(payment.organization):
        recent = payment.last_checked_at and (
            (timezone.now() - payment.last_checked_at).total_seconds() < CHECK_EVERY_SECONDS
        )
        if payment.status == Payment.Status.PENDING and payment.is_online and not recent:
            online.payment_confirm(payment_id=payment.pk)
    return redirect("billing:public_payment", public_id=public_id)


@never_cache
def payment_return(request, public_id):
    """Paystack sends the payer back here: verify at once so they see the result."""
    payment = _payment_or_404(public_id)
    if payment.processor == Payment.Processor.PAYSTACK and payment.status == Payment.Status.PENDING:
        with tenant(payment.organization):
            online.payment_confirm(payment_id=payment.pk)
    return redirect("billing:public_payment", public_id=public_id)


def payment_receipt(request, public_id):
    payment = _payment_or_404(public_id)
    if payment.status not in (Payment.Status.PAID, Payment.Status.REFUNDED):
        raise Http404
    with tenant(payment.organization):
        note = billing_settings_get(organization=payment.organization).receipt_note
        response = HttpResponse(
            receipt_pdf(payment, receipt_note=note), content_type="application/pdf"
        )
    response["Content-Disposition"] = (
        f'inline; filename="receipt-{payment.receipt_number or payment.reference}.pdf"'
    )
    return response
