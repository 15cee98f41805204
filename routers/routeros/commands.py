"""RouterOS commands as data, shared by the sync and the async client.

A :class:`Command` is the command word, its argument words and how to turn
the reply into a typed result. :class:`CommandSet` turns each builder into a
client method: on the sync client ``client.hotspot_users()`` returns the list,
on the async client it returns a coroutine (``await client.hotspot_users()``).

Argument names are written the Python way (``limit_uptime``) and sent the
RouterOS way (``limit-uptime``); ``None`` means "leave out". Every value is
sent as text (:func:`~routers.routeros.values.to_api`), so a user called
``0042`` or ``yes`` keeps its name. Items are referred to by ``.id`` (``*1A``)
or, where RouterOS allows it, by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from routers.routeros.types import (
    HotspotProfile,
    HotspotSession,
    HotspotUser,
    Identity,
    Interface,
    PPPSecret,
    PPPSession,
    Resource,
    Row,
)
from routers.routeros.values import to_api


@dataclass
class RawReply:
    rows: list[Row] = field(default_factory=list)
    done: Row = field(default_factory=dict)


def _rows(reply: RawReply) -> list[Row]:
    return reply.rows


def _nothing(reply: RawReply) -> None:
    return None


def _ret(reply: RawReply) -> str:
    return reply.done.get("ret", "")


@dataclass(frozen=True)
class Command:
    word: str
    words: tuple[str, ...] = ()
    parse: Callable[[RawReply], Any] = _rows

    def __str__(self) -> str:
        return self.word


def attribute_words(attributes: dict[str, Any]) -> tuple[str, ...]:
    words = []
    for key, value in attributes.items():
        if value is None:
            continue
        name = ".id" if key in ("id", ".id") else key.replace("_", "-")
        words.append(f"={name}={to_api(value)}")
    return tuple(words)


def print_command(
    path: str,
    *,
    proplist: tuple[str, ...] | None = None,
    where: dict[str, Any] | None = None,
    parse: Callable[[RawReply], Any] = _rows,
) -> Command:
    """``<path>/print`` with ``=.proplist=`` and ``?=name=value`` filters (ANDed)."""
    words: list[str] = []
    if proplist:
        words.append("=.proplist=" + ",".join(proplist))
    for key, value in (where or {}).items():
        words.append(f"?={key.replace('_', '-') if key != '.id' else key}={to_api(value)}")
    return Command(f"{path}/print", tuple(words), parse)


def add_command(path: str, **attributes) -> Command:
    return Command(f"{path}/add", attribute_words(attributes), _ret)


def set_command(path: str, ref: str, **changes) -> Command:
    return Command(f"{path}/set", (f"=numbers={to_api(ref)}", *attribute_words(changes)), _nothing)


def remove_command(path: str, *refs: str) -> Command:
    if not refs:
        raise ValueError("nothing to remove")
    return Command(f"{path}/remove", (f"=numbers={','.join(to_api(r) for r in refs)}",), _nothing)


def _each(factory):
    return lambda reply: [factory(row) for row in reply.rows]


def _first(factory):
    def parse(reply):
        if not reply.rows:
            raise ValueError("the router sent no row")
        return factory(reply.rows[0])

    return parse


HOTSPOT_USER = "/ip/hotspot/user"
HOTSPOT_PROFILE = "/ip/hotspot/user/profile"
HOTSPOT_ACTIVE = "/ip/hotspot/active"
PPP_SECRET = "/ppp/secret"  # noqa: S105 - a menu path, not a password
PPP_ACTIVE = "/ppp/active"
RESOURCE_FIELDS = (
    "uptime",
    "version",
    "build-time",
    "cpu-load",
    "free-memory",
    "total-memory",
    "board-name",
    "architecture-name",
)
INTERFACE_FIELDS = (".id", "name", "type", "rx-byte", "tx-byte", "running", "disabled", "comment")
SESSION_FIELDS = (
    ".id",
    "user",
    "address",
    "mac-address",
    "uptime",
    "bytes-in",
    "bytes-out",
    "login-by",
    "server",
    "session-time-left",
)
PPP_SESSION_FIELDS = (".id", "name", "service", "caller-id", "address", "uptime")


def _where_name(key, value):
    return {key: value} if value is not None else None


class CommandSet:
    """Client methods; subclasses provide ``run(command)``."""

    def run(self, command: Command):  # pragma: no cover - provided by the clients
        raise NotImplementedError

    # -- system
    def identity(self):
        return self.run(print_command("/system/identity", parse=_first(Identity.from_row)))

    def resource(self):
        return self.run(
            print_command(
                "/system/resource", proplist=RESOURCE_FIELDS, parse=_first(Resource.from_row)
            )
        )

    def interfaces(self):
        return self.run(
            print_command("/interface", proplist=INTERFACE_FIELDS, parse=_each(Interface.from_row))
        )

    # -- hotspot users
    def hotspot_users(self, *, name: str | None = None):
        return self.run(
            print_command(
                HOTSPOT_USER, where=_where_name("name", name), parse=_each(HotspotUser.from_row)
            )
        )

    def hotspot_user_add(
        self,
        *,
        name: str,
        password: str,
        profile: str | None = None,
        limit_uptime=None,
        limit_bytes_total: int | None = None,
        server: str | None = None,
        comment: str | None = None,
        disabled: bool | None = None,
    ):
        """Returns the new user's ``.id``."""
        return self.run(
            add_command(
                HOTSPOT_USER,
                name=name,
                password=password,
                profile=profile,
                limit_uptime=limit_uptime,
                limit_bytes_total=limit_bytes_total,
                server=server,
                comment=comment,
                disabled=disabled,
            )
        )

    def hotspot_user_set(self, ref: str, **changes):
        return self.run(set_command(HOTSPOT_USER, ref, **changes))

    def hotspot_user_remove(self, *refs: str):
        return self.run(remove_command(HOTSPOT_USER, *refs))

    # -- hotspot user profiles
    def hotspot_profiles(self, *, name: str | None = None):
        return self.run(
            print_command(
                HOTSPOT_PROFILE,
                where=_where_name("name", name),
                parse=_each(HotspotProfile.from_row),
            )
        )

    def hotspot_profile_add(
        self,
        *,
        name: str,
        rate_limit: str | None = None,
        shared_users: int | None = None,
        session_timeout=None,
        idle_timeout=None,
        **extra,
    ):
        return self.run(
            add_command(
                HOTSPOT_PROFILE,
                name=name,
                rate_limit=rate_limit,
                shared_users=shared_users,
                session_timeout=session_timeout,
                idle_timeout=idle_timeout,
                **extra,
            )
        )

    def hotspot_profile_set(self, ref: str, **changes):
        return self.run(set_command(HOTSPOT_PROFILE, ref, **changes))

    def hotspot_profile_remove(self, *refs: str):
        return self.run(remove_command(HOTSPOT_PROFILE, *refs))

    # -- hotspot active sessions
    def hotspot_active(self, *, user: str | None = None):
        return self.run(
            print_command(
                HOTSPOT_ACTIVE,
                proplist=SESSION_FIELDS,
                where=_where_name("user", user),
                parse=_each(HotspotSession.from_row),
            )
        )

    def hotspot_active_login(
        self, *, user: str, password: str, ip: str | None = None, mac_address: str | None = None
    ):
        """Log a device in as RouterOS's ``/ip/hotspot/active/login`` does."""
        return self.run(
            Command(
                f"{HOTSPOT_ACTIVE}/login",
                attribute_words(
                    {"user": user, "password": password, "ip": ip, "mac-address": mac_address}
                ),
                _nothing,
            )
        )

    def hotspot_active_remove(self, *ids: str):
        return self.run(remove_command(HOTSPOT_ACTIVE, *ids))

    # -- PPP
    def ppp_secrets(self, *, name: str | None = None):
        return self.run(
            print_command(
                PPP_SECRET, where=_where_name("name", name), parse=_each(PPPSecret.from_row)
            )
        )

    def ppp_secret_add(
        self,
        *,
        name: str,
        password: str,
        service: str = "pppoe",
        profile: str | None = None,
        remote_address: str | None = None,
        local_address: str | None = None,
        comment: str | None = None,
        disabled: bool | None = None,
    ):
        return self.run(
            add_command(
                PPP_SECRET,
                name=name,
                password=password,
                service=service,
                profile=profile,
                remote_address=remote_address,
                local_address=local_address,
                comment=comment,
                disabled=disabled,
            )
        )

    def ppp_secret_set(self, ref: str, **changes):
        return self.run(set_command(PPP_SECRET, ref, **changes))

    def ppp_secret_remove(self, *refs: str):
        return self.run(remove_command(PPP_SECRET, *refs))

    def ppp_active(self, *, name: str | None = None):
        return self.run(
            print_command(
                PPP_ACTIVE,
                proplist=PPP_SESSION_FIELDS,
                where=_where_name("name", name),
                parse=_each(PPPSession.from_row),
            )
        )

    def ppp_active_remove(self, *ids: str):
        return self.run(remove_command(PPP_ACTIVE, *ids))

    # -- anything else
    def print(self, path: str, *, proplist=None, where=None):
        """Rows of any menu as ``dict[str, str]``."""
        return self.run(print_command(path, proplist=proplist, where=where))

    def command(self, word: str, **attributes):
        """Any command; returns the ``!re`` rows (``=ret=`` is in ``.done``)."""
        return self.run(Command(word, attribute_words(attributes), lambda reply: reply))
