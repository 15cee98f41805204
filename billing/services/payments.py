"""The payment state machine, fulfilment and receipts.

Every status change is one conditional ``UPDATE … WHERE status IN (allowed)``:
when two callbacks, a webhook and a reconciliation query race, exactly one of
them moves the payment and the others see zero rows changed. Marking a payment
paid creates its :class:`~billing.models.Fulfilment` row in the same
transaction (one per payment, a database constraint), and the fulfilment
handler runs under a row lock afterwards, so value is given exactly once.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CURRENCIES
from accounts.tenancy import current_organization
from billing import fulfilment as registry
from billing.models import Fulfilment, Payment, PaymentEvent
from billing.processors import Outcome, StatusResult
from billing.selectors import paid_payment_for_update, pending_fulfilment_for_update
from billing.services.numbering import next_number
from nettportal import db
from nettportal.errors import ApplicationError, Conflict, ValidationFailed

logger = logging.getLogger(__name__)

Status = Payment.Status
# The statuses a payment may move *from* to reach each status.
ALLOWED_FROM = {
    Status.PAID: (Status.PENDING, Status.NEEDS_REVIEW, Status.FAILED, Status.CANCELLED),
    Status.FAILED: (Status.PENDING, Status.NEEDS_REVIEW),
    Status.CANCELLED: (Status.PENDING, Status.NEEDS_REVIEW),
    Status.NEEDS_REVIEW: (Status.PENDING,),
    Status.REFUNDED: (Status.PAID,),
}
BUILT_IN_PURPOSES = ("invoice", "topup")
FULFILMENT_BACKOFF_MAX = timedelta(hours=1)


def clean_amount(value) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("Enter an amount, e.g. 50 or 12.50."), field="amount") from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationFailed(_("The amount must be more than zero."), field="amount")
    if Decimal(str(value)) != amount:
        raise ValidationFailed(_("Amounts have at most two decimals."), field="amount")
    if amount >= Decimal("10000000000"):
        raise ValidationFailed(_("That amount is too large."), field="amount")
    return amount


def event_record(
    *, payment: Payment, kind: str, message: str = "", payload=None, actor=None
) -> PaymentEvent:
    return PaymentEvent.objects.create(
        organization_id=payment.organization_id,
        payment=payment,
        kind=kind,
        message=str(message)[:300],
        payload=payload or {},
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def payment_create(
    *,
    organization,
    processor: str,
    amount,
    currency: str,
    purpose: str = "",
    purpose_ref: str = "",
    purpose_label: str = "",
    customer=None,
    payer_phone: str = "",
    payer_email: str = "",
    router_label: str = "",
    processor_account=None,
    note: str = "",
    recorded_by=None,
) -> Payment:
    if processor not in Payment.Processor.values:
        raise ValidationFailed(_("Choose a payment method."), field="processor")
    if currency not in CURRENCIES:
        raise ValidationFailed(_("Choose a currency from the list."), field="currency")
    if purpose and purpose not in BUILT_IN_PURPOSES and not registry.is_registered(purpose):
        raise ValidationFailed(_("Nothing can be sold as %(p)s yet.") % {"p": purpose})
    if customer is not None and customer.organization_id != organization.pk:
        raise ValidationFailed(_("Choose one of your customers."), field="customer")
    payment = Payment.objects.create(
        organization=organization,
        processor=processor,
        processor_account=processor_account,
        amount=clean_amount(amount),
        currency=currency,
        purpose=purpose,
        purpose_ref=str(purpose_ref)[:64],
        purpose_label=str(purpose_label)[:120],
        customer=customer,
        payer_phone=payer_phone,
        payer_email=payer_email,
        router_label=str(router_label)[:120],
        note=str(note)[:300],
        recorded_by=recorded_by,
    )
    event_record(payment=payment, kind=PaymentEvent.Kind.CREATED, actor=recorded_by)
    return payment


@transaction.atomic(savepoint=False)  # hot path: callers are in a transaction already
def payment_mark_paid(
    *,
    payment: Payment,
    source: str,
    receipt: str = "",
    paid_at=None,
    processor_reference: str = "",
    message: str = "",
    payload=None,
    actor=None,
) -> bool:
    """Paid, once. False when it was already paid (or refunded): nothing else happens.

    A receipt already used by another payment of this organisation is a
    :class:`Conflict` (a real M-Pesa receipt replayed onto a second payment); the
    surrounding transaction must then end (it is rolled back), never continue.
    """
    now = timezone.now()
    receipt = (receipt or "")[:100]
    fields = {"status": Status.PAID, "paid_at": paid_at or now, "updated_at": now}
    if receipt:
        fields["processor_receipt"] = receipt
    if processor_reference:
        fields["processor_reference"] = processor_reference[:100]
    # No savepoint (two round trips on the hottest path): a clash aborts the caller's
    # transaction, which ends with the Conflict raised here.
    try:
        changed = Payment.objects.filter(
            pk=payment.pk, status__in=ALLOWED_FROM[Status.PAID]
        ).update(**fields)
    except IntegrityError:
        raise Conflict(_("This processor receipt was already used for another payment.")) from None
    if not changed:
        if receipt:  # paid earlier on a status query, which carries no receipt: fill it in
            try:
                Payment.objects.filter(
                    pk=payment.pk, status=Status.PAID, processor_receipt=""
                ).update(processor_receipt=receipt, updated_at=now)
            except IntegrityError:
                raise Conflict(
                    _("This processor receipt was already used for another payment.")
                ) from None
        payment.refresh_from_db()
        return False
    for name, value in fields.items():
        setattr(payment, name, value)
    event_record(
        payment=payment,
        kind=source,
        message=message or _("Paid"),
        payload=payload,
        actor=actor,
    )
    if payment.purpose:
        Fulfilment.objects.create(
            organization_id=payment.organization_id, payment=payment, purpose=payment.purpose
        )
    # One task after commit delivers the value, numbers the receipt (a per-organisation
    # counter every payment would queue on, kept off the callback's hot path) and
    # emails it. The retry sweep picks up a delivery whose task never ran.
    _enqueue_after_paid(payment)
    logger.info("payment %s paid via %s (%s)", payment.pk, payment.processor, source)
    return True


@transaction.atomic
def payment_mark_failed(
    *,
    payment: Payment,
    source: str,
    status: str = Status.FAILED,
    code: str = "",
    message: str = "",
    payload=None,
    actor=None,
) -> bool:
    """Failed or cancelled, from pending/needs-review only: never undoes a payment."""
    if status not in (Status.FAILED, Status.CANCELLED):
        raise ValueError(status)
    now = timezone.now()
    changed = Payment.objects.filter(pk=payment.pk, status__in=ALLOWED_FROM[status]).update(
        status=status,
        failure_code=str(code)[:20],
        failure_message=str(message)[:300],
        settled_at=now,
        updated_at=now,
    )
    payment.refresh_from_db()
    event_record(
        payment=payment,
        kind=source,
        message=message
        if changed
        else _("Ignored (payment is %(s)s): %(m)s")
        % {"s": payment.get_status_display(), "m": message},
        payload=payload,
        actor=actor,
    )
    return bool(changed)


@transaction.atomic
def payment_mark_needs_review(*, payment: Payment, reason: str, source: str, payload=None) -> bool:
    now = timezone.now()
    changed = Payment.objects.filter(
        pk=payment.pk, status__in=ALLOWED_FROM[Status.NEEDS_REVIEW]
    ).update(status=Status.NEEDS_REVIEW, review_reason=str(reason)[:300], updated_at=now)
    payment.refresh_from_db()
    if changed:
        event_record(payment=payment, kind=source, message=reason, payload=payload)
    return bool(changed)


def payment_apply_result(*, payment: Payment, result: StatusResult, source: str) -> bool:
    """Apply what a callback/webhook/query said. True when the payment changed."""
    if result.outcome == Outcome.PAID:
        return payment_mark_paid(
            payment=payment,
            source=source,
            receipt=result.receipt,
            paid_at=result.paid_at,
            message=result.message,
            payload=result.payload,
        )
    if result.outcome in (Outcome.FAILED, Outcome.CANCELLED):
        return payment_mark_failed(
            payment=payment,
            source=source,
            status=Status.CANCELLED if result.outcome == Outcome.CANCELLED else Status.FAILED,
            code=result.code,
            message=result.message,
            payload=result.payload,
        )
    event_record(payment=payment, kind=source, message=result.message, payload=result.payload)
    return False


# --- staff actions ------------------------------------------------------------------


@transaction.atomic
def payment_resolve(*, payment: Payment, actor, outcome: str, note: str, receipt: str = "") -> bool:
    """Staff settle a payment that needs review (after checking their M-Pesa/Paystack statement)."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("Say what you checked (e.g. the statement line)."), field="note")
    if payment.status not in (Status.PENDING, Status.NEEDS_REVIEW):
        raise Conflict(_("Only pending payments or payments that need review can be settled."))
    if outcome == Status.PAID:
        return payment_mark_paid(
            payment=payment,
            source=PaymentEvent.Kind.MANUAL,
            receipt=(receipt or "").strip().upper(),
            message=_("Marked paid by staff: %(n)s") % {"n": note[:200]},
            actor=actor,
        )
    if outcome == Status.FAILED:
        return payment_mark_failed(
            payment=payment,
            source=PaymentEvent.Kind.MANUAL,
            code="staff",
            message=_("Marked failed by staff: %(n)s") % {"n": note[:200]},
            actor=actor,
        )
    raise ValidationFailed(_("Choose paid or failed."), field="outcome")


@transaction.atomic
def payment_refund(*, payment: Payment, actor, note: str) -> bool:
    """Record that the money was given back (through the processor's own portal)."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("Say how the money was returned."), field="note")
    now = timezone.now()
    changed = Payment.objects.filter(pk=payment.pk, status=Status.PAID).update(
        status=Status.REFUNDED, refunded_at=now, updated_at=now
    )
    if not changed:
        raise Conflict(_("Only paid payments can be refunded."))
    payment.refresh_from_db()
    event_record(
        payment=payment,
        kind=PaymentEvent.Kind.MANUAL,
        message=_("Refunded: %(n)s") % {"n": note[:250]},
        actor=actor,
    )
    return True


# --- fulfilment ------------------------------------------------------------------------


def _enqueue_fulfilment(payment: Payment) -> None:
    from billing.tasks import fulfil_payment_task

    org_id, payment_id = payment.organization_id, payment.pk
    # robust: a broker hiccup must not fail the callback that got the money in; the
    # retry sweep picks up fulfilments whose task never ran.
    transaction.on_commit(lambda: fulfil_payment_task.delay(org_id, payment_id), robust=True)


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** min(attempts, 10)), FULFILMENT_BACKOFF_MAX)


def fulfilment_run(*, payment_id: int) -> str:
    """Give the value of one paid payment, if not given yet. Safe to call any number of times.

    Returns ``done``, ``retry``, ``failed`` or ``nothing`` (already done, or
    nothing to do). Runs with the payment's organisation active (the task's
    tenant); only that organisation's fulfilments are found. Inside a caller's
    transaction it adds no savepoint: a failure here fails the caller's
    transaction too (the handler keeps its own).
    """
    organization_id = current_organization().pk  # raises before a transaction opens
    with transaction.atomic(savepoint=False):
        item = pending_fulfilment_for_update(organization_id=organization_id, payment_id=payment_id)
        if item is None:
            return "nothing"
        payment = item.payment
        if payment.status != Status.PAID:
            return "nothing"  # refunded before it could be given
        now = timezone.now()
        item.attempts += 1
        purpose = registry.get(item.purpose)
        if purpose is None and item.purpose in BUILT_IN_PURPOSES:
            from billing.apps import register_builtin_purposes

            register_builtin_purposes()
            purpose = registry.get(item.purpose)
        if purpose is None:
            item.last_error = f"Nothing handles '{item.purpose}' yet; will try again."
            item.next_attempt_at = now + _backoff(item.attempts)
            item.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            return "retry"
        try:
            with transaction.atomic():
                result = purpose.handler(payment) or {}
        except registry.FulfilmentRetry as exc:
            item.last_error = (str(exc) or "Not possible yet")[:300]
            item.next_attempt_at = now + _backoff(item.attempts)
            item.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            logger.info(
                "fulfilment of payment %s postponed (attempt %s)", payment_id, item.attempts
            )
            return "retry"
        except ApplicationError as exc:
            return _fulfilment_failed(item, payment, exc.message)
        except Exception as exc:
            logger.exception(
                "fulfilment handler %r crashed for payment %s", item.purpose, payment_id
            )
            return _fulfilment_failed(item, payment, f"{type(exc).__name__} in the handler")
        item.status = Fulfilment.Status.DONE
        item.result = result
        item.done_at = now
        item.last_error = ""
        item.next_attempt_at = None
        item.save(
            update_fields=[
                "status",
                "result",
                "done_at",
                "attempts",
                "last_error",
                "next_attempt_at",
            ]
        )
        event_record(
            payment=payment,
            kind=PaymentEvent.Kind.FULFILMENT,
            message=_("%(label)s delivered") % {"label": purpose.label},
        )
        logger.info("fulfilment of payment %s done (%s)", payment_id, item.purpose)
        return "done"


def _fulfilment_failed(item: Fulfilment, payment: Payment, message: str) -> str:
    item.status = Fulfilment.Status.FAILED
    item.last_error = message[:300]
    item.next_attempt_at = None
    item.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
    event_record(
        payment=payment,
        kind=PaymentEvent.Kind.FULFILMENT,
        message=_("Could not deliver: %(m)s") % {"m": message[:250]},
    )
    logger.warning("fulfilment of payment %s failed", payment.pk)
    return "failed"


@transaction.atomic
def fulfilment_retry(*, payment: Payment, actor) -> bool:
    """Staff ask a failed fulfilment to run again."""
    changed = Fulfilment.objects.filter(payment=payment, status=Fulfilment.Status.FAILED).update(
        status=Fulfilment.Status.PENDING, next_attempt_at=None, last_error=""
    )
    if changed:
        event_record(
            payment=payment,
            kind=PaymentEvent.Kind.MANUAL,
            message=_("Delivery retried by staff"),
            actor=actor,
        )
        _enqueue_fulfilment(payment)
    return bool(changed)


# --- receipts ------------------------------------------------------------------------


def _enqueue_after_paid(payment: Payment) -> None:
    from billing.tasks import payment_paid_task

    org_id, payment_id = payment.organization_id, payment.pk
    transaction.on_commit(lambda: payment_paid_task.delay(org_id, payment_id), robust=True)


def payment_after_paid(*, payment_id: int) -> str:
    """Deliver, then number the receipt, in one transaction (one commit), then email.

    The organisation's receipt counter is locked last, so it is held only for the
    commit, never while a handler works. Runs with the payment's organisation
    active (the task's tenant), like :func:`fulfilment_run`.
    """
    with transaction.atomic():
        outcome = fulfilment_run(payment_id=payment_id)
        payment = _receipt_number_assign(payment_id=payment_id)
    # The payment as numbered (and locked) a moment ago tells whether a receipt is due:
    # when it has no address or was emailed already, receipt_send would only read it
    # again to find that out. Otherwise receipt_send checks everything again under
    # its own lock.
    if payment is not None and not payment.receipt_sent_at and receipt_recipient(payment):
        receipt_send(payment_id=payment_id)
    return outcome


def receipt_number_assign(*, payment_id: int) -> str:
    """Give a paid payment its receipt number (``R-000123``, per organisation, no gaps).

    Idempotent: a payment keeps the number it got. Lock order is payment row,
    then the organisation's counter row. No savepoint inside a caller's transaction.
    Only a payment of the active organisation is numbered (``TenantNotActive``
    without one).
    """
    payment = _receipt_number_assign(payment_id=payment_id)
    return payment.receipt_number if payment is not None else ""


def _receipt_number_assign(*, payment_id: int) -> Payment | None:
    """The paid (or refunded) payment, numbered, with its customer; None when not paid."""
    organization = current_organization()  # raises before a transaction opens
    with transaction.atomic(savepoint=False):
        payment = paid_payment_for_update(organization=organization, payment_id=payment_id)
        if payment is None or payment.receipt_number:
            return payment
        # Once per payment (the row is locked and numbered below); before the
        # counter is taken, so the counter is still held only for the commit.
        _payment_paid_announce(payment=payment)
        number = next_number(organization_id=payment.organization_id, kind="receipt")
        payment.receipt_number = f"R-{number:06d}"
        db.update_fields(payment, ["receipt_number"])
        return payment


def _payment_paid_announce(*, payment: Payment) -> None:
    """The ``payment.paid`` webhook and the ``payment.received`` notice.

    Called as the payment gets its receipt number, which happens exactly once
    per paid payment (in the after-payment task, or at once for payments staff
    record), with the payment row locked and in the same transaction: a
    rolled-back numbering announces nothing, and duplicate callbacks or a second
    run of the task find the number set and announce nothing twice. Kept off
    the callback's hot path like the numbering itself.
    """
    from django.urls import reverse

    from integrations.services import webhook_emit
    from notifications.services import notify

    webhook_emit(
        organization=payment.organization,
        event="payment.paid",
        payload={"payment": payment_webhook_payload(payment)},
    )
    notify(
        organization=payment.organization,
        event="payment.received",
        context={
            "payment": payment,
            "currency": payment.currency,
            "amount": payment.amount,
            "reference": payment.processor_receipt or payment.processor_reference,
        },
        url=reverse("billing:payment_detail", args=[payment.pk]),
    )


def payment_webhook_payload(payment: Payment) -> dict:
    """What a ``payment.paid`` receiver gets: ids, money and status, no payer details."""
    return {
        "id": payment.pk,
        "status": payment.status,
        "amount": str(payment.amount),
        "currency": payment.currency,
        "processor": payment.processor,
        "processor_receipt": payment.processor_receipt,
        "purpose": payment.purpose,
        "purpose_ref": payment.purpose_ref,
        "customer_id": payment.customer_id,
        "paid_at": payment.paid_at.isoformat() if payment.paid_at else None,
    }


def receipt_recipient(payment: Payment) -> str:
    if payment.customer_id and payment.customer and payment.customer.email:
        return payment.customer.email
    return payment.payer_email


def receipt_send(*, payment_id: int, force: bool = False, actor=None) -> bool:
    """Email the receipt (HTML + text, with a link to the PDF). Once, unless ``force``."""
    from billing.selectors import billing_settings_get
    from nettportal.mail import send_email

    payment = Payment.objects.select_related("customer").get(pk=payment_id)
    if not force and (payment.receipt_sent_at or not receipt_recipient(payment)):
        return False  # nothing to send: no write transaction needed
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("customer")
            .get(pk=payment_id)
        )
        if payment.status not in (Status.PAID, Status.REFUNDED):
            return False
        if payment.receipt_sent_at and not force:
            return False
        settings_row = billing_settings_get(organization=payment.organization)
        if not settings_row.send_receipts and not force:
            return False
        recipient = receipt_recipient(payment)
        if not recipient:
            return False
        send_email(
            to=recipient,
            template="billing_receipt",
            context={
                "payment": payment,
                "organization": payment.organization,
                "receipt_note": settings_row.receipt_note,
            },
        )
        Payment.objects.filter(pk=payment.pk).update(receipt_sent_at=timezone.now())
        event_record(
            payment=payment,
            kind=PaymentEvent.Kind.RECEIPT,
            message=_("Receipt emailed"),
            actor=actor,
        )
    return True
