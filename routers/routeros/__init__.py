"""The RouterOS API client: the one place that talks to routers.

Only ``routers/routeros/client.py`` imports librouteros. Everything else uses
this package (or, better, the higher-level functions in ``routers.services``
that take a :class:`~routers.models.Router`):

    from routers.routeros import RouterTarget, connect, async_connect

    with connect(target) as client:                 # blocking, for interactive actions
        client.identity().name
        client.hotspot_user_add(name="NET-1234-ABCD", password="x", profile="1hour")

    async with await async_connect(target) as client:   # asyncio, for polling
        sessions = await client.hotspot_active()

Every failure is a :class:`RouterError` of one of five kinds: unreachable,
timeout, auth_failed, protocol, rejected (with RouterOS's own message).
"""

from routers.routeros.client import (
    AsyncRouterClient,
    ConnectionPool,
    RouterClient,
    RouterTarget,
    async_connect,
    connect,
    connection_pool,
    map_error,
)
from routers.routeros.commands import Command, CommandSet, RawReply
from routers.routeros.errors import (
    ERROR_KINDS,
    RouterAuthFailed,
    RouterCommandRejected,
    RouterError,
    RouterProtocolError,
    RouterTimeout,
    RouterUnreachable,
)
from routers.routeros.types import (
    HotspotProfile,
    HotspotSession,
    HotspotUser,
    Identity,
    Interface,
    PPPSecret,
    PPPSession,
    Resource,
)

__all__ = [
    "ERROR_KINDS",
    "AsyncRouterClient",
    "Command",
    "CommandSet",
    "ConnectionPool",
    "HotspotProfile",
    "HotspotSession",
    "HotspotUser",
    "Identity",
    "Interface",
    "PPPSecret",
    "PPPSession",
    "RawReply",
    "Resource",
    "RouterAuthFailed",
    "RouterClient",
    "RouterCommandRejected",
    "RouterError",
    "RouterProtocolError",
    "RouterTarget",
    "RouterTimeout",
    "RouterUnreachable",
    "async_connect",
    "connect",
    "connection_pool",
    "map_error",
]
