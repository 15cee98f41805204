"""Typed results of RouterOS commands.

Built from reply rows whose values are all text (the client never lets
librouteros guess types, so a user called ``1234`` or ``yes`` stays a string).
Byte counters from a hotspot session are the router's view: ``bytes_in`` is
what the client uploaded, ``bytes_out`` what it downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from routers.routeros.values import parse_bool, parse_datetime, parse_int, parse_seconds

Row = dict[str, str]


@dataclass(frozen=True)
class Identity:
    name: str

    @classmethod
    def from_row(cls, row: Row) -> Identity:
        return cls(name=row.get("name", ""))


@dataclass(frozen=True)
class Resource:
    uptime_seconds: int | None
    version: str
    build_time: datetime | None
    cpu_load: int | None
    free_memory: int | None
    total_memory: int | None
    board_name: str
    architecture: str

    @classmethod
    def from_row(cls, row: Row) -> Resource:
        return cls(
            uptime_seconds=parse_seconds(row.get("uptime")),
            version=row.get("version", ""),
            build_time=parse_datetime(row.get("build-time")),
            cpu_load=parse_int(row.get("cpu-load")),
            free_memory=parse_int(row.get("free-memory")),
            total_memory=parse_int(row.get("total-memory")),
            board_name=row.get("board-name", ""),
            architecture=row.get("architecture-name", ""),
        )

    @property
    def memory_used_percent(self) -> int | None:
        if not self.total_memory or self.free_memory is None:
            return None
        return round(100 * (self.total_memory - self.free_memory) / self.total_memory)


@dataclass(frozen=True)
class Interface:
    id: str
    name: str
    type: str
    rx_bytes: int
    tx_bytes: int
    running: bool
    disabled: bool
    comment: str = ""

    @classmethod
    def from_row(cls, row: Row) -> Interface:
        return cls(
            id=row.get(".id", ""),
            name=row.get("name", ""),
            type=row.get("type", ""),
            rx_bytes=parse_int(row.get("rx-byte")) or 0,
            tx_bytes=parse_int(row.get("tx-byte")) or 0,
            running=parse_bool(row.get("running", "false")),
            disabled=parse_bool(row.get("disabled", "false")),
            comment=row.get("comment", ""),
        )


@dataclass(frozen=True)
class HotspotUser:
    id: str
    name: str
    profile: str
    server: str
    limit_uptime_seconds: int | None
    limit_bytes_total: int | None
    uptime_seconds: int
    bytes_in: int
    bytes_out: int
    disabled: bool
    comment: str

    @classmethod
    def from_row(cls, row: Row) -> HotspotUser:
        return cls(
            id=row.get(".id", ""),
            name=row.get("name", ""),
            profile=row.get("profile", ""),
            server=row.get("server", ""),
            limit_uptime_seconds=parse_seconds(row.get("limit-uptime")),
            limit_bytes_total=parse_int(row.get("limit-bytes-total")),
            uptime_seconds=parse_seconds(row.get("uptime")) or 0,
            bytes_in=parse_int(row.get("bytes-in")) or 0,
            bytes_out=parse_int(row.get("bytes-out")) or 0,
            disabled=parse_bool(row.get("disabled", "false")),
            comment=row.get("comment", ""),
        )


@dataclass(frozen=True)
class HotspotProfile:
    id: str
    name: str
    rate_limit: str
    shared_users: int | None
    session_timeout_seconds: int | None
    idle_timeout_seconds: int | None
    is_default: bool

    @classmethod
    def from_row(cls, row: Row) -> HotspotProfile:
        return cls(
            id=row.get(".id", ""),
            name=row.get("name", ""),
            rate_limit=row.get("rate-limit", ""),
            shared_users=parse_int(row.get("shared-users")),
            session_timeout_seconds=parse_seconds(row.get("session-timeout")),
            idle_timeout_seconds=parse_seconds(row.get("idle-timeout")),
            is_default=parse_bool(row.get("default", "false")),
        )


@dataclass(frozen=True)
class HotspotSession:
    id: str
    user: str
    address: str
    mac_address: str
    uptime_seconds: int
    bytes_in: int
    bytes_out: int
    login_by: str
    server: str
    session_time_left_seconds: int | None = None

    @classmethod
    def from_row(cls, row: Row) -> HotspotSession:
        return cls(
            id=row.get(".id", ""),
            user=row.get("user", ""),
            address=row.get("address", ""),
            mac_address=row.get("mac-address", ""),
            uptime_seconds=parse_seconds(row.get("uptime")) or 0,
            bytes_in=parse_int(row.get("bytes-in")) or 0,
            bytes_out=parse_int(row.get("bytes-out")) or 0,
            login_by=row.get("login-by", ""),
            server=row.get("server", ""),
            session_time_left_seconds=parse_seconds(row.get("session-time-left")),
        )


@dataclass(frozen=True)
class PPPSecret:
    id: str
    name: str
    service: str
    profile: str
    remote_address: str
    disabled: bool
    comment: str
    last_logged_out: datetime | None
    last_caller_id: str

    @classmethod
    def from_row(cls, row: Row) -> PPPSecret:
        return cls(
            id=row.get(".id", ""),
            name=row.get("name", ""),
            service=row.get("service", ""),
            profile=row.get("profile", ""),
            remote_address=row.get("remote-address", ""),
            disabled=parse_bool(row.get("disabled", "false")),
            comment=row.get("comment", ""),
            last_logged_out=parse_datetime(row.get("last-logged-out")),
            last_caller_id=row.get("last-caller-id", ""),
        )


@dataclass(frozen=True)
class PPPSession:
    id: str
    name: str
    service: str
    caller_id: str
    address: str
    uptime_seconds: int

    @classmethod
    def from_row(cls, row: Row) -> PPPSession:
        return cls(
            id=row.get(".id", ""),
            name=row.get("name", ""),
            service=row.get("service", ""),
            caller_id=row.get("caller-id", ""),
            address=row.get("address", ""),
            uptime_seconds=parse_seconds(row.get("uptime")) or 0,
        )
