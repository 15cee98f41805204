"""Cash and bank transfers, recorded by the operator's staff with a reference."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Invoice, Payment, PaymentEvent
from billing.services.invoices import invoice_match_reference
from billing.services.payments import payment_create, payment_mark_paid, receipt_number_assign
from nettportal.errors import Conflict, ValidationFailed


@transaction.atomic
def payment_record_manual(
    *,
    organization,
    actor,
    processor: str,
    amount,
    currency: str,
    reference: str,
    customer=None,
    invoice: Invoice | None = None,
    as_credit: bool = False,
    paid_at=None,
    note: str = "",
) -> Payment:
    """Record money received outside the platform; paid at once.

    A bank transfer whose reference names an open invoice (``INV-000123``) is
    matched to it when no invoice was chosen. The same reference cannot be
    recorded twice for one method.
    """
    if processor not in Payment.MANUAL_PROCESSORS:
        raise ValidationFailed(_("Choose cash or bank transfer."), field="processor")
    reference = " ".join((reference or "").split()).upper()[:100]
    if not reference:
        raise ValidationFailed(
            _("Enter the bank reference or the receipt-book number."), field="reference"
        )
    if paid_at and paid_at > timezone.now():
        raise ValidationFailed(_("The payment date cannot be in the future."), field="paid_at")
    if Payment.objects.filter(processor=processor, processor_receipt=reference).exists():
        raise ValidationFailed(_("This reference was already recorded."), field="reference")
    if invoice is None and processor == Payment.Processor.BANK_TRANSFER:
        invoice = invoice_match_reference(reference)
    if invoice is not None:
        if invoice.status != Invoice.Status.OPEN:
            raise ValidationFailed(_("That invoice is not open."), field="invoice")
        if invoice.currency != currency:
            raise ValidationFailed(
                _("The invoice is in %(c)s.") % {"c": invoice.currency}, field="currency"
            )
        customer = customer or invoice.customer
        purpose, purpose_ref, label = "invoice", str(invoice.pk), invoice.number
    elif as_credit:
        if customer is None:
            raise ValidationFailed(_("Choose the customer to credit."), field="customer")
        purpose, purpose_ref, label = "topup", "", _("Account credit")
    else:
        purpose, purpose_ref, label = "", "", note[:120] or _("Payment")
    payment = payment_create(
        organization=organization,
        processor=processor,
        amount=amount,
        currency=currency,
        purpose=purpose,
        purpose_ref=purpose_ref,
        purpose_label=label,
        customer=customer,
        note=note,
        recorded_by=actor,
    )
    if invoice is not None and payment.amount < invoice.amount:
        raise ValidationFailed(
            _("The invoice total is %(t)s; record the full amount.") % {"t": invoice.amount},
            field="amount",
        )
    try:
        with transaction.atomic():
            payment_mark_paid(
                payment=payment,
                source=PaymentEvent.Kind.MANUAL,
                receipt=reference,
                paid_at=paid_at,
                message=_("Recorded by staff"),
                actor=actor,
            )
    except (IntegrityError, Conflict):  # recorded a moment ago by someone else
        raise ValidationFailed(
            _("This reference was already recorded."), field="reference"
        ) from None
    receipt_number_assign(payment_id=payment.pk)  # staff are told the number at once
    payment.refresh_from_db()
    return payment
