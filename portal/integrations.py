"""The portal's doorway to the other apps (routers, vouchers, billing, customers, privacy).

The landing page sells packages, redeems vouchers, logs devices in on routers
and takes payments, but owns none of these: it calls the owning app's
services and selectors from here, so the coupling is in one file and every
other portal module speaks in portal terms.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from nettportal.errors import ApplicationError, ValidationFailed
from portal.pagecache import PackageOption


def _packages_of(page):
    from vouchers.models import Package

    return Package.objects.filter(
        pk__in=page.package_links.values("package_id"), is_active=True
    ).order_by("price", "name")


def package_options(page) -> list[PackageOption]:
    """The active packages ``page`` sells, cheapest first, described in the page's language."""
    from django.utils import translation

    from vouchers.formatting import money

    currency = page.organization.currency
    with translation.override(page.language):
        return [
            PackageOption(
                id=package.pk,
                name=package.name,
                price=money(package.price, currency),
                description=package.description or describe_package(package),
            )
            for package in _packages_of(page)
        ]


def describe_package(package) -> str:
    """``1 day · 2 GB · 5 Mbit/s`` in the active language."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from vouchers.formatting import data_amount, rate_bits

    parts = []
    for value in (package.validity, package.time_limit):
        if value:
            seconds = int(value.total_seconds())
            days, rest = divmod(seconds, 86400)
            hours, rest = divmod(rest, 3600)
            minutes = rest // 60
            if days:
                parts.append(ngettext("%(n)s day", "%(n)s days", days) % {"n": days})
            if hours:
                parts.append(ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours})
            if minutes and not days:
                parts.append(ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes})
            break
    if package.data_limit_bytes:
        parts.append(data_amount(package.data_limit_bytes))
    if package.rate_limit:
        try:
            down = rate_bits(package.rate_limit.split()[0].split("/")[-1])
            parts.append(_("%(n)s Mbit/s") % {"n": f"{down / 10**6:g}"})
        except ValueError:
            pass
    return " · ".join(parts)


def package_choices():
    """Active packages the builder can put on a page."""
    from vouchers.models import Package

    return Package.objects.filter(is_active=True).order_by("price", "name")


def package_for_sale(config, package_id):
    """The package ``package_id`` if the page sells it and it is still active, else None."""
    from vouchers.models import Package

    if config.package(package_id) is None:
        return None
    return Package.objects.filter(pk=package_id, is_active=True).first()


def page_routers(page) -> list:
    """The routers whose hotspot uses ``page``."""
    from routers.models import Router

    return list(
        Router.objects.filter(pk__in=page.router_links.values("router_id"))
        .order_by("name")
        .only("id", "name", "identity", "site", "status")
    )


def router_choices():
    from routers.selectors import routers_for_choice

    return routers_for_choice()


def router_names(router) -> list[str]:
    """Names the router may send as ``$(identity)``: its polled identity, then its name here."""
    return [name.strip() for name in (router.identity, router.name) if name and name.strip()]


def processor_hosts(methods: tuple[str, ...]) -> tuple[str, ...]:
    """Extra walled-garden hosts billing's processors need for ``methods``."""
    return ()


@dataclass(frozen=True)
class Redemption:
    ok: bool
    error: str = ""  # a notice code (portal.notices) when not ok
    username: str = ""
    password: str = ""
    display_code: str = ""
    logged_in: bool = False
    login_error: str = ""


# The vouchers service explains a refusal in English words for the customer; the
# landing page speaks the page's language, so it maps them to its own notices.
# An error carrying a ``reason`` attribute is trusted first.
_REFUSALS = (
    ("That is not a voucher code", "wrong_code"),
    ("We do not know this code", "wrong_code"),
    ("This code has already been used", "used_code"),
    ("This code's time or data is used up", "used_code"),
    ("This code has expired", "expired_code"),
    ("This code is no longer valid", "revoked_code"),
    ("The package of this code is no longer sold", "package_withdrawn"),
    ("This code cannot be used on this Wi-Fi network", "wrong_network"),
    ("This device still has time left", "time_left"),
)


def refusal_reason(error) -> str:
    reason = getattr(error, "reason", "")
    if reason:
        return reason
    message = getattr(error, "message", str(error))
    for prefix, code in _REFUSALS:
        if message.startswith(prefix):
            return code
    return "code_refused"


def _router(router_id):
    from routers.models import Router

    return Router.objects.filter(pk=router_id).first()


def voucher_redeem(*, config, code: str, router_id, mac: str, ip: str, login: bool) -> Redemption:
    """Redeem a voucher of the page's organisation on the device's router (vouchers app).

    A code already in use on this router logs the device in again (a customer
    coming back with the same voucher), when the API login is possible.
    """
    from vouchers.services import RouterUnavailable, VoucherNotRedeemable
    from vouchers.services import voucher_redeem as redeem

    router = _router(router_id)
    if router is None:
        return Redemption(False, "no_router")
    try:
        result = redeem(
            organization=config.organization,
            code=code,
            router=router,
            mac=mac or None,
            ip=ip or None,
            login=login,
            via="portal",
        )
    except VoucherNotRedeemable as error:
        reason = refusal_reason(error)
        if reason == "used_code" and login and error.message.startswith(_REFUSALS[2][0]):
            return _login_again(config=config, code=code, router=router, mac=mac, ip=ip)
        return Redemption(False, reason)
    except RouterUnavailable:
        return Redemption(False, "router_offline")
    except ValidationFailed:
        return Redemption(False, "no_device")
    return Redemption(
        True,
        username=result.username,
        password=result.password,
        display_code=result.voucher.code,
        logged_in=result.logged_in,
        login_error=result.login_error,
    )


def _login_again(*, config, code, router, mac, ip) -> Redemption:
    from vouchers.services import RouterUnavailable, VoucherNotRedeemable, voucher_login

    try:
        voucher = voucher_login(
            organization=config.organization, code=code, router=router, mac=mac, ip=ip
        )
    except VoucherNotRedeemable:
        return Redemption(False, "used_code")
    except RouterUnavailable:
        return Redemption(False, "router_offline")
    return Redemption(True, username=voucher.code, display_code=voucher.code, logged_in=True)


# --- customers and privacy ---------------------------------------------------------------


def customer_for_contact(*, channel: str, contact: str) -> int | None:
    """The id of the active organisation's customer with this phone or email, if any."""
    from customers.models import Customer

    field = "phone" if channel == "sms" else "email__iexact"
    return (
        Customer.objects.filter(**{field: contact})
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def send_one_time_code(*, config, channel: str, contact: str, code: str) -> None:
    """Send a data-request code to the customer's phone or email on file, in the page's language."""
    from django.utils.translation import gettext as _

    from nettportal.mail import send_email
    from nettportal.sms import send_sms

    if channel == "sms":
        send_sms(
            to=contact,
            body=_("%(code)s is your code to confirm your data request to %(name)s.")
            % {"code": code, "name": config.organization_name},
        )
    else:
        send_email(
            to=contact,
            template="portal_data_request_code",
            context={"code": code, "operator": config.organization_name},
        )


def privacy_request_submit(*, config, pending):
    """Put a verified request in the operator's privacy queue; returns its reference."""
    from privacy.models import PrivacyRequest
    from privacy.services.requests import privacy_request_create

    return privacy_request_create(
        organization=config.organization,
        kind=pending.kind,
        requester_name=pending.name,
        requester_email=pending.contact if pending.channel == "email" else "",
        requester_phone=pending.contact if pending.channel == "sms" else "",
        message=pending.message,
        source=PrivacyRequest.Source.LANDING_PAGE,
        customer_ref=str(pending.customer_id or ""),
    )


# --- buying on the page: customers, billing, vouchers ------------------------------------------


class PaymentNotStarted(ApplicationError):
    """The processor refused or did not answer; ``payment`` is the row billing left behind."""

    code = "payment_not_started"
    status = 502

    def __init__(self, message: str, *, payment=None):
        super().__init__(message)
        self.payment = payment


def clean_phone(raw: str, *, region: str) -> str:
    from django.core.exceptions import ValidationError

    from nettportal.phones import normalize_phone

    try:
        return normalize_phone(raw, region)
    except ValidationError as error:
        raise ValidationFailed(error.messages[0], field="phone") from None


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


def customer_for_phone(*, config, phone: str):
    """The operator's customer with this phone, created as a hotspot customer when new."""
    from customers.models import Customer
    from customers.services.customers import customer_get_or_create_by_phone

    customer, _created = customer_get_or_create_by_phone(
        organization=config.organization, phone=phone, source=Customer.Source.PORTAL
    )
    return customer


def customer_device_remember(*, customer, mac: str) -> None:
    from customers.services.customers import customer_device_add

    # A MAC the customers app does not accept is not worth failing a delivery for.
    with contextlib.suppress(ValidationFailed):
        customer_device_add(customer=customer, mac_address=mac)


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


def voucher_for_payment(*, payment, package):
    from vouchers.services import voucher_issue_for_payment

    return voucher_issue_for_payment(
        organization=payment.organization,
        package=package,
        payment_reference=payment.reference,
        price=payment.amount,
        currency=payment.currency,
    )


def voucher_redeem_for_purchase(*, purchase, voucher, handoff) -> str:
    """Put a bought voucher on the buyer's router: "online", "redeemed", or a refusal code."""
    from vouchers.services import RouterUnavailable, VoucherNotRedeemable
    from vouchers.services import voucher_redeem as redeem

    login = handoff.has_device and (purchase.page is None or purchase.page.login_method == "auto")
    try:
        result = redeem(
            organization=purchase.organization,
            code=voucher.code,
            router=purchase.router,
            mac=handoff.mac or None,
            ip=handoff.ip or None,
            login=login,
            via="portal",
        )
    except RouterUnavailable:
        return "router_offline"
    except VoucherNotRedeemable as error:
        return refusal_reason(error)
    except ValidationFailed:
        return "no_device"
    return "online" if result.logged_in else "redeemed"


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
