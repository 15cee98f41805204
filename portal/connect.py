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
# Refusals that count towards the guess limit (a valid code for another network does not).
GUESS_OUTCOMES = frozenset(
    {"wrong_code", "used_code", "expired_code", "revoked_code", "code_refused"}
)


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
        return self.status in GUESS_OUTCOMES


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
    if router_id is None:
        return LoginOutcome("no_router")
    use_api = config.login_method == "auto" and handoff.has_device
    if not use_api and not handoff.can_hand_back:
        return LoginOutcome("no_device")
    redemption = integrations.voucher_redeem(
        config=config,
        code=code,
        router_id=router_id,
        mac=handoff.mac,
        ip=handoff.ip,
        login=use_api,
    )
    if not redemption.ok:
        return LoginOutcome(redemption.error)
    return after_redemption(handoff=handoff, redemption=redemption)


def after_redemption(*, handoff: Handoff, redemption) -> LoginOutcome:
    """Online already, or hand the device back to its router, or at least show the code."""
    if redemption.logged_in:
        return LoginOutcome("online", code=redemption.display_code)
    if redemption.login_error:
        logger.info("portal: API login refused after redemption; handing back to the router")
    if handoff.can_hand_back and redemption.username:
        return LoginOutcome(
            "handoff",
            code=redemption.display_code,
            redirect_url=hand_back_url(
                handoff, username=redemption.username, password=redemption.password
            ),
        )
    # Redeemed, but the device cannot be logged in from here: show the code so the
    # customer can type it on the router's own page.
    return LoginOutcome("redeemed", code=redemption.display_code)
