"""Asking routers: one coroutine per router, run concurrently in a helper thread."""

from __future__ import annotations

import asyncio
import logging
import queue
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from routers.models import Router
from routers.routeros import (
    HotspotSession,
    Identity,
    Interface,
    PPPSession,
    Resource,
    RouterCommandRejected,
    RouterError,
    RouterTarget,
    RouterTimeout,
    async_connect,
)

logger = logging.getLogger("routers.polling")

# Only what a poll stores: every word less is read 100 times per router per minute.
POLLED_SESSION_FIELDS = (
    ".id",
    "user",
    "address",
    "mac-address",
    "uptime",
    "bytes-in",
    "bytes-out",
    "login-by",
)


@dataclass
class PollResult:
    """What one poll learnt (plain data, safe to pass between threads)."""

    router_id: int
    taken_at: datetime
    duration: float = 0.0
    error_kind: str = ""
    error: str = ""
    identity: Identity | None = None
    resource: Resource | None = None
    interfaces: list[Interface] = field(default_factory=list)
    hotspot_sessions: list[HotspotSession] = field(default_factory=list)
    ppp_sessions: list[PPPSession] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error_kind


def router_target(router: Router) -> RouterTarget:
    return RouterTarget(
        host=router.host,
        port=router.api_port,
        username=router.username,
        password=router.password,
        use_tls=router.use_tls,
        verify_tls=router.verify_tls,
        connect_timeout=settings.ROUTER_CONNECT_TIMEOUT,
        read_timeout=settings.ROUTER_READ_TIMEOUT,
    )


async def fetch_router(
    router_id: int, target: RouterTarget, slots: asyncio.Semaphore | None = None
) -> PollResult:
    """Ask one router everything a poll needs; never raises for router trouble.

    Connecting and logging in happen at once for every router of a chunk
    (bounded by the connect timeout); ``slots`` then limits how many routers
    are asked their menus at the same time. A router that accepts the
    connection and never answers, or cannot be reached, so holds no slot while
    it times out: it costs the chunk its own connect timeout, overlapping the
    others' work, wherever it sits in the chunk. Asking is bounded by
    ``ROUTER_POLL_TIME_LIMIT`` (``TimeoutError`` when it runs over).
    """
    result = PollResult(router_id=router_id, taken_at=timezone.now())
    started = time.monotonic()
    waited = 0.0
    try:
        client = await async_connect(target)
        try:
            if slots is not None:
                queued = time.monotonic()
                await slots.acquire()
                waited = time.monotonic() - queued
                result.taken_at = timezone.now()
            try:
                async with asyncio.timeout(settings.ROUTER_POLL_TIME_LIMIT):
                    await _ask(client, result)
            finally:
                if slots is not None:
                    slots.release()
        finally:
            await client.close()
    except RouterError as error:
        result.error_kind, result.error = error.kind, error.message
    result.duration = time.monotonic() - started - waited
    return result


async def _ask(client, result: PollResult) -> None:
    result.identity = await client.identity()
    result.resource = await client.resource()
    result.interfaces = await client.interfaces()
    for menu in ("hotspot", "ppp"):
        try:
            if menu == "hotspot":
                result.hotspot_sessions = await client.hotspot_active(fields=POLLED_SESSION_FIELDS)
            else:
                result.ppp_sessions = await client.ppp_active()
        except RouterCommandRejected as error:
            # e.g. the ppp package is off: the router is fine, the menu is not there
            result.warnings.append(error.message)


async def _fetch_all(jobs: list[tuple[int, RouterTarget]], results: queue.Queue, concurrency: int):
    slots = asyncio.Semaphore(max(1, concurrency))
    limit = settings.ROUTER_POLL_TIME_LIMIT

    async def one(router_id: int, target: RouterTarget):
        try:
            result = await fetch_router(router_id, target, slots)
        except TimeoutError:
            result = PollResult(
                router_id=router_id,
                taken_at=timezone.now(),
                error_kind=RouterTimeout.kind,
                error=f"The poll took longer than {limit} s and was stopped.",
                duration=limit,
            )
        except Exception:  # a bug must not stop the other routers
            logger.exception("router poll failed unexpectedly (router %s)", router_id)
            result = PollResult(
                router_id=router_id,
                taken_at=timezone.now(),
                error_kind="error",
                error="Internal error while polling; the team has been notified.",
            )
        results.put(result)

    await asyncio.gather(*(one(router_id, target) for router_id, target in jobs))
