"""Platform fees: what each organisation owes NettPortal for a month.

Fee = the plan's flat monthly fee (in its currency) + its percentage of the
organisation's paid online payments (M-Pesa, Paystack) in each currency, for
the calendar month in the organisation's time zone. One invoice per
organisation, month and currency (a unique constraint makes the monthly task
idempotent); invoices of zero are not issued.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Payment, PlatformFeePlan, PlatformInvoice
from billing.selectors import billing_settings_get
from nettportal.errors import Conflict

logger = logging.getLogger(__name__)
CENT = Decimal("0.01")
PAYMENT_TERMS_DAYS = 14


def previous_month(today: dt.date) -> dt.date:
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def month_bounds(organization, period_start: dt.date) -> tuple[dt.datetime, dt.datetime, dt.date]:
    zone = zoneinfo.ZoneInfo(organization.time_zone or "UTC")
    next_month = (period_start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    start = dt.datetime.combine(period_start, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(next_month, dt.time.min, tzinfo=zone)
    return start, end, next_month - dt.timedelta(days=1)


def plan_for(organization) -> PlatformFeePlan | None:
    settings_row = billing_settings_get(organization=organization)
    if settings_row.platform_plan_id:
        return settings_row.platform_plan
    return PlatformFeePlan.objects.filter(is_default=True).first()


def fee_lines(organization, period_start: dt.date) -> list[dict]:
    """What would be invoiced for the month, one dict per currency (no writes)."""
    plan = plan_for(organization)
    if plan is None:
        return []
    start, end, _last = month_bounds(organization, period_start)
    volumes = {
        row["currency"]: row
        for row in Payment.objects.filter(
            status=Payment.Status.PAID,
            processor__in=Payment.ONLINE_PROCESSORS,
            paid_at__gte=start,
            paid_at__lt=end,
        )
        .values("currency")
        .annotate(volume=Sum("amount"), count=Count("id"))
    }
    currencies = set(volumes)
    if plan.flat_monthly_fee > 0:
        currencies.add(plan.flat_fee_currency)
    lines = []
    for currency in sorted(currencies):
        volume = volumes.get(currency, {}).get("volume") or Decimal("0")
        flat = plan.flat_monthly_fee if currency == plan.flat_fee_currency else Decimal("0")
        percent_fee = (volume * plan.percent_of_volume / 100).quantize(CENT, ROUND_HALF_UP)
        total = flat + percent_fee
        if total <= 0:
            continue
        lines.append(
            {
                "currency": currency,
                "plan_name": plan.name,
                "payment_count": volumes.get(currency, {}).get("count") or 0,
                "volume": volume,
                "flat_fee": flat,
                "percent": plan.percent_of_volume,
                "percent_fee": percent_fee,
                "total": total,
            }
        )
    return lines


def platform_invoices_issue(*, organization, period_start: dt.date) -> list[PlatformInvoice]:
    """Issue the month's platform invoices for one organisation; the ones created now."""
    period_start = period_start.replace(day=1)
    _start, _end, last_day = month_bounds(organization, period_start)
    created = []
    for line in fee_lines(organization, period_start):
        number = f"NP-{period_start:%Y%m}-{organization.pk:05d}-{line['currency']}"
        try:
            with transaction.atomic():
                invoice = PlatformInvoice.objects.create(
                    organization=organization,
                    number=number,
                    period_start=period_start,
                    period_end=last_day,
                    due_on=timezone.localdate() + dt.timedelta(days=PAYMENT_TERMS_DAYS),
                    **line,
                )
                _email_owners(invoice)
        except IntegrityError:
            continue  # already issued for this month and currency
        created.append(invoice)
    if created:
        logger.info(
            "platform invoices issued: org %s, %s invoice(s)", organization.pk, len(created)
        )
    return created


def _email_owners(invoice: PlatformInvoice) -> None:
    """Tell the members who manage billing (``invoice.issued``: in-app and email)."""
    from django.urls import reverse

    from notifications.services import notify

    sent = notify(
        organization=invoice.organization,
        event="invoice.issued",
        context={
            "invoice": invoice,
            "invoice_number": invoice.number,
            "currency": invoice.currency,
            "amount": invoice.total,
            "due_date": invoice.due_on,
        },
        url=reverse("billing:platform_invoices"),
    )
    if sent["emails"]:
        PlatformInvoice.objects.filter(pk=invoice.pk).update(emailed_at=timezone.now())


@transaction.atomic
def platform_invoice_mark_paid(*, invoice: PlatformInvoice, actor, note: str = "") -> bool:
    changed = PlatformInvoice.objects.filter(
        pk=invoice.pk, status=PlatformInvoice.Status.OPEN
    ).update(
        status=PlatformInvoice.Status.PAID,
        paid_at=timezone.now(),
        marked_paid_by=actor,
        paid_note=(note or "")[:200],
    )
    if not changed:
        raise Conflict(_("Only open platform invoices can be marked paid."))
    invoice.refresh_from_db()
    return True
