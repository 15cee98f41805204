"""Reads for billing (lists, lookups, the customer page)."""

from __future__ import annotations

import copy
import logging
import threading
import uuid

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q

from accounts.tenancy import all_tenants
from billing.models import (
    BillingSettings,
    CreditEntry,
    Fulfilment,
    Invoice,
    Payment,
    PlatformInvoice,
    ProcessorAccount,
    Subscription,
)
from customers.models import Customer
from nettportal import db

logger = logging.getLogger(__name__)


def billing_settings_get(*, organization) -> BillingSettings:
    """The organisation's settings, or the defaults (unsaved) if never changed."""
    found = (
        BillingSettings.objects.filter(organization=organization)
        .select_related("platform_plan")
        .first()
    )
    return found or BillingSettings(organization=organization)


# The account a callback URL names, kept per process: every callback (and every
# duplicate of it) needs it, and loading it (with its organisation, decrypting the
# URL token) costs more than the rest of a duplicate's work. A version token in the
# shared cache changes whenever any processor account is saved or deleted (at the
# change and again at its commit), so a rotated callback token or a removed account
# takes effect on the next callback in every process. Without a working cache the
# account is simply read each time.
_ACCOUNTS_VERSION_KEY = "billing:processor-accounts:version"
_accounts_by_key: dict[tuple[str, str], tuple[str, ProcessorAccount]] = {}
_accounts_lock = threading.Lock()


def _accounts_version() -> str | None:
    try:
        version = cache.get(_ACCOUNTS_VERSION_KEY)
        if version is None:
            version = uuid.uuid4().hex
            if not cache.add(_ACCOUNTS_VERSION_KEY, version, timeout=None):
                version = cache.get(_ACCOUNTS_VERSION_KEY)
        return version
    except Exception:  # the cache is down: read the database, as without a cache
        logger.warning("billing: cache unavailable for processor accounts", exc_info=True)
        return None


def processor_accounts_changed() -> None:
    """Every process forgets the accounts it keeps (now, and once the change commits)."""

    def bump():
        try:
            cache.set(_ACCOUNTS_VERSION_KEY, uuid.uuid4().hex, timeout=None)
        except Exception:
            logger.warning("billing: could not mark processor accounts changed", exc_info=True)

    bump()
    transaction.on_commit(bump)


def processor_account_for_callback(*, kind: str, callback_key: str) -> ProcessorAccount | None:
    """The account a callback URL names. Platform-wide on purpose: the URL *is* how the
    tenant is found (never the body); the caller activates that tenant. Each caller
    gets its own copy of the account (the organisation is shared, read-only)."""
    if not callback_key or len(callback_key) > 32:
        return None
    version = _accounts_version()
    key = (kind, callback_key)
    kept = _accounts_by_key.get(key)
    if kept is not None and version is not None and kept[0] == version:
        return copy.copy(kept[1])
    with all_tenants():
        account = (
            ProcessorAccount.objects.filter(kind=kind, callback_key=callback_key)
            .select_related("organization")
            .order_by()  # the key is unique: nothing to sort
            .first()
        )
    if account is not None and version is not None:
        with _accounts_lock:
            if len(_accounts_by_key) >= 1000:  # a bounded memo, not a copy of the table
                _accounts_by_key.clear()
            _accounts_by_key[key] = (version, account)
        return copy.copy(account)
    return account


def payment_for_callback(
    *, organization_id: int, processor: str, processor_reference: str
) -> Payment | None:
    """The payment a processor's callback names, by the processor's reference.

    One hand-written statement (see nettportal.db): every callback, duplicates
    included, starts here, and the ORM took about a third of a callback's CPU to
    compile this SELECT.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {db.select_list(Payment, 'p')} FROM {db.table(Payment)} p "  # noqa: S608
            "WHERE p.organization_id = %s AND p.processor = %s AND p.processor_reference = %s "
            "LIMIT 1",
            [organization_id, processor, processor_reference],
        )
        row = cursor.fetchone()
    return None if row is None else db.instance_from_row(Payment, "p", row)


def pending_fulfilment_for_update(*, organization_id: int, payment_id: int) -> Fulfilment | None:
    """The payment's fulfilment if still pending, row-locked, with its payment.

    Hand-written (see nettportal.db): every paid payment's delivery starts here.
    """
    db.require_transaction()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {db.select_list(Fulfilment, 'f')}, {db.select_list(Payment, 'p')} "  # noqa: S608
            f"FROM {db.table(Fulfilment)} f JOIN {db.table(Payment)} p "
            "ON p.id = f.payment_id AND p.organization_id = f.organization_id "
            "WHERE f.organization_id = %s AND f.payment_id = %s AND f.status = %s "
            f"LIMIT 1{db.lock_rows_of('f')}",
            [organization_id, payment_id, Fulfilment.Status.PENDING],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    item = db.instance_from_row(Fulfilment, "f", row)
    item.payment = db.instance_from_row(Payment, "p", row, db.row_width(Fulfilment))
    return item


def paid_payment_for_update(*, organization, payment_id: int) -> Payment | None:
    """A paid (or refunded) payment of ``organization``, row-locked, with its customer.

    Hand-written (see nettportal.db): every paid payment is numbered through here.
    """
    db.require_transaction()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {db.select_list(Payment, 'p')}, {db.select_list(Customer, 'c')} "  # noqa: S608
            f"FROM {db.table(Payment)} p LEFT JOIN {db.table(Customer)} c ON c.id = p.customer_id "
            "WHERE p.organization_id = %s AND p.id = %s AND p.status IN (%s, %s) "
            f"LIMIT 1{db.lock_rows_of('p')}",
            [organization.pk, payment_id, Payment.Status.PAID, Payment.Status.REFUNDED],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    payment = db.instance_from_row(Payment, "p", row)
    payment.organization = organization
    width = db.row_width(Payment)
    payment.customer = (
        None if row[width] is None else db.instance_from_row(Customer, "c", row, width)
    )
    return payment


def payment_for_public_id(public_id: str) -> Payment | None:
    """A payment by its unguessable public id (payer's status page and receipt link)."""
    if not public_id or len(public_id) > 32:
        return None
    with all_tenants():
        return (
            Payment.objects.filter(public_id=public_id)
            .select_related("organization", "customer")
            .first()
        )


def payment_list(*, status: str = "", processor: str = "", search: str = ""):
    payments = Payment.objects.select_related("customer").order_by("-created_at", "-id")
    if status in Payment.Status.values:
        payments = payments.filter(status=status)
    if processor in Payment.Processor.values:
        payments = payments.filter(processor=processor)
    search = (search or "").strip()
    if search:
        payments = payments.filter(
            Q(reference__iexact=search)
            | Q(processor_receipt__iexact=search)
            | Q(receipt_number__iexact=search)
            | Q(purpose_label__icontains=search)
            | Q(customer__name__icontains=search)
        )
    return payments


def payment_status_counts() -> dict:
    from django.db.models import Count

    rows = Payment.objects.values("status").annotate(n=Count("id")).order_by()
    return {row["status"]: row["n"] for row in rows}


def customer_payments(*, customer, limit: int = 10) -> list[Payment]:
    return list(Payment.objects.filter(customer=customer).order_by("-created_at", "-id")[:limit])


def customer_invoices(*, customer, limit: int = 10) -> list[Invoice]:
    return list(Invoice.objects.filter(customer=customer).order_by("-issued_on", "-id")[:limit])


def customer_credit(*, customer) -> dict:
    from django.db.models import Sum

    rows = (
        CreditEntry.objects.filter(customer=customer)
        .values("currency")
        .annotate(total=Sum("amount"))
        .order_by("currency")
    )
    return {row["currency"]: row["total"] for row in rows if row["total"]}


def invoice_list(*, status: str = "", search: str = ""):
    invoices = Invoice.objects.select_related("customer").order_by("-issued_on", "-id")
    if status in Invoice.Status.values:
        invoices = invoices.filter(status=status)
    if search:
        invoices = invoices.filter(
            Q(number__icontains=search.strip()) | Q(customer__name__icontains=search.strip())
        )
    return invoices


def subscription_list():
    return Subscription.objects.select_related("customer").order_by("-created_at", "-id")


def platform_invoice_list():
    return PlatformInvoice.objects.order_by("-period_start", "currency")


def payment_summary(*, organization) -> dict:
    """Revenue today and this month (organisation's currency and time zone) + review count."""
    import datetime as dt
    import zoneinfo

    from django.db.models import Count, Sum
    from django.utils import timezone

    zone = zoneinfo.ZoneInfo(organization.time_zone or "UTC")
    now = timezone.now().astimezone(zone)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    month = today.replace(day=1)
    paid = Payment.objects.filter(
        status=Payment.Status.PAID, currency=organization.currency, paid_at__gte=month
    )
    totals = paid.aggregate(month=Sum("amount"), n=Count("id"))
    today_total = paid.filter(paid_at__gte=today).aggregate(total=Sum("amount"))["total"]
    return {
        "currency": organization.currency,
        "today": today_total or 0,
        "month": totals["month"] or 0,
        "month_count": totals["n"],
        "needs_review": Payment.objects.filter(status=Payment.Status.NEEDS_REVIEW).count(),
        "has_processor": ProcessorAccount.objects.filter(is_enabled=True).exists(),
        "since": dt.date(month.year, month.month, 1),
    }
