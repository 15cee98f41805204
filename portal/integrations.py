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
    return []


def router_identity(router) -> str:
    return ""


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
