"""Billing tasks: fulfilment, receipts, reconciliation, the daily invoice cycle and
the monthly platform invoices. Per-organisation tasks take ``org_id`` first and
run with that tenant active; sweeps fan out one task per row or organisation."""

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from accounts.tenancy import all_tenants, tenant_task

logger = logging.getLogger(__name__)


@shared_task(time_limit=120, soft_time_limit=100, ignore_result=True)
@tenant_task
def fulfil_payment_task(org_id: int, payment_id: int) -> str:
    from billing.services.payments import fulfilment_run

    return fulfilment_run(payment_id=payment_id)


@shared_task(time_limit=120, soft_time_limit=100, ignore_result=True)
@tenant_task
def payment_paid_task(org_id: int, payment_id: int) -> str:
    """After a payment is paid: deliver what it bought, number and email its receipt."""
    from billing.services.payments import payment_after_paid

    return payment_after_paid(payment_id=payment_id)


@shared_task(time_limit=90, soft_time_limit=75, ignore_result=True)
@tenant_task
def confirm_payment_task(org_id: int, payment_id: int, receipt: str = "") -> str:
    from billing.models import PaymentEvent
    from billing.services.online import payment_confirm

    outcome = payment_confirm(
        payment_id=payment_id, source=PaymentEvent.Kind.QUERY, receipt=receipt
    )
    logger.info("payment %s confirmation: %s", payment_id, outcome)
    return outcome


@shared_task(time_limit=90, soft_time_limit=75, ignore_result=True)
@tenant_task
def reconcile_payment_task(org_id: int, payment_id: int) -> str:
    from billing.services.online import payment_reconcile

    outcome = payment_reconcile(payment_id=payment_id)
    logger.info("payment %s reconciled: %s", payment_id, outcome)
    return outcome


@shared_task(time_limit=120, soft_time_limit=100, ignore_result=True)
def reconcile_payments_task() -> int:
    """Every minute: query each online payment still pending after two minutes."""
    from billing.services.online import payments_due_for_reconciliation

    due = payments_due_for_reconciliation()
    for org_id, payment_id in due:
        reconcile_payment_task.delay(org_id, payment_id)
    if due:
        logger.info("reconciliation: %s payment(s) queued", len(due))
    return len(due)


@shared_task(time_limit=120, soft_time_limit=100, ignore_result=True)
def retry_fulfilments_task() -> int:
    """Every minute: run deliveries that are due again (router was offline, …), and
    finish paid payments whose after-payment task never ran (no receipt number)."""
    from django.db.models import Q

    from billing.models import Fulfilment, Payment

    now = timezone.now()
    settled_before = now - dt.timedelta(minutes=2)
    with all_tenants():
        due = list(
            Fulfilment.objects.filter(status=Fulfilment.Status.PENDING)
            .filter(
                Q(next_attempt_at__lte=now)
                | Q(next_attempt_at__isnull=True, created_at__lte=settled_before)
            )
            .values_list("organization_id", "payment_id")[:500]
        )
        unnumbered = list(
            Payment.objects.filter(
                status=Payment.Status.PAID,
                receipt_number="",
                created_at__gte=now - dt.timedelta(days=7),
                paid_at__lte=settled_before,
            ).values_list("organization_id", "pk")[:500]
        )
    for org_id, payment_id in due:
        fulfil_payment_task.delay(org_id, payment_id)
    for org_id, payment_id in unnumbered:
        payment_paid_task.delay(org_id, payment_id)
    if due or unnumbered:
        logger.info("retry sweep: %s deliveries, %s receipts", len(due), len(unnumbered))
    return len(due) + len(unnumbered)


@shared_task(time_limit=600, soft_time_limit=540, ignore_result=True)
@tenant_task
def billing_cycle_task(org_id: int, day: str = "") -> dict:
    from accounts.tenancy import current_organization
    from billing.services.invoices import billing_cycle_run

    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    result = billing_cycle_run(organization=current_organization(), today=today)
    logger.info("billing cycle org %s %s: %s", org_id, today, result)
    return result


@shared_task(time_limit=300, soft_time_limit=270, ignore_result=True)
def billing_cycle_all_task() -> int:
    """Daily: the invoice cycle of every organisation with subscriptions or open invoices."""
    from billing.models import Invoice, Subscription

    with all_tenants():
        org_ids = set(
            Subscription.objects.filter(status=Subscription.Status.ACTIVE).values_list(
                "organization_id", flat=True
            )
        ) | set(
            Invoice.objects.filter(status=Invoice.Status.OPEN).values_list(
                "organization_id", flat=True
            )
        )
    today = timezone.localdate().isoformat()
    for org_id in sorted(org_ids):
        billing_cycle_task.delay(org_id, today)
    return len(org_ids)


@shared_task(time_limit=300, soft_time_limit=270, ignore_result=True)
@tenant_task
def issue_platform_invoices_task(org_id: int, period_start: str) -> int:
    from accounts.tenancy import current_organization
    from billing.services.platform import platform_invoices_issue

    created = platform_invoices_issue(
        organization=current_organization(), period_start=dt.date.fromisoformat(period_start)
    )
    return len(created)


@shared_task(time_limit=300, soft_time_limit=270, ignore_result=True)
def issue_platform_invoices_all_task(period_start: str = "") -> int:
    """Monthly (and safe to run again): last month's platform invoice for every organisation."""
    from accounts.models import Organization
    from billing.services.platform import previous_month

    period = period_start or previous_month(timezone.localdate()).isoformat()
    org_ids = list(
        Organization.objects.filter(status=Organization.Status.ACTIVE).values_list("pk", flat=True)
    )
    for org_id in org_ids:
        issue_platform_invoices_task.delay(org_id, period)
    return len(org_ids)
