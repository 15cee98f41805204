"""One simulated MikroTik hotspot router: its menus, its users' lives, its faults.

State changes only through :meth:`SimRouter.execute` (an API command) or the
Python methods tests call (:meth:`advance`, :meth:`reboot`, :meth:`login`…),
always under ``self.lock`` because the API server runs in another thread.
Time is ``clock() + offset``: :meth:`advance` moves one router forward so a
test can watch bytes grow and limits end sessions without sleeping.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from ipaddress import IPv4Address

from routers.simulator.query import compile_query
from routers.simulator.values import (
    format_bool,
    format_datetime,
    format_duration,
    parse_bool,
    parse_duration,
    version_tuple,
)

# State advances in steps of at least this much real time, so the several
# commands of one poll cost one step, not one each.
TICK_SECONDS = 0.5


class CommandError(Exception):
    """Answered with ``!trap`` (RouterOS categories: 0 missing item/command,
    1 bad argument, 2 interrupted, 4 general failure, 5 API failure)."""

    def __init__(self, message: str, category: int | None = None):
        super().__init__(message)
        self.message = message
        self.category = category


class MultiCommandError(CommandError):
    """Answered with several ``!trap`` sentences (older RouterOS on unknown paths)."""

    def __init__(self, *errors: CommandError):
        super().__init__(errors[-1].message, errors[-1].category)
        self.errors = errors


class FatalError(Exception):
    """Answered with ``!fatal``; the router then closes the connection."""


@dataclass
class Reply:
    sentences: list[list[str]] = field(default_factory=list)
    close: bool = False
    fatal: str | None = None


def _validate_duration(value: str) -> str:
    try:
        parse_duration(value)
    except ValueError:
        raise CommandError(f"value of {{name}} should be time interval: {value}", 1) from None
    return value


def _validate_int(value: str) -> str:
    if not value.isdigit():
        raise CommandError(f"value of {{name}} should be integer: {value}", 1)
    return value


def _validate_bool(value: str) -> str:
    try:
        return format_bool(parse_bool(value))
    except ValueError:
        raise CommandError(f"value of {{name}} should be yes or no: {value}", 1) from None


@dataclass
class MenuSpec:
    """A configuration menu: which attributes it takes and how they are checked."""

    path: str
    defaults: dict[str, str]
    optional: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    computed: tuple[str, ...] = ()
    validators: dict[str, Callable[[str], str]] = field(default_factory=dict)
    unique: str | None = "name"
    commands: tuple[str, ...] = ("print", "getall", "add", "set", "remove")

    def accepts(self, name: str) -> bool:
        return name in self.defaults or name in self.optional or name in self.required


HOTSPOT_USER = MenuSpec(
    "/ip/hotspot/user",
    defaults={"server": "all", "profile": "default", "disabled": "false", "comment": ""},
    optional=(
        "password",
        "limit-uptime",
        "limit-bytes-total",
        "limit-bytes-in",
        "limit-bytes-out",
        "mac-address",
        "address",
        "email",
    ),
    required=("name",),
    computed=("uptime", "bytes-in", "bytes-out", "packets-in", "packets-out", "dynamic"),
    validators={
        "limit-uptime": _validate_duration,
        "limit-bytes-total": _validate_int,
        "limit-bytes-in": _validate_int,
        "limit-bytes-out": _validate_int,
        "disabled": _validate_bool,
    },
)
HOTSPOT_PROFILE = MenuSpec(
    "/ip/hotspot/user/profile",
    defaults={
        "idle-timeout": "none",
        "keepalive-timeout": "2m",
        "status-autorefresh": "1m",
        "shared-users": "1",
        "add-mac-cookie": "true",
        "mac-cookie-timeout": "3d",
        "transparent-proxy": "false",
        "open-status-page": "always",
    },
    optional=(
        "rate-limit",
        "session-timeout",
        "address-pool",
        "parent-queue",
        "on-login",
        "on-logout",
        "comment",
    ),
    required=("name",),
    computed=("default",),
    validators={
        "shared-users": _validate_int,
        "session-timeout": _validate_duration,
        "idle-timeout": lambda v: v if v == "none" else _validate_duration(v),
        "keepalive-timeout": _validate_duration,
        "mac-cookie-timeout": _validate_duration,
        "add-mac-cookie": _validate_bool,
        "transparent-proxy": _validate_bool,
    },
)
PPP_SECRET = MenuSpec(
    "/ppp/secret",
    defaults={
        "service": "any",
        "caller-id": "",
        "profile": "default",
        "routes": "",
        "disabled": "false",
        "comment": "",
        "limit-bytes-in": "0",
        "limit-bytes-out": "0",
    },
    optional=("password", "local-address", "remote-address"),
    required=("name",),
    computed=("last-logged-out", "last-caller-id", "last-disconnect-reason"),
    validators={
        "disabled": _validate_bool,
        "limit-bytes-in": _validate_int,
        "limit-bytes-out": _validate_int,
    },
)
INTERFACE = MenuSpec(
    "/interface",
    defaults={"disabled": "false", "comment": ""},
    optional=("mtu",),
    computed=(
        "type",
        "rx-byte",
        "tx-byte",
        "rx-packet",
        "tx-packet",
        "running",
        "mac-address",
        "actual-mtu",
        "default-name",
        "last-link-up-time",
        "link-downs",
    ),
    validators={"disabled": _validate_bool},
    commands=("print", "getall", "set"),
)
ACTIVE_COMMANDS = ("print", "getall", "remove")
PRINT_FLAGS = {
    ".proplist",
    "count-only",
    "detail",
    "stats",
    "without-paging",
    "terse",
    "brief",
    "show-ids",
    "value-list",
}


class Table:
    """Rows of one menu, in creation order, with RouterOS ``*HEX`` ids."""

    def __init__(self, spec: MenuSpec | None = None):
        self.spec = spec
        self.rows: dict[str, dict] = {}
        self._next = 1

    def insert(self, row: dict) -> str:
        row_id = f"*{self._next:X}"
        self._next += 1
        row[".id"] = row_id
        self.rows[row_id] = row
        return row_id

    def by_name(self, name: str) -> dict | None:
        key = self.spec.unique if self.spec else "name"
        for row in self.rows.values():
            if row.get(key) == name:
                return row
        return None

    def resolve(self, numbers: str) -> list[str]:
        ids = []
        for ref in numbers.split(","):
            ref = ref.strip()
            if ref in self.rows:
                ids.append(ref)
                continue
            row = self.by_name(ref) if ref and not ref.startswith("*") else None
            if row is None:
                raise CommandError("no such item", 0)
            ids.append(row[".id"])
        return ids


class SimRouter:
    """A MikroTik hotspot router as seen over the API."""

    def __init__(
        self,
        *,
        identity: str = "MikroTik",
        version: str = "7.14.3",
        board_name: str = "hAP ac^2",
        architecture: str = "arm",
        username: str = "admin",
        password: str = "",
        hotspot_users: int = 0,
        active_sessions: int = 0,
        ppp_secrets: int = 0,
        ppp_sessions: int = 0,
        churn: bool = False,
        seed: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        uptime: float = 3 * 86400 + 4 * 3600 + 5 * 60,
        latency: float = 0.0,
        failure_rate: float = 0.0,
        drop_rate: float = 0.0,
        garbage_rate: float = 0.0,
        black_hole: bool = False,
        reject_logins: bool = False,
    ):
        self.lock = threading.RLock()
        self.rng = random.Random(seed)  # noqa: S311 - simulated behaviour, not security
        self.clock = clock
        self.offset = 0.0
        self.identity = identity
        self.version = version
        self.board_name = board_name
        self.architecture = architecture
        self.api_users = {username: password}
        self.churn = churn
        # Fault knobs; change them at any time (they are read per command).
        self.latency = latency
        self.failure_rate = failure_rate
        self.drop_rate = drop_rate
        self.garbage_rate = garbage_rate
        self.black_hole = black_hole
        self.reject_logins = reject_logins
        # Filled in by the fleet when the router listens.
        self.host = "127.0.0.1"
        self.port: int | None = None
        self.tls_port: int | None = None
        self.commands_seen: list[str] = []
        self.logins = 0
        self.total_memory = 256 * 1024 * 1024
        self._boot_at = self.now() - uptime
        self._last_tick = self.now()
        self._target_active = active_sessions
        self._target_ppp = ppp_sessions
        self._ip_next = 2
        self.hotspot_user_table = Table(HOTSPOT_USER)
        self.hotspot_profile_table = Table(HOTSPOT_PROFILE)
        self.hotspot_active_table = Table()
        self.ppp_secret_table = Table(PPP_SECRET)
        self.ppp_active_table = Table()
        self.interface_table = Table(INTERFACE)
        self._seed_config(
            max(hotspot_users, active_sessions),
            active_sessions,
            max(ppp_secrets, ppp_sessions),
            ppp_sessions,
        )

    # ----------------------------------------------------------------- time
    def now(self) -> float:
        return self.clock() + self.offset

    def wall_now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.offset)

    @property
    def uptime_seconds(self) -> int:
        return int(self.now() - self._boot_at)

    def advance(self, seconds: float) -> None:
        """Move this router's clock forward (bytes grow, limits end sessions)."""
        with self.lock:
            self.offset += seconds
            self.tick()

    def reboot(self) -> None:
        """Counters restart from zero, uptime restarts, every session ends."""
        with self.lock:
            self.tick()
            self._boot_at = self.now()
            for row in self.interface_table.rows.values():
                row["_rx"] = row["_tx"] = 0.0
                row["last-link-up-time"] = format_datetime(self.wall_now(), self.version)
            for session_id in list(self.hotspot_active_table.rows):
                self._hotspot_logout(session_id, "reboot")
            for session_id in list(self.ppp_active_table.rows):
                self._ppp_logout(session_id, "reboot")

    # -------------------------------------------------------- seeding
    def _seed_config(self, users, active, secrets, ppp_active):
        self.hotspot_profile_table.insert(
            {**HOTSPOT_PROFILE.defaults, "name": "default", "rate-limit": "", "_default": True}
        )
        self.hotspot_profile_table.insert(
            {
                **HOTSPOT_PROFILE.defaults,
                "name": "1hour",
                "rate-limit": "2M/4M",
                "shared-users": "1",
                "session-timeout": "1h",
            }
        )
        self.hotspot_profile_table.insert(
            {**HOTSPOT_PROFILE.defaults, "name": "1day", "rate-limit": "4M/8M", "shared-users": "2"}
        )
        for index, (name, kind) in enumerate(
            [
                ("ether1", "ether"),
                ("ether2", "ether"),
                ("ether3", "ether"),
                ("wlan1", "wlan"),
                ("bridge-hotspot", "bridge"),
            ]
        ):
            mac = ":".join(
                f"{b:02X}"
                for b in (0x48, 0x8F, 0x5A, self.rng.randrange(256), self.rng.randrange(256), index)
            )
            self.interface_table.insert(
                {
                    "name": name,
                    "default-name": name if kind != "bridge" else "",
                    "type": kind,
                    "mtu": "1500",
                    "actual-mtu": "1500",
                    "mac-address": mac,
                    "disabled": "false",
                    "comment": "WAN" if name == "ether1" else "",
                    "link-downs": "0",
                    "last-link-up-time": format_datetime(
                        self.wall_now() - timedelta(seconds=self.uptime_seconds), self.version
                    ),
                    "_rx": float(self.rng.randrange(10**6, 10**9)) if kind != "wlan" else 0.0,
                    "_tx": float(self.rng.randrange(10**6, 10**9)) if kind != "wlan" else 0.0,
                    "_running": kind != "ether" or name in ("ether1", "ether2"),
                }
            )
        for number in range(1, users + 1):
            profile = ("default", "1hour", "1day")[number % 3]
            self._user_insert(
                {"name": f"guest{number:03d}", "password": self._password(), "profile": profile}
            )
        for number in range(1, secrets + 1):
            self._secret_insert(
                {"name": f"pppoe{number:03d}", "password": self._password(), "service": "pppoe"}
            )
        users_rows = list(self.hotspot_user_table.rows.values())
        for row in users_rows[:active]:
            self._hotspot_login(
                row, ip=None, mac=None, login_by="http-chap", uptime=self.rng.randrange(30, 3000)
            )
        for row in list(self.ppp_secret_table.rows.values())[:ppp_active]:
            self._ppp_login(row, uptime=self.rng.randrange(60, 86400))

    def _password(self) -> str:
        alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
        return "".join(self.rng.choice(alphabet) for _ in range(8))

    def _user_insert(self, attrs: dict) -> str:
        row = {
            **HOTSPOT_USER.defaults,
            **attrs,
            "_uptime": 0.0,
            "_bytes_in": 0.0,
            "_bytes_out": 0.0,
        }
        return self.hotspot_user_table.insert(row)

    def _secret_insert(self, attrs: dict) -> str:
        row = {
            **PPP_SECRET.defaults,
            **attrs,
            "_last_logged_out": None,
            "_last_caller_id": "",
            "_last_reason": "",
        }
        return self.ppp_secret_table.insert(row)

    def _next_ip(self) -> str:
        used = {row["address"] for row in self.hotspot_active_table.rows.values()}
        while True:
            candidate = str(IPv4Address("10.5.48.0") + self._ip_next)
            self._ip_next = self._ip_next + 1 if self._ip_next < 4000 else 2
            if candidate not in used:
                return candidate

    def _random_mac(self) -> str:
        first = self.rng.randrange(0, 64) * 4 + 2  # locally administered, unicast
        return ":".join(f"{b:02X}" for b in [first, *(self.rng.randrange(256) for _ in range(5))])

    # ------------------------------------------------------------- life
    def tick(self) -> None:
        """Bring the router to ``now()``: bytes grow, limits and churn end sessions."""
        now = self.now()
        elapsed = now - self._last_tick
        if elapsed < TICK_SECONDS:
            return  # nothing is lost: the next tick covers the whole interval
        self._last_tick = now
        down_total = up_total = 0.0
        for session_id, session in list(self.hotspot_active_table.rows.items()):
            user = self.hotspot_user_table.rows.get(session["_user_id"])
            span = elapsed
            limit_hit = None
            if user is not None:
                span, limit_hit = self._span_until_limit(user, session, elapsed)
            down, up = session["_rate_out"] * span, session["_rate_in"] * span
            session["_uptime"] += span
            session["_bytes_out"] += down
            session["_bytes_in"] += up
            down_total += down
            up_total += up
            if user is not None:
                user["_uptime"] += span
                user["_bytes_in"] += up
                user["_bytes_out"] += down
            if limit_hit:
                self._hotspot_logout(session_id, limit_hit)
        for session in self.ppp_active_table.rows.values():
            down, up = session["_rate_out"] * elapsed, session["_rate_in"] * elapsed
            session["_uptime"] += elapsed
            session["_bytes_out"] += down
            session["_bytes_in"] += up
            down_total += down
            up_total += up
        for row in self.interface_table.rows.values():
            if not row["_running"]:
                continue
            base = 1800.0 * elapsed
            if row["name"] == "ether1":
                row["_rx"] += down_total + base
                row["_tx"] += up_total + base / 3
            elif row["type"] == "bridge":
                row["_rx"] += up_total + base / 10
                row["_tx"] += down_total + base / 10
            else:
                row["_rx"] += base / 20
                row["_tx"] += base / 20
        if self.churn:
            self._churn(elapsed)

    def _span_until_limit(self, user, session, elapsed):
        spans = []
        limit_uptime = _duration_or_none(user.get("limit-uptime"))
        if limit_uptime:
            spans.append((max(0.0, limit_uptime - user["_uptime"]), "uptime limit reached"))
        limit_bytes = _int_or_none(user.get("limit-bytes-total"))
        if limit_bytes:
            rate = session["_rate_in"] + session["_rate_out"]
            used = user["_bytes_in"] + user["_bytes_out"]
            if rate > 0:
                spans.append((max(0.0, (limit_bytes - used) / rate), "traffic limit reached"))
        timeout = _duration_or_none(self._profile_of(user).get("session-timeout"))
        if timeout:
            spans.append((max(0.0, timeout - session["_uptime"]), "session timeout"))
        hits = [item for item in spans if item[0] <= elapsed]
        if not hits:
            return elapsed, None
        return min(hits)

    def _profile_of(self, user) -> dict:
        return self.hotspot_profile_table.by_name(user.get("profile", "default")) or {}

    def _churn(self, elapsed: float) -> None:
        leave = 1 - math.exp(-elapsed / 1500)
        for session_id in list(self.hotspot_active_table.rows):
            if self.rng.random() < leave:
                self._hotspot_logout(session_id, "user request")
        for session_id in list(self.ppp_active_table.rows):
            if self.rng.random() < leave / 4:
                self._ppp_logout(session_id, "peer-request")
        arrive = 1 - math.exp(-elapsed / 240)
        missing = self._target_active - len(self.hotspot_active_table.rows)
        if missing > 0:
            idle = [
                row
                for row in self.hotspot_user_table.rows.values()
                if self._can_log_in(row) is None
            ]
            self.rng.shuffle(idle)
            for row in idle[:missing]:
                if self.rng.random() < arrive:
                    self._hotspot_login(row, ip=None, mac=None, login_by="http-chap")
        missing = self._target_ppp - len(self.ppp_active_table.rows)
        if missing > 0:
            active = {row["name"] for row in self.ppp_active_table.rows.values()}
            idle = [
                row
                for row in self.ppp_secret_table.rows.values()
                if row["name"] not in active and row["disabled"] == "false"
            ]
            for row in idle[:missing]:
                if self.rng.random() < arrive:
                    self._ppp_login(row)

    def _can_log_in(self, user) -> str | None:
        """``None`` when ``user`` may log in now, else RouterOS's reason."""
        if user.get("disabled") == "true":
            return "user is disabled"
        limit_uptime = _duration_or_none(user.get("limit-uptime"))
        if limit_uptime and user["_uptime"] >= limit_uptime:
            return f"user {user['name']} has reached uptime limit"
        limit_bytes = _int_or_none(user.get("limit-bytes-total"))
        if limit_bytes and user["_bytes_in"] + user["_bytes_out"] >= limit_bytes:
            return f"user {user['name']} has reached traffic limit"
        shared = _int_or_none(self._profile_of(user).get("shared-users")) or 1
        sessions = sum(
            1 for s in self.hotspot_active_table.rows.values() if s["_user_id"] == user[".id"]
        )
        if sessions >= shared:
            return "no more sessions are allowed for user"
        return None

    def _hotspot_login(self, user, *, ip, mac, login_by, uptime=0.0) -> str:
        for session_id, session in list(self.hotspot_active_table.rows.items()):
            if (ip and session["address"] == ip) or (mac and session["mac-address"] == mac):
                self._hotspot_logout(session_id, "replaced by new login")
        rate_out = float(self.rng.randrange(5_000, 250_000))
        session = {
            "server": "hotspot1",
            "user": user["name"],
            "domain": "",
            "address": ip or self._next_ip(),
            "mac-address": mac or self._random_mac(),
            "login-by": login_by,
            "radius": "false",
            "blocked": "false",
            "_user_id": user[".id"],
            "_uptime": float(uptime),
            "_bytes_out": rate_out * uptime,
            "_bytes_in": rate_out * uptime / 6,
            "_rate_out": rate_out,
            "_rate_in": rate_out / 6,
        }
        user["_uptime"] += uptime
        user["_bytes_out"] += session["_bytes_out"]
        user["_bytes_in"] += session["_bytes_in"]
        return self.hotspot_active_table.insert(session)

    def _hotspot_logout(self, session_id: str, reason: str) -> None:
        self.hotspot_active_table.rows.pop(session_id, None)

    def _ppp_login(self, secret, uptime: float = 0.0) -> str:
        rate_out = float(self.rng.randrange(20_000, 600_000))
        caller = self._random_mac()
        address = secret.get("remote-address") or str(
            IPv4Address("172.16.0.0")
            + 2
            + len(self.ppp_active_table.rows)
            + self.rng.randrange(200)
        )
        return self.ppp_active_table.insert(
            {
                "name": secret["name"],
                "service": "pppoe",
                "caller-id": caller,
                "address": address,
                "encoding": "",
                "session-id": f"0x{self.rng.randrange(1 << 24):X}",
                "limit-bytes-in": secret.get("limit-bytes-in", "0"),
                "limit-bytes-out": secret.get("limit-bytes-out", "0"),
                "radius": "false",
                "_secret_id": secret[".id"],
                "_uptime": float(uptime),
                "_bytes_out": rate_out * uptime,
                "_bytes_in": rate_out * uptime / 5,
                "_rate_out": rate_out,
                "_rate_in": rate_out / 5,
            }
        )

    def _ppp_logout(self, session_id: str, reason: str) -> None:
        session = self.ppp_active_table.rows.pop(session_id, None)
        if session is None:
            return
        secret = self.ppp_secret_table.rows.get(session["_secret_id"])
        if secret is not None:
            secret["_last_logged_out"] = self.wall_now()
            secret["_last_caller_id"] = session["caller-id"]
            secret["_last_reason"] = reason

    # ---------------------------------------------------- rendering rows
    def _render_user(self, row) -> dict:
        item = _public(row)
        item["uptime"] = format_duration(row["_uptime"])
        item["bytes-in"] = str(int(row["_bytes_in"]))
        item["bytes-out"] = str(int(row["_bytes_out"]))
        item["packets-in"] = str(int(row["_bytes_in"] // 800))
        item["packets-out"] = str(int(row["_bytes_out"] // 1200))
        item["dynamic"] = "false"
        return item

    def _render_profile(self, row) -> dict:
        item = _public(row)
        item["default"] = format_bool(bool(row.get("_default")))
        return item

    def _render_hotspot_active(self, row) -> dict:
        item = _public(row)
        item["uptime"] = format_duration(row["_uptime"])
        item["idle-time"] = "0s"
        item["keepalive-timeout"] = "2m"
        item["bytes-in"] = str(int(row["_bytes_in"]))
        item["bytes-out"] = str(int(row["_bytes_out"]))
        item["packets-in"] = str(int(row["_bytes_in"] // 800))
        item["packets-out"] = str(int(row["_bytes_out"] // 1200))
        user = self.hotspot_user_table.rows.get(row["_user_id"])
        limit = _duration_or_none(user.get("limit-uptime")) if user else None
        if limit:
            item["session-time-left"] = format_duration(max(0.0, limit - user["_uptime"]))
        return item

    def _render_ppp_active(self, row) -> dict:
        item = _public(row)
        item["uptime"] = format_duration(row["_uptime"])
        return item

    def _render_secret(self, row) -> dict:
        item = _public(row)
        moment = row["_last_logged_out"]
        item["last-logged-out"] = (
            format_datetime(moment, self.version)
            if moment
            else (
                "jan/01/1970 00:00:00"
                if version_tuple(self.version) < (7, 10)
                else "1970-01-01 00:00:00"
            )
        )
        item["last-caller-id"] = row["_last_caller_id"]
        item["last-disconnect-reason"] = row["_last_reason"]
        return item

    def _render_interface(self, row) -> dict:
        item = _public(row)
        item["rx-byte"] = str(int(row["_rx"]))
        item["tx-byte"] = str(int(row["_tx"]))
        item["rx-packet"] = str(int(row["_rx"] // 900))
        item["tx-packet"] = str(int(row["_tx"] // 900))
        item["running"] = format_bool(row["_running"] and row["disabled"] == "false")
        return item

    def _resource(self) -> dict:
        sessions = len(self.hotspot_active_table.rows) + len(self.ppp_active_table.rows)
        cpu = min(100, 2 + sessions // 8 + self.rng.randrange(0, 9))
        used = 60 * 1024 * 1024 + sessions * 180 * 1024 + self.rng.randrange(0, 4 * 1024 * 1024)
        build = datetime(2024, 4, 17, 12, 47, 58, tzinfo=UTC)
        return {
            "uptime": format_duration(self.uptime_seconds),
            "version": f"{self.version} (stable)",
            "build-time": format_datetime(build, self.version),
            "factory-software": "6.44.6",
            "free-memory": str(max(0, self.total_memory - used)),
            "total-memory": str(self.total_memory),
            "cpu": "ARMv7",
            "cpu-count": "4",
            "cpu-frequency": "716",
            "cpu-load": str(cpu),
            "free-hdd-space": str(3 * 1024 * 1024),
            "total-hdd-space": str(16 * 1024 * 1024),
            "write-sect-since-reboot": "412",
            "write-sect-total": "88211",
            "architecture-name": self.architecture,
            "board-name": self.board_name,
            "platform": "MikroTik",
        }

    # ----------------------------------------------- inspection for tests
    def _snapshot(self, table: Table, render) -> list[dict]:
        with self.lock:
            self.tick()
            return [render(row) for row in table.rows.values()]

    @property
    def hotspot_users(self) -> list[dict]:
        return self._snapshot(self.hotspot_user_table, self._render_user)

    @property
    def hotspot_profiles(self) -> list[dict]:
        return self._snapshot(self.hotspot_profile_table, self._render_profile)

    @property
    def hotspot_active(self) -> list[dict]:
        return self._snapshot(self.hotspot_active_table, self._render_hotspot_active)

    @property
    def ppp_secrets(self) -> list[dict]:
        return self._snapshot(self.ppp_secret_table, self._render_secret)

    @property
    def ppp_active(self) -> list[dict]:
        return self._snapshot(self.ppp_active_table, self._render_ppp_active)

    @property
    def interfaces(self) -> list[dict]:
        return self._snapshot(self.interface_table, self._render_interface)

    def hotspot_user(self, name: str) -> dict | None:
        return next((u for u in self.hotspot_users if u["name"] == name), None)

    def login(self, user: str, *, ip: str | None = None, mac: str | None = None) -> str:
        """Log ``user`` in as if its device did (tests); returns the session id."""
        with self.lock:
            self.tick()
            row = self.hotspot_user_table.by_name(user)
            if row is None:
                raise CommandError("no such user", 0)
            reason = self._can_log_in(row)
            if reason:
                raise CommandError(reason, 2)
            return self._hotspot_login(row, ip=ip, mac=mac, login_by="http-chap")

    def ppp_connect(self, name: str) -> str:
        with self.lock:
            self.tick()
            row = self.ppp_secret_table.by_name(name)
            if row is None:
                raise CommandError("no such secret", 0)
            return self._ppp_login(row)

    # ------------------------------------------------------------ the API
    def check_login(self, name: str, password: str) -> bool:
        with self.lock:
            self.logins += 1
            if self.reject_logins:
                return False
            return name in self.api_users and self.api_users[name] == password

    def execute(self, command: str, attributes: dict[str, str], queries: list[str]) -> Reply:
        """Run one logged-in API command; raise CommandError / FatalError."""
        with self.lock:
            self.commands_seen.append(command)
            self.tick()
            if command == "/quit":
                raise FatalError("session terminated on request")
            if command == "/cancel":
                return Reply([["!done"]])
            if command == "/system/reboot":
                self.reboot()
                return Reply([["!done"]], close=True)
            path, _, verb = command.rpartition("/")
            handler = self._menus().get(path)
            if handler is None or not verb:
                if version_tuple(self.version) < (7,):
                    raise MultiCommandError(
                        CommandError(f"no such command or directory ({verb})", 0),
                        CommandError("no such command prefix", 0),
                    )
                raise CommandError("no such command prefix", 0)
            return handler(verb, attributes, queries)

    def _menus(self):
        return {
            "/system/identity": self._identity_menu,
            "/system/resource": self._resource_menu,
            "/interface": lambda v, a, q: self._config_menu(
                self.interface_table, self._render_interface, v, a, q
            ),
            "/ip/hotspot/user": lambda v, a, q: self._config_menu(
                self.hotspot_user_table, self._render_user, v, a, q
            ),
            "/ip/hotspot/user/profile": lambda v, a, q: self._config_menu(
                self.hotspot_profile_table, self._render_profile, v, a, q
            ),
            "/ip/hotspot/active": self._hotspot_active_menu,
            "/ppp/secret": lambda v, a, q: self._config_menu(
                self.ppp_secret_table, self._render_secret, v, a, q
            ),
            "/ppp/active": self._ppp_active_menu,
        }

    def _print(self, items: list[dict], attributes, queries) -> Reply:
        unknown = set(attributes) - PRINT_FLAGS
        if unknown:
            raise CommandError(f"unknown parameter {sorted(unknown)[0]}", 1)
        predicate = compile_query(queries)
        if predicate is not None:
            items = [item for item in items if predicate(item)]
        if "count-only" in attributes:
            return Reply([["!done", f"=ret={len(items)}"]])
        proplist = attributes.get(".proplist")
        names = [name for name in proplist.split(",") if name] if proplist else None
        sentences = []
        for item in items:
            if names is None:
                words = [f"={key}={value}" for key, value in item.items()]
            else:
                words = [f"={key}={item[key]}" for key in names if key in item]
            sentences.append(["!re", *words])
        if not sentences and version_tuple(self.version) >= (7, 18):
            sentences.append(["!empty"])
        sentences.append(["!done"])
        return Reply(sentences)

    def _identity_menu(self, verb, attributes, queries):
        if verb in ("print", "getall"):
            return self._print([{"name": self.identity}], attributes, queries)
        if verb == "set":
            if set(attributes) - {"name"}:
                raise CommandError(f"unknown parameter {sorted(set(attributes) - {'name'})[0]}", 1)
            self.identity = attributes.get("name", self.identity)
            return Reply([["!done"]])
        raise CommandError("no such command", 0)

    def _resource_menu(self, verb, attributes, queries):
        if verb in ("print", "getall"):
            return self._print([self._resource()], attributes, queries)
        raise CommandError("no such command", 0)

    def _config_menu(self, table: Table, render, verb, attributes, queries):
        spec = table.spec
        if verb not in spec.commands:
            raise CommandError("no such command", 0)
        if verb in ("print", "getall"):
            return self._print([render(row) for row in table.rows.values()], attributes, queries)
        if verb == "add":
            values = self._validated(spec, attributes, adding=True)
            if spec.unique and table.by_name(values[spec.unique]):
                raise CommandError(
                    f"failure: {self._what(spec)} with the same name already exists", 4
                )
            self._check_references(spec, values)
            if table is self.hotspot_user_table:
                row_id = self._user_insert(values)
            elif table is self.ppp_secret_table:
                row_id = self._secret_insert(values)
            else:
                row_id = table.insert({**spec.defaults, **values})
            return Reply([["!done", f"=ret={row_id}"]])
        ids = table.resolve(self._numbers(attributes))
        if verb == "set":
            changes = self._validated(
                spec,
                {k: v for k, v in attributes.items() if k not in (".id", "numbers")},
                adding=False,
            )
            if spec.unique and spec.unique in changes:
                clash = table.by_name(changes[spec.unique])
                if clash is not None and clash[".id"] not in ids:
                    raise CommandError(
                        f"failure: {self._what(spec)} with the same name already exists", 4
                    )
            self._check_references(spec, changes)
            for row_id in ids:
                table.rows[row_id].update(changes)
            return Reply([["!done"]])
        # remove
        for row_id in ids:
            row = table.rows[row_id]
            if row.get("_default"):
                raise CommandError("failure: cannot remove default profile", 4)
        for row_id in ids:
            row = table.rows.pop(row_id)
            if table is self.hotspot_user_table:
                for session_id, session in list(self.hotspot_active_table.rows.items()):
                    if session["_user_id"] == row_id:
                        self._hotspot_logout(session_id, "user removed")
        return Reply([["!done"]])

    @staticmethod
    def _what(spec: MenuSpec) -> str:
        return {
            "/ip/hotspot/user": "user",
            "/ip/hotspot/user/profile": "profile",
            "/ppp/secret": "secret",
        }.get(spec.path, "item")

    @staticmethod
    def _numbers(attributes) -> str:
        numbers = attributes.get(".id") or attributes.get("numbers")
        if not numbers:
            raise CommandError("failure: missing value(s) of argument(s) numbers", 1)
        return numbers

    def _validated(self, spec: MenuSpec, attributes: dict, *, adding: bool) -> dict:
        values = {}
        for name, value in attributes.items():
            if not spec.accepts(name):
                raise CommandError(f"unknown parameter {name}", 1)
            validator = spec.validators.get(name)
            if validator is not None and value != "":
                try:
                    value = validator(value)
                except CommandError as error:
                    raise CommandError(error.message.format(name=name), 1) from None
            values[name] = value
        if adding:
            for name in spec.required:
                if not values.get(name):
                    raise CommandError(f"failure: missing value(s) of argument(s) {name}", 1)
        return values

    def _check_references(self, spec: MenuSpec, values: dict) -> None:
        if (
            spec is HOTSPOT_USER
            and "profile" in values
            and self.hotspot_profile_table.by_name(values["profile"]) is None
        ):
            raise CommandError("input does not match any value of profile", 1)

    def _hotspot_active_menu(self, verb, attributes, queries):
        table = self.hotspot_active_table
        if verb in ("print", "getall"):
            rows = [self._render_hotspot_active(row) for row in table.rows.values()]
            return self._print(rows, attributes, queries)
        if verb == "remove":
            for row_id in table.resolve(self._numbers(attributes)):
                self._hotspot_logout(row_id, "admin request")
            return Reply([["!done"]])
        if verb == "login":
            return self._api_hotspot_login(attributes)
        raise CommandError("no such command", 0)

    def _api_hotspot_login(self, attributes):
        allowed = {"user", "password", "ip", "mac-address", "domain"}
        unknown = set(attributes) - allowed
        if unknown:
            raise CommandError(f"unknown parameter {sorted(unknown)[0]}", 1)
        if not attributes.get("user"):
            raise CommandError("failure: missing value(s) of argument(s) user", 1)
        if not attributes.get("ip") and not attributes.get("mac-address"):
            raise CommandError("failure: ip or mac-address required", 1)
        user = self.hotspot_user_table.by_name(attributes["user"])
        if user is None or user.get("password", "") != attributes.get("password", ""):
            raise CommandError("invalid username or password", 2)
        reason = self._can_log_in(user)
        if reason:
            raise CommandError(reason, 2)
        self._hotspot_login(
            user, ip=attributes.get("ip"), mac=attributes.get("mac-address"), login_by="http-pap"
        )
        return Reply([["!done"]])

    def _ppp_active_menu(self, verb, attributes, queries):
        table = self.ppp_active_table
        if verb in ("print", "getall"):
            rows = [self._render_ppp_active(row) for row in table.rows.values()]
            return self._print(rows, attributes, queries)
        if verb == "remove":
            for row_id in table.resolve(self._numbers(attributes)):
                self._ppp_logout(row_id, "admin-request")
            return Reply([["!done"]])
        raise CommandError("no such command", 0)


def _public(row: dict) -> dict:
    item = {".id": row[".id"]}
    item.update((key, value) for key, value in row.items() if key[0] not in "_.")
    return item


@lru_cache(maxsize=256)
def _duration_or_none(value) -> int | None:
    if not value:
        return None
    try:
        return parse_duration(value)
    except ValueError:
        return None


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None
