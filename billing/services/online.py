"""Starting, confirming and reconciling online payments (M-Pesa STK Push, Paystack).

Trust rules, per processor:

* **M-Pesa** callbacks are unsigned. One is accepted only at the account's
  secret URL (token compared in constant time), for a CheckoutRequestID we
  created in this organisation, with the matching MerchantRequestID and exactly
  the amount we asked for. With ``confirm_with_query`` on, even such a
  callback is only believed once Daraja's STK query says the same.
* **Paystack** webhooks must carry a valid HMAC-SHA512 signature, and even then
  only the verify endpoint (status, amount and currency) makes a payment paid.
* A callback that never arrives is settled by :func:`payment_reconcile`, which
  queries every payment still pending after two minutes; a query never
  downgrades a paid payment.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Payment, PaymentEvent, ProcessorAccount
from billing.processors import (
    NotificationRejected,
    Outcome,
    ProcessorError,
    ProcessorRejected,
    ProcessorUnavailable,
    StartRequest,
    StatusResult,
    processor_for,
)
from billing.processors import mpesa as mpesa_api
from billing.selectors import payment_for_callback
from billing.services.payments import (
    event_record,
    payment_apply_result,
    payment_create,
    payment_mark_failed,
    payment_mark_needs_review,
    payment_mark_paid,
)
from nettportal.errors import Conflict, ExternalServiceError, ValidationFailed

logger = logging.getLogger(__name__)
Status = Payment.Status
PAYSTACK_ABANDON_AFTER = timedelta(hours=1)
REVIEW_REQUERY_FOR = timedelta(hours=24)


class PaymentStartFailed(ExternalServiceError):
    """The processor refused or did not answer; ``payment`` says what state it was left in."""

    def __init__(self, message: str, *, payment: Payment):
        super().__init__(message)
        self.payment = payment


def account_for(kind: str) -> ProcessorAccount:
    account = ProcessorAccount.objects.filter(kind=kind, is_enabled=True).first()
    if account is None or not account.has_secrets:
        raise ValidationFailed(
            _("%(kind)s payments are not set up for this organisation.")
            % {"kind": dict(ProcessorAccount.Kind.choices)[kind]}
        )
    return account


def mpesa_callback_url(account: ProcessorAccount) -> str:
    path = reverse("billing:hook_mpesa", args=[account.callback_key, account.callback_token])
    return f"{settings.BILLING_CALLBACK_BASE_URL}{path}"


def paystack_webhook_url(account: ProcessorAccount) -> str:
    path = reverse("billing:hook_paystack", args=[account.callback_key])
    return f"{settings.BILLING_CALLBACK_BASE_URL}{path}"


def payment_return_url(payment: Payment) -> str:
    path = reverse("billing:public_return", args=[payment.public_id])
    return f"{settings.SITE_URL}{path}"


# --- start -----------------------------------------------------------------------------


def mpesa_payment_start(
    *,
    organization,
    phone: str,
    amount,
    description: str,
    currency: str = "KES",
    purpose: str = "",
    purpose_ref: str = "",
    account_reference: str = "",
    customer=None,
    router_label: str = "",
) -> Payment:
    """Send an STK Push. The payment is committed *before* Daraja is called, and
    stays ``pending`` until a callback or a query settles it.

    If Daraja does not answer, the payment stays pending with no
    CheckoutRequestID (nothing half-written) and reconciliation flags it for
    review; if Daraja refuses, it is marked failed. Either raises
    :class:`PaymentStartFailed`.

    Call it outside any transaction: the payment must be committed before Daraja
    can call back (a callback that beats our own commit is refused and the
    payment is then settled by reconciliation).
    """
    account = account_for(ProcessorAccount.Kind.MPESA)
    if currency != "KES":
        raise ValidationFailed(_("M-Pesa takes Kenyan shillings (KES) only."), field="currency")
    if organization.pk != account.organization_id:
        raise ValidationFailed(_("M-Pesa is not set up for this organisation."))
    try:
        msisdn = mpesa_api.normalise_phone(phone)
    except ProcessorRejected as exc:
        raise ValidationFailed(exc.message, field="phone") from None
    from billing.services.payments import clean_amount

    value = clean_amount(amount)
    try:
        mpesa_api.whole_shillings(value)
    except ProcessorRejected as exc:
        raise ValidationFailed(exc.message, field="amount") from None
    payment = payment_create(
        organization=organization,
        processor=Payment.Processor.MPESA,
        processor_account=account,
        amount=value,
        currency="KES",
        purpose=purpose,
        purpose_ref=purpose_ref,
        purpose_label=description,
        customer=customer,
        payer_phone="+" + msisdn,
        router_label=router_label,
    )
    request = StartRequest(
        reference=payment.reference,
        amount=value,
        currency="KES",
        description=description,
        phone=msisdn,
        account_reference=account_reference or payment.reference,
        callback_url=mpesa_callback_url(account),
    )
    return _start(payment, account, request)


def paystack_payment_start(
    *,
    organization,
    email: str,
    amount,
    currency: str,
    description: str,
    purpose: str = "",
    purpose_ref: str = "",
    customer=None,
    router_label: str = "",
) -> Payment:
    """Open a Paystack checkout; ``payment.redirect_url`` is where the payer goes next."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    account = account_for(ProcessorAccount.Kind.PAYSTACK)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed(_("Enter a valid email address."), field="email") from None
    payment = payment_create(
        organization=organization,
        processor=Payment.Processor.PAYSTACK,
        processor_account=account,
        amount=amount,
        currency=currency,
        purpose=purpose,
        purpose_ref=purpose_ref,
        purpose_label=description,
        customer=customer,
        payer_email=email,
        router_label=router_label,
    )
    request = StartRequest(
        reference=payment.reference,
        amount=payment.amount,
        currency=currency,
        description=description,
        email=email,
        return_url=payment_return_url(payment),
    )
    return _start(payment, account, request)


def _start(payment: Payment, account: ProcessorAccount, request: StartRequest) -> Payment:
    processor = processor_for(account)
    try:
        result = processor.start(request)
    except ProcessorUnavailable as exc:
        event_record(
            payment=payment,
            kind=PaymentEvent.Kind.START_FAILED,
            message=exc.message,
            payload=exc.payload,
        )
        logger.warning("payment %s: %s did not answer the start request", payment.pk, account.kind)
        raise PaymentStartFailed(exc.message, payment=payment) from None
    except ProcessorRejected as exc:
        payment_mark_failed(
            payment=payment,
            source=PaymentEvent.Kind.START_FAILED,
            code=exc.code or "rejected",
            message=exc.message,
            payload=exc.payload,
        )
        raise PaymentStartFailed(exc.message, payment=payment) from None
    with transaction.atomic():
        fields = {"processor_request_id": result.request_id, "redirect_url": result.redirect_url}
        if account.kind == ProcessorAccount.Kind.MPESA:
            fields["processor_reference"] = result.processor_reference
        Payment.objects.filter(pk=payment.pk, processor_reference__isnull=True).update(**fields)
        event_record(
            payment=payment,
            kind=PaymentEvent.Kind.START,
            message=result.customer_message or _("Accepted by the processor"),
            payload=result.payload,
        )
    payment.refresh_from_db()
    return payment


# --- M-Pesa callback ----------------------------------------------------------------------


def mpesa_callback_handle(*, account: ProcessorAccount, url_token: str, body: bytes) -> str:
    """Handle one Daraja STK callback for ``account``'s organisation (already active).

    Returns what happened (``paid``, ``failed``, ``duplicate``, ``awaiting_query``,
    …). Raises :class:`NotificationRejected` for anything that must change nothing.
    """
    processor = processor_for(account)
    result = processor.parse_notification(body=body, url_token=url_token)
    # Read without a lock: a repeat of a settled callback (the usual duplicate) is
    # answered from this read alone, with no transaction, and never waits for the
    # after-payment task that holds the row. Every change below is a conditional
    # UPDATE on the status (payment_mark_paid/_failed), so two first callbacks
    # racing still settle the payment once.
    payment = payment_for_callback(
        organization_id=account.organization_id,
        processor=Payment.Processor.MPESA,
        processor_reference=result.processor_reference,
    )
    if payment is None:
        raise NotificationRejected("Unknown CheckoutRequestID.", status=404)
    if payment.processor_request_id and result.request_id != payment.processor_request_id:
        raise NotificationRejected("MerchantRequestID does not match the request.")
    if result.outcome == Outcome.PAID:
        if result.amount != payment.amount:
            raise NotificationRejected("The amount differs from what was asked.")
        if payment.status == Status.PAID and payment.processor_receipt:
            return "duplicate"  # nothing to write: no transaction, no lock
        if account.confirm_with_query and payment.status != Status.PAID:
            return _confirm_first(payment, result)
        try:
            with transaction.atomic():
                changed = payment_apply_result(
                    payment=payment, result=result, source=PaymentEvent.Kind.CALLBACK
                )
        except Conflict as exc:
            raise NotificationRejected(exc.message, status=409) from None
        return "paid" if changed else "duplicate"
    with transaction.atomic():
        changed = payment_apply_result(
            payment=payment, result=result, source=PaymentEvent.Kind.CALLBACK
        )
    return result.outcome.value if changed else "ignored"


def _confirm_first(payment: Payment, result) -> str:
    """The account asks for a status query before trusting a success callback."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().filter(pk=payment.pk).first()
        if locked is None or locked.status == Status.PAID:
            return "duplicate"
        event_record(
            payment=locked,
            kind=PaymentEvent.Kind.CALLBACK,
            message=_("Success reported; confirming with M-Pesa"),
            payload=result.payload,
        )
        _enqueue_confirmation(locked, receipt=result.receipt)
    return "awaiting_query"


def _enqueue_confirmation(payment: Payment, *, receipt: str) -> None:
    from billing.tasks import confirm_payment_task

    org_id, payment_id = payment.organization_id, payment.pk
    transaction.on_commit(lambda: confirm_payment_task.delay(org_id, payment_id, receipt))


# --- Paystack webhook ------------------------------------------------------------------------


def paystack_webhook_handle(*, account: ProcessorAccount, body: bytes, headers) -> str:
    """A signed webhook only prompts a verification; verify decides."""
    processor = processor_for(account)
    result = processor.parse_notification(body=body, headers=headers)
    if result.code != "charge.success":
        return "ignored"
    payment = Payment.objects.filter(
        processor=Payment.Processor.PAYSTACK, reference=result.reference
    ).first()
    if payment is None:
        return "ignored"  # a payment made outside NettPortal on the same Paystack account
    event_record(
        payment=payment,
        kind=PaymentEvent.Kind.WEBHOOK,
        message=_("Paystack reported a successful charge; verifying"),
        payload=result.payload,
    )
    outcome = payment_confirm(payment_id=payment.pk, source=PaymentEvent.Kind.WEBHOOK)
    return outcome


# --- confirmation and reconciliation ------------------------------------------------------------


def payment_confirm(
    *, payment_id: int, source: str = PaymentEvent.Kind.QUERY, receipt: str = ""
) -> str:
    """Ask the processor how a payment ended and apply the answer (no downgrades).

    Used by Paystack webhooks and return pages, by M-Pesa's confirm-with-query
    mode and by reconciliation. Returns ``paid``/``failed``/``cancelled``/
    ``pending``/``review``/``unknown``/``settled``.
    """
    payment = Payment.objects.select_related("processor_account").get(pk=payment_id)
    if payment.status in (Status.PAID, Status.REFUNDED):
        return "settled"
    account = payment.processor_account
    if account is None or not payment.is_online:
        return "unknown"
    try:
        result = processor_for(account).query(payment)
    except ProcessorError as exc:
        result = StatusResult(outcome=Outcome.UNKNOWN, message=exc.message)
    try:
        return _apply_confirmation(payment_id, result, source=source, receipt=receipt)
    except Conflict as exc:  # the receipt belongs to another payment: a person must look
        payment = Payment.objects.get(pk=payment_id)
        payment_mark_needs_review(payment=payment, reason=exc.message, source=source)
        return "review"


@transaction.atomic
def _apply_confirmation(payment_id: int, result: StatusResult, *, source: str, receipt: str) -> str:
    now = timezone.now()
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    Payment.objects.filter(pk=payment.pk).update(
        last_checked_at=now, check_count=min(payment.check_count + 1, 32000)
    )
    if payment.status in (Status.PAID, Status.REFUNDED):
        return "settled"
    if result.outcome == Outcome.PAID:
        problem = _paid_result_problem(payment, result)
        if problem:
            payment_mark_needs_review(
                payment=payment, reason=problem, source=source, payload=result.payload
            )
            return "review"
        payment_mark_paid(
            payment=payment,
            source=source,
            receipt=result.receipt or receipt,
            paid_at=result.paid_at,
            processor_reference=result.processor_reference
            if payment.processor == Payment.Processor.PAYSTACK
            else "",
            message=_("Confirmed by %(p)s") % {"p": payment.get_processor_display()},
            payload=result.payload,
        )
        return "paid"
    if result.outcome in (Outcome.FAILED, Outcome.CANCELLED):
        payment_apply_result(payment=payment, result=result, source=source)
        return result.outcome.value
    event_record(payment=payment, kind=source, message=result.message, payload=result.payload)
    return "pending" if result.outcome == Outcome.PENDING else "unknown"


def _paid_result_problem(payment: Payment, result: StatusResult) -> str:
    if payment.processor != Payment.Processor.PAYSTACK:
        return ""  # an STK query confirms the request we made, for the amount we set
    if result.amount != payment.amount or result.currency != payment.currency:
        return _(
            "Paystack reports %(amount)s %(currency)s paid, but %(asked)s %(asked_currency)s was asked."
        ) % {
            "amount": result.amount,
            "currency": result.currency or "?",
            "asked": payment.amount,
            "asked_currency": payment.currency,
        }
    return ""


def payment_reconcile(*, payment_id: int) -> str:
    """Settle a payment whose callback has not come: query, then settle or flag for review."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.status not in (Status.PENDING, Status.NEEDS_REVIEW) or not payment.is_online:
        return "settled"
    outcome = payment_confirm(payment_id=payment_id, source=PaymentEvent.Kind.QUERY)
    if outcome not in ("pending", "unknown"):
        return outcome
    payment.refresh_from_db()
    if payment.status != Status.PENDING:
        return outcome
    age = timezone.now() - payment.created_at
    if payment.processor == Payment.Processor.PAYSTACK:
        # An open Paystack checkout may take the payer a while; an hour is plenty.
        if outcome == "pending" and age < PAYSTACK_ABANDON_AFTER:
            return "pending"
        if outcome == "pending" or (
            outcome == "unknown" and payment.processor_request_id and age >= PAYSTACK_ABANDON_AFTER
        ):
            payment_mark_failed(
                payment=payment,
                source=PaymentEvent.Kind.QUERY,
                status=Status.CANCELLED,
                code="abandoned",
                message=_("The payer did not finish paying within an hour."),
            )
            return "cancelled"
    if not payment.processor_reference and payment.processor == Payment.Processor.MPESA:
        reason = _(
            "M-Pesa never confirmed it received this request. Check your M-Pesa statement "
            "before settling it."
        )
    else:
        reason = _("The processor could not say how this payment ended: %(m)s") % {
            "m": _last_query_message(payment)
        }
    payment_mark_needs_review(payment=payment, reason=reason, source=PaymentEvent.Kind.QUERY)
    return "review"


def _last_query_message(payment: Payment) -> str:
    event = payment.events.filter(kind=PaymentEvent.Kind.QUERY).order_by("-id").first()
    return event.message if event else _("no answer")


def payments_due_for_reconciliation(*, now=None, limit: int = 500) -> list[tuple[int, int]]:
    """(org id, payment id) of online payments to query now, across all organisations.

    Pending payments older than ``BILLING_RECONCILE_AFTER_SECONDS``; payments
    flagged for review keep being re-queried (less often) for a day, so a late
    answer still settles them.
    """
    from django.db.models import Q

    from accounts.tenancy import all_tenants

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.BILLING_RECONCILE_AFTER_SECONDS)
    with all_tenants():
        rows = (
            Payment.objects.filter(processor__in=Payment.ONLINE_PROCESSORS)
            .filter(
                Q(status=Status.PENDING, created_at__lte=cutoff)
                & (
                    Q(last_checked_at__isnull=True)
                    | Q(last_checked_at__lte=now - timedelta(minutes=1))
                )
                | Q(
                    status=Status.NEEDS_REVIEW,
                    created_at__gte=now - REVIEW_REQUERY_FOR,
                    last_checked_at__lte=now - timedelta(minutes=15),
                )
            )
            .order_by("created_at")
            .values_list("organization_id", "pk")[:limit]
        )
        return list(rows)
