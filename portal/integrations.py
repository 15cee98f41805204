"""The portal's doorway to the other apps (routers, vouchers, billing, customers, privacy).

The landing page sells packages, redeems vouchers, logs devices in on routers
and takes payments, but owns none of these: it calls the owning app's
services and selectors from here, so the coupling is in one file and every
other portal module speaks in portal terms.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.pagecache import PackageOption


def package_options(page) -> list[PackageOption]:
    """The packages ``page`` sells, cheapest first (none until vouchers has packages)."""
    return []


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
    error: str = ""  # a notice code when not ok
    username: str = ""
    password: str = ""
    display_code: str = ""


def voucher_redeem(*, code: str, router_id, mac: str, ip: str) -> Redemption:
    """Redeem a voucher of the active organisation for a device (vouchers app)."""
    raise NotImplementedError("vouchers.voucher_redeem is not available on this branch yet")


def router_login(*, router_id, username: str, password: str, ip: str, mac: str) -> str:
    """Log a device in through the router's API; "ok" or a short failure kind."""
    raise NotImplementedError("routers' Router model is not available on this branch yet")


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
