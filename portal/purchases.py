"""Buying a package on the landing page: pay, get a voucher, get online.

1. :func:`purchase_start` records the purchase (with the device's hand-off)
   and asks billing to start the payment (M-Pesa STK Push or a Paystack
   checkout) with ``purpose="portal_purchase"``.
2. Billing settles the payment (callback, webhook, status query or
   reconciliation) and runs the fulfilment registered for that purpose,
   :func:`fulfil_purchase`, exactly once, in its transaction.
3. The fulfilment issues the voucher for the payment (idempotent per payment
   reference), redeems it on the device's router and logs the device in. If
   the router does not answer it asks billing to retry later; after
   ``PORTAL_ROUTER_GRACE_SECONDS`` it delivers the code anyway, so nobody
   pays without getting access. The code is shown on the waiting page and
   sent by SMS/email.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nettportal.errors import ApplicationError, ValidationFailed
from portal import integrations
from portal.handoff import Handoff
from portal.models import PortalPurchase

logger = logging.getLogger(__name__)
PURPOSE = "portal_purchase"


@transaction.atomic
def _purchase_create(
    *, config, handoff: Handoff, package, method, phone, email, router_id, customer
):
    return PortalPurchase.objects.create(
        organization=config.organization,
        page_id=config.id,
        package=package,
        package_name=package.name[:80],
        router_id=router_id,
        customer=customer,
        method=method,
        language=config.language,
        phone=phone,
        email=email,
        device_mac=handoff.mac,
        device_ip=handoff.ip or None,
        link_login_only=handoff.link_login_only,
        link_orig=handoff.link_orig,
        chap_id=handoff.chap_id,
        chap_challenge=handoff.chap_challenge,
    )


def purchase_start(
    *, config, handoff: Handoff, package, method: str, phone: str = "", email: str = ""
) -> PortalPurchase:
    """Record the purchase and start its payment; raises ApplicationError with a message.

    Not one transaction: the purchase is committed before billing calls the
    processor, and billing commits its payment before the network call, so a
    processor that does not answer leaves both rows pending, never half-written.
    """
    from portal.connect import router_for

    if method not in config.payment_methods:
        raise ValidationFailed(_("Choose a way to pay."), field="method")
    phone = integrations.clean_phone(phone, region=config.organization.country) if phone else ""
    email = (email or "").strip().lower()
    if method == PortalPurchase.Method.MPESA and not phone:
        raise ValidationFailed(_("Enter the M-Pesa phone number to pay with."), field="phone")
    if method == PortalPurchase.Method.PAYSTACK and not email:
        raise ValidationFailed(_("Enter your email address for the card payment."), field="email")
    customer = integrations.customer_for_phone(config=config, phone=phone) if phone else None
    purchase = _purchase_create(
        config=config,
        handoff=handoff,
        package=package,
        method=method,
        phone=phone,
        email=email,
        router_id=router_for(config, handoff),
        customer=customer,
    )
    try:
        payment = integrations.payment_start(
            config=config, purchase=purchase, package=package, customer=customer
        )
    except integrations.PaymentNotStarted as error:
        _purchase_failed(purchase, error.message, payment=error.payment)
        raise
    except ApplicationError as error:
        _purchase_failed(purchase, error.message)
        raise
    PortalPurchase.objects.filter(pk=purchase.pk).update(payment=payment)
    purchase.payment = payment
    return purchase


def _purchase_failed(purchase: PortalPurchase, message: str, payment=None) -> None:
    PortalPurchase.objects.filter(pk=purchase.pk, status=PortalPurchase.Status.PENDING).update(
        status=PortalPurchase.Status.FAILED, failure_message=message[:300], payment=payment
    )


def fulfil_purchase(payment) -> dict:
    """Billing's fulfilment handler for ``portal_purchase`` payments (runs once, in its transaction)."""
    purchase = (
        PortalPurchase.objects.select_for_update(of=("self",))
        .select_related("package", "router", "page")
        .filter(pk=int(payment.purpose_ref or 0), payment=payment)
        .first()
    )
    if purchase is None:
        raise ValidationFailed("No landing-page purchase for this payment.")
    if purchase.status == PortalPurchase.Status.FULFILLED and purchase.voucher_id:
        return _result(purchase)
    if purchase.package is None:
        raise ValidationFailed("The package of this purchase was deleted.")
    voucher = integrations.voucher_for_payment(payment=payment, package=purchase.package)
    access = PortalPurchase.Access.CODE_ONLY
    if purchase.router is not None:
        handoff = purchase_handoff(purchase)
        outcome = integrations.voucher_redeem_for_purchase(
            purchase=purchase, voucher=voucher, handoff=handoff
        )
        if outcome == "router_offline" and not _grace_over(payment):
            raise integrations.fulfilment_retry(_("The Wi-Fi router is not answering yet."))
        access = {
            "online": PortalPurchase.Access.ONLINE,
            "redeemed": PortalPurchase.Access.HANDOFF
            if handoff.can_hand_back
            else PortalPurchase.Access.CODE_ONLY,
        }.get(outcome, PortalPurchase.Access.CODE_ONLY)
    purchase.voucher = voucher
    purchase.status = PortalPurchase.Status.FULFILLED
    purchase.access = access
    purchase.fulfilled_at = timezone.now()
    purchase.save(update_fields=["voucher", "status", "access", "fulfilled_at", "updated_at"])
    if purchase.customer_id and purchase.device_mac:
        integrations.customer_device_remember(customer=purchase.customer, mac=purchase.device_mac)
    _send_code(purchase, voucher)
    logger.info("portal purchase %s fulfilled (%s)", purchase.pk, access or "code")
    return _result(purchase)


def _grace_over(payment) -> bool:
    paid_at = payment.paid_at or payment.created_at
    return (timezone.now() - paid_at).total_seconds() >= settings.PORTAL_ROUTER_GRACE_SECONDS


def _result(purchase: PortalPurchase) -> dict:
    return {
        "voucher_id": purchase.voucher_id,
        "portal_purchase_id": purchase.pk,
        "access": purchase.access,
        "display": {"label": "Your Wi-Fi voucher", "value": purchase.voucher.code},
    }


def _send_code(purchase: PortalPurchase, voucher) -> None:
    from nettportal.mail import send_email
    from nettportal.sms import send_sms

    organization = purchase.organization
    with translation.override(purchase.language):
        if purchase.phone:
            send_sms(
                to=purchase.phone,
                body=_("%(name)s Wi-Fi: your code is %(code)s (%(package)s). Keep it to reconnect.")
                % {
                    "name": organization.name,
                    "code": voucher.code,
                    "package": purchase.package_name,
                },
            )
        if purchase.email:
            send_email(
                to=purchase.email,
                template="portal_voucher",
                context={
                    "operator": organization.name,
                    "code": voucher.code,
                    "package": purchase.package_name,
                    "reference": purchase.payment.reference if purchase.payment_id else "",
                },
            )


def purchase_handoff(purchase: PortalPurchase) -> Handoff:
    return Handoff(
        mac=purchase.device_mac,
        ip=purchase.device_ip or "",
        link_login_only=purchase.link_login_only,
        link_orig=purchase.link_orig,
        chap_id=purchase.chap_id,
        chap_challenge=purchase.chap_challenge,
    )


def purchase_for_token(*, config, token: str) -> PortalPurchase | None:
    if not token or len(token) > 40:
        return None
    return (
        PortalPurchase.objects.select_related("voucher", "payment")
        .filter(token=token, page_id=config.id)
        .first()
    )


def purchase_recover(*, config, contact: str, reference: str) -> PortalPurchase | None:
    """A fulfilled purchase of this page's organisation paid by ``contact`` with ``reference``."""
    from portal.datarequests import clean_contact

    channel, value = clean_contact(contact, region=config.organization.country)
    return integrations.purchase_by_payment_reference(
        channel=channel, contact=value, reference=reference
    )
