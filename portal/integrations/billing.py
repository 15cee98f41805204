"""Payments for purchases, their state and fulfilment (billing app)."""

from __future__ import annotations

from dataclasses import dataclass

from nettportal.errors import ApplicationError, ValidationFailed


def processor_hosts(methods: tuple[str, ...]) -> tuple[str, ...]:
    """Extra walled-garden hosts billing's processors need for ``methods``."""
    return ()


class PaymentNotStarted(ApplicationError):
    """The processor refused or did not answer; ``payment`` is the row billing left behind."""

    code = "payment_not_started"
    status = 502

    def __init__(self, message: str, *, payment=None):
        super().__init__(message)
        self.payment = payment


def payment_methods(page) -> tuple[str, ...]:
    """How this page's customers can pay: what the page offers and billing has set up."""
    from billing.services.online import account_for

    methods = []
    for method, offered in (("mpesa", page.offer_mpesa), ("paystack", page.offer_paystack)):
        if not offered:
            continue
        if method == "mpesa" and page.organization.currency != "KES":
            continue  # STK Push charges Kenyan shillings only
        try:
            account_for(method)
        except ValidationFailed:
            continue
        methods.append(method)
    return tuple(methods)


def payment_start(*, config, purchase, package, customer):
    """Start the payment of ``purchase`` with billing; raises PaymentNotStarted or ValidationFailed."""
    from billing.services.online import (
        PaymentStartFailed,
        mpesa_payment_start,
        paystack_payment_start,
    )

    router_label = purchase.router.name if purchase.router_id else ""
    description = f"{package.name} — {config.title}"[:120]
    try:
        if purchase.method == "mpesa":
            return mpesa_payment_start(
                organization=config.organization,
                phone=purchase.phone,
                amount=package.price,
                description=description,
                purpose="portal_purchase",
                purpose_ref=str(purchase.pk),
                customer=customer,
                router_label=router_label,
            )
        return paystack_payment_start(
            organization=config.organization,
            email=purchase.email,
            amount=package.price,
            currency=config.organization.currency,
            description=description,
            purpose="portal_purchase",
            purpose_ref=str(purchase.pk),
            customer=customer,
            router_label=router_label,
        )
    except PaymentStartFailed as error:
        raise PaymentNotStarted(error.message, payment=error.payment) from None


def fulfilment_register(handler) -> None:
    from billing import fulfilment

    fulfilment.register("portal_purchase", handler, label="Landing-page purchase")


def fulfilment_retry(message: str) -> Exception:
    from billing.fulfilment import FulfilmentRetry

    return FulfilmentRetry(message)


@dataclass(frozen=True)
class PaymentState:
    status: str  # billing's payment status
    failure_message: str = ""
    fulfilment: str = ""  # "", "pending", "done", "failed"
    fulfilment_attempts: int = 0
    processor_receipt: str = ""
    redirect_url: str = ""
    seconds_waiting: int = 0


def payment_state(purchase) -> PaymentState | None:
    from django.utils import timezone

    from billing.models import Fulfilment, Payment

    payment = (
        Payment.objects.filter(pk=purchase.payment_id).first() if purchase.payment_id else None
    )
    if payment is None:
        return None
    fulfilment = Fulfilment.objects.filter(payment=payment).only("status", "attempts").first()
    return PaymentState(
        status=payment.status,
        failure_message=payment.failure_message,
        fulfilment=fulfilment.status if fulfilment else "",
        fulfilment_attempts=fulfilment.attempts if fulfilment else 0,
        processor_receipt=payment.processor_receipt,
        redirect_url=payment.redirect_url,
        seconds_waiting=int((timezone.now() - payment.created_at).total_seconds()),
    )


def payment_check_now(purchase) -> None:
    """Ask the processor how the payment stands (the buyer says "I have paid")."""
    from billing.services.online import payment_confirm

    if purchase.payment_id:
        payment_confirm(payment_id=purchase.payment_id)


def purchase_by_payment_reference(*, channel: str, contact: str, reference: str):
    """The fulfilled purchase paid by ``contact`` whose payment has ``reference``.

    The reference may be the M-Pesa receipt (``QKH3ABC123``), our payment
    reference (``NP…``, also Paystack's reference) or Paystack's transaction id.
    """
    from django.db.models import Q

    from portal.models import PortalPurchase

    reference = "".join((reference or "").split()).upper()
    if not reference or len(reference) > 100:
        return None
    who = Q(phone=contact) if channel == "sms" else Q(email__iexact=contact)
    return (
        PortalPurchase.objects.filter(who, status=PortalPurchase.Status.FULFILLED)
        .filter(
            Q(payment__processor_receipt__iexact=reference)
            | Q(payment__reference__iexact=reference)
            | Q(payment__processor_reference__iexact=reference)
        )
        .select_related("voucher")
        .order_by("-created_at")
        .first()
    )
