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
