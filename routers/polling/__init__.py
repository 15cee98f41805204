"""Polling: claim routers, ask them over the API concurrently, store what they said.

One call of :func:`poll_routers` handles a group of routers (a Celery chunk
task, ``manage.py poll_routers`` or the "test connection" button):

1. **claim** — one conditional UPDATE gives each router a lease (a token and
   an expiry). A router whose lease is held is skipped, so one router is never
   polled twice at once, whoever asks.
2. **fetch** — an asyncio loop in a helper thread connects to every claimed
   router at once with the async client; logged-in routers are asked their
   menus, ``ROUTER_POLL_CONCURRENCY`` at a time, each under its own time
   limit, and results go over a queue as they finish. A slow or black-holed
   router holds no slot while it times out: it costs its own timeout and
   nothing else.
3. **store** — the calling thread (an ordinary Django thread) stores results
   as they arrive, in batches: one transaction per batch that first locks the
   routers whose lease it still holds, then writes each router's status,
   events and interface changes, and finally the batch's status samples,
   interface deltas and replaced session sets in a few bulk statements. A
   router's data lands completely or not at all; if a batch fails, its
   results are stored one by one so only the broken one is lost.

``fetch`` talks to routers, ``store`` writes, ``engine`` schedules.
"""

from routers.polling.engine import (
    PollOutcome,
    backoff_seconds,
    chunked,
    claim_routers,
    due_router_ids,
    poll_routers,
)
from routers.polling.fetch import PollResult, fetch_router, router_target
from routers.polling.store import counter_delta, has_rebooted, store_results

__all__ = [
    "PollOutcome",
    "PollResult",
    "backoff_seconds",
    "chunked",
    "claim_routers",
    "counter_delta",
    "due_router_ids",
    "fetch_router",
    "has_rebooted",
    "poll_routers",
    "router_target",
    "store_results",
]
