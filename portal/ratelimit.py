"""Counting failed guesses on the shared cache, with lockouts that say when to retry.

Failures are counted per identity (the device's MAC from the hand-off, the
client IP the request came from) in fixed windows. Reaching a limit locks that
identity out; each further lockout within a day doubles in length. The cache
is the real one (Redis in production, the database cache otherwise), so every
web worker sees the same counts. Keys hold HMACs, not MACs or IPs.

The MAC comes from the hand-off, which anyone can rewrite; the IP limit is
the one an attacker cannot dodge, and is looser because a whole hotspot can
share one public address.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache

DAY = 24 * 3600


@dataclass(frozen=True)
class Rule:
    scope: str
    limit: int
    window: int
    lockout: int


@dataclass(frozen=True)
class Lockout:
    scope: str
    until: float  # epoch seconds

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.until - time.time()))

    @property
    def retry_at(self) -> datetime:
        return datetime.fromtimestamp(self.until, tz=UTC)

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


def _digest(value: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


class GuessLimiter:
    def __init__(self, name: str, rules: tuple[Rule, ...]):
        self.name = name
        self.rules = {rule.scope: rule for rule in rules}

    def _key(self, kind: str, scope: str, value: str) -> str:
        return f"portal:rl:{self.name}:{kind}:{scope}:{_digest(value)}"

    def _present(self, identities: dict[str, str]):
        for scope, value in identities.items():
            if value and scope in self.rules:
                yield self.rules[scope], value

    def lockout(self, identities: dict[str, str]) -> Lockout | None:
        """The longest running lockout among ``identities`` ({scope: value}), if any."""
        return self.check(identities)[0]

    def check(self, identities: dict[str, str]) -> tuple[Lockout | None, set[str]]:
        """(longest running lockout, scopes with failures counted) in one cache round trip."""
        locks, counts = {}, {}
        for rule, value in self._present(identities):
            locks[self._key("lock", rule.scope, value)] = rule.scope
            counts[self._key("count", rule.scope, value)] = rule.scope
        if not locks:
            return None, set()
        found = cache.get_many([*locks, *counts])
        now = time.time()
        running = [
            Lockout(locks[key], until)
            for key, until in found.items()
            if key in locks and until > now
        ]
        counted = {counts[key] for key, count in found.items() if key in counts and count}
        return (max(running, key=lambda lock: lock.until) if running else None), counted

    def fail(self, identities: dict[str, str]) -> Lockout | None:
        """Count one failure for each identity; returns the lockout it caused, if any."""
        caused = []
        for rule, value in self._present(identities):
            count_key = self._key("count", rule.scope, value)
            cache.add(count_key, 0, rule.window)
            try:
                count = cache.incr(count_key)
            except ValueError:  # the window ended between add and incr
                cache.set(count_key, 1, rule.window)
                count = 1
            if count >= rule.limit:
                caused.append(self._lock(rule, value))
                cache.delete(count_key)
        return max(caused, key=lambda lock: lock.until) if caused else None

    def _lock(self, rule: Rule, value: str) -> Lockout:
        strikes_key = self._key("strikes", rule.scope, value)
        cache.add(strikes_key, 0, DAY)
        try:
            strikes = cache.incr(strikes_key)
        except ValueError:
            strikes = 1
        seconds = min(rule.lockout * 2 ** (strikes - 1), DAY)
        until = time.time() + seconds
        cache.set(self._key("lock", rule.scope, value), until, seconds)
        return Lockout(rule.scope, until)

    def reset(self, identities: dict[str, str]) -> None:
        """Forget the failure counts (not lockouts) of ``identities``, e.g. after a success."""
        cache.delete_many(
            [self._key("count", rule.scope, value) for rule, value in self._present(identities)]
        )


def voucher_limiter() -> GuessLimiter:
    return GuessLimiter(
        "voucher",
        (
            Rule(
                "mac",
                settings.PORTAL_GUESSES_PER_DEVICE,
                settings.PORTAL_GUESS_WINDOW,
                settings.PORTAL_LOCKOUT_SECONDS,
            ),
            Rule(
                "ip",
                settings.PORTAL_GUESSES_PER_IP,
                settings.PORTAL_GUESS_WINDOW,
                settings.PORTAL_LOCKOUT_SECONDS,
            ),
        ),
    )


def recovery_limiter() -> GuessLimiter:
    """Voucher recovery (phone + payment reference) and one-time codes: stricter."""
    return GuessLimiter(
        "recover",
        (
            Rule("mac", 5, 3600, settings.PORTAL_LOCKOUT_SECONDS),
            Rule("ip", 20, 3600, settings.PORTAL_LOCKOUT_SECONDS),
            Rule("contact", 5, 3600, settings.PORTAL_LOCKOUT_SECONDS),
        ),
    )
