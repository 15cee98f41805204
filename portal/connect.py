"""Getting a device online with a voucher: redeem, then log in on the router.

Not one transaction on purpose: the voucher is redeemed (the vouchers
service commits that on its own, race-safe), then the router is asked over
its API to log the device in — network I/O that must not hold a database
transaction open. When the API login is not possible (no router identified,
router unreachable, or the page asks for it) the device is handed back to the
router's own login page with the CHAP response computed here (or PAP).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from portal import integrations
from portal.handoff import Handoff, hand_back_url

logger = logging.getLogger(__name__)
_NOT_CODE = re.compile(r"[^0-9A-Za-z]")
MAX_CODE_CHARS = 40


@dataclass(frozen=True)
class LoginOutcome:
    status: str  # "online", "handoff", or a notice code (portal.notices)
    code: str = ""
    redirect_url: str = ""

    @property
    def is_success(self) -> bool:
        return self.status in ("online", "handoff", "redeemed")

    @property
    def counts_as_guess(self) -> bool:
        return self.status in ("wrong_code", "used_code", "expired_code", "revoked_code")


def normalize_code(raw: str) -> str:
    """``net-1234 abcd`` → ``NET1234ABCD``: case and separators never matter."""
    return _NOT_CODE.sub("", (raw or "")[: MAX_CODE_CHARS * 2]).upper()[:MAX_CODE_CHARS]


def router_for(config, handoff: Handoff):
    """The page's router the device is behind: by the identity the router sent, or the only one."""
    if handoff.identity:
        router_id = config.router_identities.get(handoff.identity.lower())
        if router_id is not None:
            return router_id
    if len(config.router_ids) == 1:
        return config.router_ids[0]
    return None


def voucher_login(*, config, handoff: Handoff, code: str) -> LoginOutcome:
    """Redeem ``code`` (already normalised) for the device in ``handoff`` and log it in."""
    router_id = router_for(config, handoff)
    can_use_api = config.login_method == "auto" and router_id is not None and handoff.has_device
    if not can_use_api and not handoff.can_hand_back:
        return LoginOutcome("no_device")

    redemption = integrations.voucher_redeem(
        code=code, router_id=router_id, mac=handoff.mac, ip=handoff.ip
    )
    if not redemption.ok:
        return LoginOutcome(redemption.error)
    return device_login(
        config=config,
        handoff=handoff,
        router_id=router_id,
        username=redemption.username,
        password=redemption.password,
        display_code=redemption.display_code,
    )


def device_login(
    *, config, handoff: Handoff, router_id, username: str, password: str, display_code: str
) -> LoginOutcome:
    """Log the device in with credentials that are already valid on the router."""
    if config.login_method == "auto" and router_id is not None and handoff.has_device:
        result = integrations.router_login(
            router_id=router_id,
            username=username,
            password=password,
            ip=handoff.ip,
            mac=handoff.mac,
        )
        if result == "ok":
            return LoginOutcome("online", code=display_code)
        logger.info("portal: API login failed on router %s (%s); handing back", router_id, result)
    if handoff.can_hand_back:
        return LoginOutcome(
            "handoff",
            code=display_code,
            redirect_url=hand_back_url(handoff, username=username, password=password),
        )
    # Redeemed, but we cannot reach the device's router right now: show the
    # code so the customer can type it on the router's own page.
    return LoginOutcome("redeemed", code=display_code)
