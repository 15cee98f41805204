"""Packages on sale, redeeming vouchers and issuing them for payments (vouchers app)."""

from __future__ import annotations

from dataclasses import dataclass

from nettportal.errors import ValidationFailed
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


def _router(config, router_id):
    """The page's router, from the cached page config (no query per redemption)."""
    return config.routers.get(router_id)


def voucher_redeem(*, config, code: str, router_id, mac: str, ip: str, login: bool) -> Redemption:
    """Redeem a voucher of the page's organisation on the device's router (vouchers app).

    A code already in use on this router logs the device in again (a customer
    coming back with the same voucher), when the API login is possible.
    """
    from vouchers.services import RouterUnavailable, VoucherNotRedeemable
    from vouchers.services import voucher_redeem as redeem

    router = _router(config, router_id)
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
