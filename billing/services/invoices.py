"""Customer invoices: PPPoE subscriptions billed monthly, reminders, suspension
after a grace period and reactivation on payment; customer credit (top-ups).

The daily cycle (:func:`billing_cycle_run`) is idempotent: an invoice per
subscription period is guaranteed by a unique constraint, reminders by
conditional updates of ``reminders_sent``, suspension by
``suspended_customer_at``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import re
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import CreditEntry, Invoice, Payment, Subscription
from billing.selectors import billing_settings_get
from billing.services.numbering import next_number
from billing.services.payments import clean_amount
from customers.models import Customer
from nettportal.errors import Conflict, ValidationFailed
from nettportal.mail import send_email

logger = logging.getLogger(__name__)


# --- periods --------------------------------------------------------------------------


def add_months(day: dt.date, months: int, billing_day: int | None = None) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    wanted = billing_day or day.day
    return dt.date(year, month, min(wanted, calendar.monthrange(year, month)[1]))


def current_period(subscription: Subscription, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The billing period containing ``today`` (start inclusive, end exclusive), if begun.

    Periods run from one billing day to the next; the first one starts on
    ``starts_on`` (the form proposes that day as the billing day).
    """
    if today < subscription.starts_on:
        return None
    start = dt.date(today.year, today.month, subscription.billing_day)
    if today < start:
        start = add_months(start, -1, subscription.billing_day)
    end = add_months(start, 1, subscription.billing_day)
    return max(start, subscription.starts_on), end


# --- subscriptions -------------------------------------------------------------------


@transaction.atomic
def subscription_create(
    *,
    organization,
    customer: Customer,
    description: str,
    amount,
    currency: str,
    billing_day: int,
    starts_on: dt.date,
) -> Subscription:
    if customer.organization_id != organization.pk:
        raise ValidationFailed(_("Choose one of your customers."), field="customer")
    if customer.customer_type != Customer.Type.PPPOE:
        raise ValidationFailed(
            _("Monthly subscriptions are for PPPoE customers."), field="customer"
        )
    if not 1 <= int(billing_day) <= 28:
        raise ValidationFailed(_("Choose a day between 1 and 28."), field="billing_day")
    description = (description or "").strip()
    if not description:
        raise ValidationFailed(_("Name the plan, e.g. Home 10 Mbps."), field="description")
    return Subscription.objects.create(
        organization=organization,
        customer=customer,
        description=description[:120],
        amount=clean_amount(amount),
        currency=currency,
        billing_day=int(billing_day),
        starts_on=starts_on,
    )


@transaction.atomic
def subscription_set_status(*, subscription: Subscription, status: str) -> bool:
    if status not in Subscription.Status.values:
        raise ValidationFailed(_("Unknown status."))
    changed = (
        Subscription.objects.filter(pk=subscription.pk)
        .exclude(status=status)
        .update(status=status, updated_at=timezone.now())
    )
    subscription.status = status
    return bool(changed)


# --- invoices ------------------------------------------------------------------------


def _invoice_number(organization_id: int) -> str:
    return f"INV-{next_number(organization_id=organization_id, kind='invoice'):06d}"


@transaction.atomic
def invoice_create(
    *,
    organization,
    customer: Customer | None,
    description: str,
    amount,
    currency: str,
    issued_on: dt.date,
    due_on: dt.date | None = None,
    subscription: Subscription | None = None,
    period: tuple[dt.date, dt.date] | None = None,
) -> Invoice:
    settings_row = billing_settings_get(organization=organization)
    invoice = Invoice.objects.create(
        organization=organization,
        number=_invoice_number(organization.pk),
        customer=customer,
        subscription=subscription,
        description=description[:200],
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        issued_on=issued_on,
        due_on=due_on or issued_on + dt.timedelta(days=settings_row.invoice_due_days),
        amount=clean_amount(amount),
        currency=currency,
    )
    if not _pay_from_credit(invoice):
        _email(invoice, "billing_invoice")
    return invoice


def invoice_issue_for_period(*, subscription: Subscription, today: dt.date) -> Invoice | None:
    """The invoice of ``subscription``'s current period; created at most once."""
    period = current_period(subscription, today)
    if period is None:
        return None
    existing = Invoice.objects.filter(subscription=subscription, period_start=period[0]).first()
    if existing is not None:
        return None
    label = _("%(plan)s, %(start)s – %(end)s") % {
        "plan": subscription.description,
        "start": period[0].strftime("%d %b %Y"),
        "end": (period[1] - dt.timedelta(days=1)).strftime("%d %b %Y"),
    }
    try:
        with transaction.atomic():
            return invoice_create(
                organization=subscription.organization,
                customer=subscription.customer,
                description=label,
                amount=subscription.amount,
                currency=subscription.currency,
                issued_on=max(today, period[0]),
                subscription=subscription,
                period=period,
            )
    except IntegrityError:
        return None  # another worker issued it a moment ago (its number is rolled back too)


def _email(invoice: Invoice, template: str) -> bool:
    customer = invoice.customer
    if customer is None or not customer.email:
        return False
    send_email(
        to=customer.email,
        template=template,
        context={"invoice": invoice, "organization": invoice.organization, "customer": customer},
    )
    return True


def invoices_send_reminders(*, organization, today: dt.date) -> int:
    """A reminder shortly before the due date, and one notice once overdue. Each once."""
    settings_row = billing_settings_get(organization=organization)
    sent = 0
    before = today + dt.timedelta(days=settings_row.reminder_days_before_due)
    for invoice in Invoice.objects.filter(
        status=Invoice.Status.OPEN, reminders_sent=0, due_on__lte=before, due_on__gte=today
    ).select_related("customer"):
        if Invoice.objects.filter(pk=invoice.pk, reminders_sent=0).update(
            reminders_sent=1, last_reminded_at=timezone.now()
        ):
            sent += _email(invoice, "billing_invoice_reminder")
    for invoice in Invoice.objects.filter(
        status=Invoice.Status.OPEN, reminders_sent__lt=2, due_on__lt=today
    ).select_related("customer"):
        if Invoice.objects.filter(pk=invoice.pk, reminders_sent__lt=2).update(
            reminders_sent=2, last_reminded_at=timezone.now()
        ):
            sent += _email(invoice, "billing_invoice_overdue")
    return sent


def invoices_suspend_overdue(*, organization, today: dt.date) -> int:
    """Suspend PPPoE customers whose invoice is unpaid ``grace_days`` after its due date."""
    from customers.services.customers import customer_set_status

    settings_row = billing_settings_get(organization=organization)
    limit = today - dt.timedelta(days=settings_row.grace_days)
    suspended = 0
    overdue = Invoice.objects.filter(
        status=Invoice.Status.OPEN,
        due_on__lt=limit,
        suspended_customer_at__isnull=True,
        customer__customer_type=Customer.Type.PPPOE,
        customer__status=Customer.Status.ACTIVE,
    ).select_related("customer")
    for invoice in overdue:
        with transaction.atomic():
            # Marked only when billing itself suspends: reactivation undoes only that.
            if not Invoice.objects.filter(
                pk=invoice.pk, status=Invoice.Status.OPEN, suspended_customer_at__isnull=True
            ).update(suspended_customer_at=timezone.now()):
                continue
            if customer_set_status(customer=invoice.customer, status=Customer.Status.SUSPENDED):
                suspended += 1
                _email(invoice, "billing_service_suspended")
    return suspended


def billing_cycle_run(*, organization, today: dt.date) -> dict:
    """The daily run for one organisation: issue, remind, suspend. Safe to run twice."""
    issued = 0
    for subscription in Subscription.objects.filter(
        status=Subscription.Status.ACTIVE
    ).select_related("customer", "organization"):
        issued += invoice_issue_for_period(subscription=subscription, today=today) is not None
    reminded = invoices_send_reminders(organization=organization, today=today)
    suspended = invoices_suspend_overdue(organization=organization, today=today)
    return {"issued": issued, "reminded": reminded, "suspended": suspended}


@transaction.atomic
def invoice_mark_paid(*, invoice: Invoice, payment: Payment | None) -> bool:
    """Paid once; the customer is reactivated if billing suspended them and nothing else is overdue."""
    now = timezone.now()
    changed = Invoice.objects.filter(pk=invoice.pk, status=Invoice.Status.OPEN).update(
        status=Invoice.Status.PAID, paid_at=now, payment=payment, updated_at=now
    )
    if not changed:
        return False
    invoice.refresh_from_db()
    _reactivate_if_clear(invoice)
    return True


def _reactivate_if_clear(invoice: Invoice) -> None:
    from customers.services.customers import customer_set_status

    customer = invoice.customer
    if customer is None:
        return
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.status != Customer.Status.SUSPENDED:
        return
    ours = Invoice.objects.filter(customer=customer, suspended_customer_at__isnull=False)
    if not ours.exists():
        return  # suspended by staff for another reason: not ours to undo
    grace = billing_settings_get(organization=invoice.organization).grace_days
    limit = timezone.localdate() - dt.timedelta(days=grace)
    if (
        ours.filter(status=Invoice.Status.OPEN).exists()
        or Invoice.objects.filter(
            customer=customer, status=Invoice.Status.OPEN, due_on__lt=limit
        ).exists()
    ):
        return  # something else is still overdue: it stays suspended
    customer_set_status(customer=customer, status=Customer.Status.ACTIVE)
    logger.info("customer %s reactivated after invoice %s was paid", customer.pk, invoice.pk)


@transaction.atomic
def invoice_void(*, invoice: Invoice) -> bool:
    changed = Invoice.objects.filter(pk=invoice.pk, status=Invoice.Status.OPEN).update(
        status=Invoice.Status.VOID, updated_at=timezone.now()
    )
    if not changed:
        raise Conflict(_("Only open invoices can be voided."))
    invoice.refresh_from_db()
    _reactivate_if_clear(invoice)
    return True


_REFERENCE_NOISE = re.compile(r"[^A-Z0-9]")


def invoice_match_reference(reference: str) -> Invoice | None:
    """The one open invoice whose number appears in a bank-transfer reference."""
    wanted = _REFERENCE_NOISE.sub("", (reference or "").upper())
    if len(wanted) < 4:
        return None
    digits = re.findall(r"INV0*(\d+)", wanted)
    if not digits:
        return None
    candidates = [f"INV-{int(d):06d}" for d in digits]
    matches = list(Invoice.objects.filter(status=Invoice.Status.OPEN, number__in=candidates)[:2])
    return matches[0] if len(matches) == 1 else None


# --- fulfilment handlers (registered in BillingConfig.ready) ------------------------------------


def fulfil_invoice(payment: Payment) -> dict:
    invoice = Invoice.objects.select_for_update().filter(pk=payment.purpose_ref).first()
    if invoice is None:
        raise ValidationFailed(_("The invoice this payment was for no longer exists."))
    if payment.currency != invoice.currency:
        raise ValidationFailed(_("The payment's currency differs from the invoice's."))
    if payment.amount < invoice.amount:
        raise ValidationFailed(_("The payment is less than the invoice total."))
    paid = invoice_mark_paid(invoice=invoice, payment=payment)
    extra = payment.amount - invoice.amount if paid else payment.amount
    if extra > 0 and invoice.customer_id:
        CreditEntry.objects.create(
            organization_id=payment.organization_id,
            customer_id=invoice.customer_id,
            amount=extra,
            currency=payment.currency,
            payment=payment,
            description=_("Overpayment of %(n)s") % {"n": invoice.number},
        )
    return {
        "invoice_id": invoice.pk,
        "display": {"label": _("Invoice"), "value": _("%(n)s paid") % {"n": invoice.number}},
    }


def fulfil_topup(payment: Payment) -> dict:
    if payment.customer_id is None:
        raise ValidationFailed(_("A top-up needs a customer."))
    entry = CreditEntry.objects.create(
        organization_id=payment.organization_id,
        customer_id=payment.customer_id,
        amount=payment.amount,
        currency=payment.currency,
        payment=payment,
        description=_("Top-up %(r)s") % {"r": payment.reference},
    )
    return {
        "credit_entry_id": entry.pk,
        "display": {
            "label": _("Account credit"),
            "value": f"+{payment.amount} {payment.currency}",
        },
    }


def customer_credit_balance(*, customer: Customer, currency: str) -> Decimal:
    total = CreditEntry.objects.filter(customer=customer, currency=currency).aggregate(
        total=Sum("amount")
    )["total"]
    return total or Decimal("0")


def _pay_from_credit(invoice: Invoice) -> bool:
    if invoice.customer is None:
        return False
    customer = Customer.objects.select_for_update().get(pk=invoice.customer_id)
    if customer_credit_balance(customer=customer, currency=invoice.currency) < invoice.amount:
        return False
    CreditEntry.objects.create(
        organization_id=invoice.organization_id,
        customer=customer,
        amount=-invoice.amount,
        currency=invoice.currency,
        invoice=invoice,
        description=_("Paid %(n)s from credit") % {"n": invoice.number},
    )
    return invoice_mark_paid(invoice=invoice, payment=None)
