"""Usage records from router polling.

Each successful poll of a router hands its active hotspot and PPPoE sessions
to :func:`usage_snapshot_record`, which turns successive snapshots into
per-session records and daily rollups:

* a session is known by (router, kind, RouterOS ``.id``) *and* the same user
  and device, and its uptime must have grown by about the time that passed —
  otherwise the ``.id`` was reused by a new login, and the old session ends;
* a session that is no longer listed ended (at the last poll that saw it);
* when the router rebooted, every open session ended (RouterOS restarts its
  ``.id`` numbering and counters), and what is listed now is new;
* byte counters that go backwards while the session continues were reset;
  the new counter value is what passed since the reset;
* each poll's bytes and seconds go to the customer's and the router's daily
  rollups for the organisation's local day, split across midnight in
  proportion to the time on each side.

Applying the same snapshot twice changes nothing; an older snapshot than the
last one applied is ignored.
"""

from __future__ import annotations

import functools
import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from customers.models import Customer, CustomerDevice, PppoeAccount, UsageSession
from customers.models.usage import RouterUsageDaily, UsageDaily
from customers.validation import normalize_mac
from nettportal.db import relax_commit_durability

logger = logging.getLogger(__name__)

# A session whose uptime grew this much less than the wall clock did was replaced
# by a new login under the same ``.id`` (allows for clock drift and rounding).
UPTIME_SLACK_SECONDS = 30
MAX_SPREAD_DAYS = 31
DEVICE_TOUCH_SECONDS = 600
CUSTOMER_TOUCH_SECONDS = 300


@dataclass(frozen=True)
class ObservedSession:
    """One row of ``/ip/hotspot/active`` or ``/ppp/active``, as polling saw it."""

    kind: str
    session_id: str
    username: str
    mac_address: str = ""
    ip_address: str = ""
    uptime_seconds: int = 0
    bytes_in: int | None = None
    bytes_out: int | None = None


@dataclass
class UsageOutcome:
    opened: int = 0
    continued: int = 0
    closed: int = 0
    counter_resets: int = 0
    skipped_stale_snapshot: bool = False
    customers_seen: set = field(default_factory=set)
    devices: dict = field(default_factory=dict)


# --- resolving who a session belongs to ------------------------------------------------

Resolver = Callable[[str, list[str]], dict[str, int]]
_RESOLVERS: list[Resolver] = []


def register_session_resolver(resolver: Resolver) -> Resolver:
    """Let another app map session usernames to customers.

    ``resolver(kind, usernames) -> {username: customer_id}`` runs under the
    active tenant. The vouchers app will register one that maps voucher codes
    (hotspot usernames) to the customer who bought the voucher.
    """
    if resolver not in _RESOLVERS:
        _RESOLVERS.append(resolver)
    return resolver


def _pppoe_resolver(kind: str, usernames: list[str]) -> dict[str, int]:
    if kind != UsageSession.Kind.PPPOE or not usernames:
        return {}
    wanted = {name.lower(): name for name in usernames}
    found = {}
    for lowered, customer_id in (
        PppoeAccount.objects.annotate(lname=Lower("username"))
        .filter(lname__in=list(wanted))
        .values_list("lname", "customer_id")
    ):
        found[wanted[lowered]] = customer_id
    return found


def _resolve(sessions: list[ObservedSession]) -> dict[tuple[str, str], int]:
    """(kind, username) → customer id, then MAC addresses of known devices."""
    by_kind = defaultdict(set)
    for session in sessions:
        by_kind[session.kind].add(session.username)
    found: dict[tuple[str, str], int] = {}
    for kind, names in by_kind.items():
        for resolver in (_pppoe_resolver, *_RESOLVERS):
            missing = [name for name in names if (kind, name) not in found]
            if not missing:
                break
            for username, customer_id in resolver(kind, missing).items():
                found[(kind, username)] = customer_id
    macs = {
        session.mac_address
        for session in sessions
        if session.mac_address and (session.kind, session.username) not in found
    }
    if macs:
        owners = defaultdict(set)
        for mac, customer_id in CustomerDevice.objects.filter(mac_address__in=macs).values_list(
            "mac_address", "customer_id"
        ):
            owners[mac].add(customer_id)
        for session in sessions:
            candidates = owners.get(session.mac_address, ())
            if (session.kind, session.username) not in found and len(candidates) == 1:
                found[(session.kind, session.username)] = next(iter(candidates))
    return found


# --- converting what the routers app polled ---------------------------------------------


def _mac(value: str) -> str:
    try:
        return normalize_mac(value) if value else ""
    except Exception:  # RouterOS caller-id of a non-Ethernet PPP link: not a MAC
        return ""


def observed_from_poll(
    *, hotspot_sessions=(), ppp_sessions=(), interfaces=()
) -> list[ObservedSession]:
    """Our input from the routers client's typed results.

    ``/ppp/active`` has no byte counters; RouterOS counts a PPPoE session's
    traffic on its dynamic interface ``<pppoe-NAME>``, where ``rx`` is what
    the customer sent (our ``bytes_in``). When the poll listed interfaces we
    use them; otherwise PPPoE sessions record time only.
    """
    dynamic = {iface.name: iface for iface in interfaces}
    observed = [
        ObservedSession(
            kind=UsageSession.Kind.HOTSPOT,
            session_id=session.id,
            username=session.user,
            mac_address=_mac(session.mac_address),
            ip_address=session.address,
            uptime_seconds=session.uptime_seconds,
            bytes_in=session.bytes_in,
            bytes_out=session.bytes_out,
        )
        for session in hotspot_sessions
    ]
    for session in ppp_sessions:
        iface = dynamic.get(f"<pppoe-{session.name}>")
        observed.append(
            ObservedSession(
                kind=UsageSession.Kind.PPPOE,
                session_id=session.id,
                username=session.name,
                mac_address=_mac(session.caller_id),
                ip_address=session.address,
                uptime_seconds=session.uptime_seconds,
                bytes_in=iface.rx_bytes if iface is not None else None,
                bytes_out=iface.tx_bytes if iface is not None else None,
            )
        )
    return observed


# --- the builder -------------------------------------------------------------------------


def _local_day(moment: datetime, zone) -> date:
    return moment.astimezone(zone).date()


@functools.lru_cache(maxsize=1024)
def _split_by_day(start: datetime, end: datetime, zone) -> tuple[tuple[date, float], ...]:
    """[(local day, share)] of the span start→end; the shares add up to 1.

    Differences are taken in UTC, so a day with a daylight-saving change is
    as long as it really was. Cached: every continuing session of a router
    spans the same two poll times. Callers must not change the returned list.
    """
    if end <= start:
        return ((_local_day(end, zone), 1.0),)
    start = max(start, end - timedelta(days=MAX_SPREAD_DAYS))
    total = (end - start).total_seconds()
    parts = []
    cursor = start
    while cursor < end:
        day = _local_day(cursor, zone)
        midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        piece_end = min(midnight.astimezone(UTC), end)
        parts.append((day, (piece_end - cursor).total_seconds() / total))
        cursor = piece_end
    return tuple(parts)


class _Rollups:
    """Deltas to add to the daily rollups, split across local days."""

    def __init__(self, zone):
        self.zone = zone
        self.customers = defaultdict(lambda: [0, 0, 0, 0])
        self.routers = defaultdict(lambda: [0, 0, 0, 0])

    def add(self, *, router_id, customer_id, since, until, bytes_in, bytes_out, seconds, new):
        parts = _split_by_day(since, until, self.zone)
        remaining = [bytes_in, bytes_out, seconds]
        for index, (day, share) in enumerate(parts):
            last = index == len(parts) - 1
            amounts = (
                remaining if last else [round(v * share) for v in (bytes_in, bytes_out, seconds)]
            )
            if not last:
                remaining = [r - a for r, a in zip(remaining, amounts, strict=True)]
            started = 1 if new and index == 0 else 0
            for bucket, key in ((self.routers, router_id), (self.customers, customer_id)):
                if key is None:
                    continue
                row = bucket[(key, day)]
                row[0] += amounts[0]
                row[1] += amounts[1]
                row[2] += amounts[2]
                row[3] += started

    def write(self, organization_id: int) -> None:
        _upsert(UsageDaily._meta.db_table, "customer_id", organization_id, self.customers)
        _upsert(RouterUsageDaily._meta.db_table, "router_id", organization_id, self.routers)


def _upsert(table: str, key_column: str, organization_id: int, rows: dict) -> None:
    """Add to rollup rows in one statement per 500: INSERT … ON CONFLICT DO UPDATE
    (PostgreSQL and SQLite share this syntax), so two pollers adding to the same
    customer-day at once both count."""
    items = sorted(
        ((key, day, values) for (key, day), values in rows.items() if any(values)),
        key=lambda item: (item[0], item[1]),
    )
    quoted = connection.ops.quote_name(table)
    for start in range(0, len(items), 500):
        chunk = items[start : start + 500]
        placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
        params = []
        for key, day, (bytes_in, bytes_out, seconds, sessions) in chunk:
            params += [
                organization_id,
                key,
                connection.ops.adapt_datefield_value(day),
                bytes_in,
                bytes_out,
                seconds,
                sessions,
            ]
        # Table and column names come from our models, values are parameters.
        sql = (
            f"INSERT INTO {quoted} (organization_id, {key_column}, day, bytes_in, bytes_out, "  # noqa: S608
            f"seconds, sessions) VALUES {placeholders} "
            f"ON CONFLICT (organization_id, {key_column}, day) DO UPDATE SET "
            f"bytes_in = {quoted}.bytes_in + excluded.bytes_in, "
            f"bytes_out = {quoted}.bytes_out + excluded.bytes_out, "
            f"seconds = {quoted}.seconds + excluded.seconds, "
            f"sessions = {quoted}.sessions + excluded.sessions"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _zone(organization_id: int):
    from accounts import tenancy
    from accounts.models import Organization

    active = tenancy.current_organization_or_none()
    if active is not None and active.pk == organization_id:
        name = active.time_zone
    else:
        name = Organization.objects.values_list("time_zone", flat=True).get(pk=organization_id)
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


@dataclass(slots=True)
class _Open:
    """An open session as stored (plain values: the hot path of every poll)."""

    pk: int
    kind: str
    router_session_id: str
    username: str
    mac_address: str
    customer_id: int | None
    uptime_seconds: int
    counter_in: int
    counter_out: int
    last_seen_at: datetime


_OPEN_FIELDS = (
    "pk",
    "kind",
    "router_session_id",
    "username",
    "mac_address",
    "customer_id",
    "uptime_seconds",
    "counter_in",
    "counter_out",
    "last_seen_at",
)


def _continues(stored: _Open, seen: ObservedSession, taken_at: datetime) -> bool:
    if stored.username != seen.username:
        return False
    if stored.mac_address and seen.mac_address and stored.mac_address != seen.mac_address:
        return False
    elapsed = (taken_at - stored.last_seen_at).total_seconds()
    expected = stored.uptime_seconds + elapsed
    slack = max(UPTIME_SLACK_SECONDS, elapsed * 0.1)
    return seen.uptime_seconds >= expected - slack and seen.uptime_seconds >= stored.uptime_seconds


def _delta(previous: int, current: int | None) -> tuple[int, bool]:
    if current is None:
        return 0, False
    if current < previous:
        return current, True  # the counter was reset: all of it is new
    return current - previous, False


def _update_continuing(rows: list[tuple], organization_id: int, router_ids) -> None:
    """Write the continuing sessions' new counters in one statement.

    ``bulk_update`` would build a CASE expression per field and row in Python,
    which costs more than the whole poll. On PostgreSQL the values travel as
    nine arrays (``unnest``), so the statement is the same short text for 1 or
    500 sessions; the table's fill factor (migration 0005) leaves room on each
    page so these updates are HOT (no index entries rewritten: none of the
    columns changed here is indexed). Elsewhere: UPDATE … FROM (VALUES …).

    The statement names the routers too: the rows are open sessions of those
    routers, and saying so lets PostgreSQL find them through the open-sessions
    index for a lot of thousands of sessions as well, where a join on ids
    alone turns into a scan of every session ever recorded.
    """
    if not rows:
        return
    ops = connection.ops
    table = ops.quote_name(UsageSession._meta.db_table)
    assignments = (
        f"bytes_in = {table}.bytes_in + v.din, bytes_out = {table}.bytes_out + v.dout, "
        f"counter_in = v.cin, counter_out = v.cout, uptime_seconds = v.up, "
        f"last_seen_at = v.seen, ip_address = COALESCE(v.ip, {table}.ip_address), "
        f"mac_address = CASE WHEN {table}.mac_address = '' THEN v.mac "
        f"ELSE {table}.mac_address END"
    )
    if connection.vendor == "postgresql":
        columns = list(zip(*rows, strict=True))
        sql = (
            f"UPDATE {table} SET {assignments} FROM unnest("  # noqa: S608
            "%s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[], "
            "%s::bigint[], %s::timestamptz[], %s::inet[], %s::varchar[]"
            f") AS v(id, din, dout, cin, cout, up, seen, ip, mac) WHERE {table}.id = v.id "
            f"AND {table}.organization_id = %s AND {table}.router_id = ANY(%s) "
            f"AND {table}.ended_at IS NULL"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*_array_literals(columns), organization_id, list(router_ids)])
        return
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        params = []
        for pk, din, dout, cin, cout, uptime, seen_at, ip, mac in chunk:
            params += [
                pk,
                din,
                dout,
                cin,
                cout,
                uptime,
                ops.adapt_datetimefield_value(seen_at),
                ip,
                mac,
            ]
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
        sql = (
            f"WITH v (id, din, dout, cin, cout, up, seen, ip, mac) AS (VALUES {values}) "  # noqa: S608
            f"UPDATE {table} SET {assignments} FROM v WHERE {table}.id = v.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _array_literals(columns: list[tuple]) -> list[str]:
    """PostgreSQL array literals (``{1,2,"a"}``) for the nine columns of
    :func:`_update_continuing`, cast to their types by the statement. Written
    here because the driver's generic array adapter inspects every element
    again and costs more than the rest of a poll's usage bookkeeping."""
    moments: dict = {}

    def text(value) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, datetime):
            value = moments.get(value) or moments.setdefault(value, value.isoformat())
        return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'

    literals = []
    for index, column in enumerate(columns):
        if index < 6:  # ids, deltas, counters and uptime: integers
            body = ",".join("NULL" if value is None else str(int(value)) for value in column)
        else:
            body = ",".join(map(text, column))
        literals.append("{" + body + "}")
    return literals


_INSERT_COLUMNS = (
    "organization_id",
    "router_id",
    "customer_id",
    "kind",
    "username",
    "mac_address",
    "ip_address",
    "router_session_id",
    "started_at",
    "last_seen_at",
    "end_reason",
    "uptime_seconds",
    "bytes_in",
    "bytes_out",
    "counter_in",
    "counter_out",
)


def _insert_new(organization_id: int, rows: list[tuple]) -> None:
    """Multi-row INSERTs for sessions seen for the first time (a freshly added
    router brings all of its sessions at once); rows are
    ``(router_id, ObservedSession, customer_id, started_at, taken_at)``."""
    if not rows:
        return
    ops = connection.ops
    table = ops.quote_name(UsageSession._meta.db_table)
    width = len(_INSERT_COLUMNS)
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        params = []
        for router_id, seen, customer_id, started_at, taken_at in chunk:
            params += [
                organization_id,
                router_id,
                customer_id,
                seen.kind,
                seen.username[:100],
                seen.mac_address,
                seen.ip_address or None,
                seen.session_id[:20],
                ops.adapt_datetimefield_value(started_at),
                ops.adapt_datetimefield_value(taken_at),
                "",
                seen.uptime_seconds,
                seen.bytes_in or 0,
                seen.bytes_out or 0,
                seen.bytes_in or 0,
                seen.bytes_out or 0,
            ]
        row = "(" + ", ".join(["%s"] * width) + ")"
        sql = (
            f"INSERT INTO {table} ({', '.join(_INSERT_COLUMNS)}) "  # noqa: S608
            f"VALUES {', '.join([row] * len(chunk))}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


@dataclass
class Snapshot:
    """One poll of one router, as :func:`usage_snapshots_record` takes it."""

    router: object
    taken_at: datetime
    sessions: list[ObservedSession]
    rebooted: bool = False


@transaction.atomic
def usage_snapshot_record(
    *,
    router,
    taken_at: datetime,
    sessions: Iterable[ObservedSession],
    rebooted: bool = False,
) -> UsageOutcome:
    """Apply one poll's active sessions of ``router``; see the module docstring."""
    return _record_snapshots([Snapshot(router, taken_at, list(sessions), rebooted)])[0]


@transaction.atomic
def usage_snapshots_record(snapshots: list[Snapshot]) -> list[UsageOutcome]:
    """:func:`usage_snapshot_record` for many routers of the active organisation
    at once, with the same result as one call per router (their sessions are
    disjoint), in a handful of statements whatever the number of routers:
    one read of the open sessions, one UPDATE per end reason, one for the
    continuing sessions, one INSERT for new ones, one upsert per rollup table."""
    return _record_snapshots(snapshots)


def _record_snapshots(snapshots: list[Snapshot]) -> list[UsageOutcome]:
    if not snapshots:
        return []
    organization_id = snapshots[0].router.organization_id
    if any(item.router.organization_id != organization_id for item in snapshots):
        raise ValueError("usage snapshots of one organisation at a time")
    # No row locks: router polling holds a lease, so one router's snapshots never
    # run at the same time (and locking every open row would write every row).
    open_by_router: dict[int, list[_Open]] = defaultdict(list)
    for router_id, *values in UsageSession.objects.filter(
        router_id__in={item.router.pk for item in snapshots}, ended_at__isnull=True
    ).values_list("router_id", *_OPEN_FIELDS):
        open_by_router[router_id].append(_Open(*values))
    zone = _zone(organization_id)
    rollups = _Rollups(zone)
    to_close: dict[str, list[int]] = defaultdict(list)
    continuing: list[tuple] = []
    fresh: list[tuple] = []  # (snapshot, outcome, seen)
    outcomes = []
    for item in snapshots:
        outcome = UsageOutcome()
        outcomes.append(outcome)
        _match(
            item,
            open_by_router.get(item.router.pk, []),
            outcome,
            rollups,
            to_close,
            continuing,
            fresh,
        )

    for reason, ids in to_close.items():
        if ids:
            UsageSession.objects.filter(pk__in=ids).update(
                ended_at=F("last_seen_at"), end_reason=reason
            )
    _update_continuing(continuing, organization_id, [item.router.pk for item in snapshots])

    owners = _resolve([seen for _item, _outcome, seen in fresh]) if fresh else {}
    new_rows = []
    for item, outcome, seen in fresh:
        router, taken_at = item.router, item.taken_at
        customer_id = owners.get((seen.kind, seen.username))
        started_at = taken_at - timedelta(seconds=seen.uptime_seconds)
        new_rows.append((router.pk, seen, customer_id, started_at, taken_at))
        outcome.opened += 1
        rollups.add(
            router_id=router.pk,
            customer_id=customer_id,
            since=started_at,
            until=taken_at,
            bytes_in=seen.bytes_in or 0,
            bytes_out=seen.bytes_out or 0,
            seconds=seen.uptime_seconds,
            new=True,
        )
        if customer_id:
            outcome.customers_seen.add(customer_id)
            if seen.mac_address:
                outcome.devices[(customer_id, seen.mac_address)] = seen.ip_address
    _insert_new(organization_id, new_rows)
    rollups.write(organization_id)

    for item, outcome in zip(snapshots, outcomes, strict=True):
        if outcome.customers_seen:
            _touch_customers(outcome.customers_seen, item.taken_at)
            _touch_devices(organization_id, outcome.devices, item.taken_at)
        if outcome.skipped_stale_snapshot:
            continue
        logger.log(
            logging.INFO if (outcome.opened or outcome.closed or item.rebooted) else logging.DEBUG,
            "usage router=%s opened=%s continued=%s closed=%s resets=%s rebooted=%s",
            item.router.pk,
            outcome.opened,
            outcome.continued,
            outcome.closed,
            outcome.counter_resets,
            item.rebooted,
        )
    return outcomes


def _match(item: Snapshot, open_rows, outcome, rollups, to_close, continuing, fresh) -> None:
    """One router's snapshot against its open sessions: what continues (its
    rollups added), what ends, what is new (left in ``fresh``)."""
    router, taken_at = item.router, item.taken_at
    sessions = [s for s in item.sessions if s.session_id and s.username]
    if any(row.last_seen_at > taken_at for row in open_rows):
        outcome.skipped_stale_snapshot = True
        return
    if item.rebooted:
        to_close[UsageSession.EndReason.ROUTER_REBOOT] += [row.pk for row in open_rows]
        outcome.closed += len(open_rows)
        open_rows = []
    open_by_key = {(row.kind, row.router_session_id): row for row in open_rows}
    matched = set()
    for seen in sessions:
        stored = open_by_key.get((seen.kind, seen.session_id))
        if stored is not None and stored.pk not in matched and _continues(stored, seen, taken_at):
            matched.add(stored.pk)
            delta_in, reset_in = _delta(stored.counter_in, seen.bytes_in)
            delta_out, reset_out = _delta(stored.counter_out, seen.bytes_out)
            if reset_in or reset_out:
                outcome.counter_resets += 1
            rollups.add(
                router_id=router.pk,
                customer_id=stored.customer_id,
                since=stored.last_seen_at,
                until=taken_at,
                bytes_in=delta_in,
                bytes_out=delta_out,
                seconds=max(0, seen.uptime_seconds - stored.uptime_seconds),
                new=False,
            )
            continuing.append(
                (
                    stored.pk,
                    delta_in,
                    delta_out,
                    seen.bytes_in if seen.bytes_in is not None else stored.counter_in,
                    seen.bytes_out if seen.bytes_out is not None else stored.counter_out,
                    seen.uptime_seconds,
                    taken_at,
                    seen.ip_address or None,
                    seen.mac_address,
                )
            )
            if stored.customer_id:
                outcome.customers_seen.add(stored.customer_id)
                if seen.mac_address:
                    outcome.devices[(stored.customer_id, seen.mac_address)] = seen.ip_address
            outcome.continued += 1
            continue
        if stored is not None and stored.pk not in matched:
            matched.add(stored.pk)
            to_close[UsageSession.EndReason.RESTARTED].append(stored.pk)
            outcome.closed += 1
        fresh.append((item, outcome, seen))
    for row in open_rows:
        if row.pk not in matched:
            to_close[UsageSession.EndReason.VANISHED].append(row.pk)
            outcome.closed += 1


def _touch_customers(customer_ids: set[int], taken_at: datetime) -> None:
    Customer.objects.filter(pk__in=customer_ids).filter(
        Q(last_seen_at__isnull=True)
        | Q(last_seen_at__lt=taken_at - timedelta(seconds=CUSTOMER_TOUCH_SECONDS))
    ).update(last_seen_at=taken_at)


def _touch_devices(organization_id: int, seen: dict, taken_at: datetime) -> None:
    """Remember each customer's devices ({(customer id, MAC): IP}); an existing device's
    last-seen time is refreshed at most every 10 minutes."""
    if not seen:
        return
    stale_before = taken_at - timedelta(seconds=DEVICE_TOUCH_SECONDS)
    existing = {
        (customer_id, mac): (pk, last_seen)
        for pk, customer_id, mac, last_seen in CustomerDevice.objects.filter(
            customer_id__in={key[0] for key in seen}, mac_address__in={key[1] for key in seen}
        ).values_list("pk", "customer_id", "mac_address", "last_seen_at")
    }
    refresh = [
        CustomerDevice(pk=existing[key][0], last_seen_at=taken_at, last_ip=ip or None)
        for key, ip in seen.items()
        if key in existing and existing[key][1] < stale_before
    ]
    if refresh:
        CustomerDevice.objects.bulk_update(refresh, ["last_seen_at", "last_ip"], batch_size=500)
    missing = [
        CustomerDevice(
            organization_id=organization_id,
            customer_id=customer_id,
            mac_address=mac,
            last_ip=ip or None,
            first_seen_at=taken_at,
            last_seen_at=taken_at,
        )
        for (customer_id, mac), ip in seen.items()
        if (customer_id, mac) not in existing
    ]
    if missing:
        CustomerDevice.objects.bulk_create(missing, ignore_conflicts=True)


def usage_poll_record(*, router, result, rebooted: bool = False) -> UsageOutcome | None:
    """The hook router polling calls after storing a successful poll (same transaction).

    ``result`` is the routers app's ``PollResult`` (``taken_at``,
    ``hotspot_sessions``, ``ppp_sessions``, ``interfaces``). Runs in a
    savepoint and never raises: usage bookkeeping must not fail the poll that
    tells operators whether their router is up. A failure is logged (with the
    traceback, for error reporting) and the next poll catches up, because
    counters are cumulative.
    """
    try:
        with transaction.atomic():
            return usage_snapshot_record(
                router=router,
                taken_at=result.taken_at,
                sessions=observed_from_poll(
                    hotspot_sessions=result.hotspot_sessions,
                    ppp_sessions=result.ppp_sessions,
                    interfaces=getattr(result, "interfaces", ()),
                ),
                rebooted=rebooted,
            )
    except Exception:
        logger.exception("usage recording failed for router %s", router.pk)
        return None


def usage_polls_record(polls) -> None:
    """:func:`usage_poll_record` for many polls at once: ``(router, result,
    rebooted)`` of routers of the active organisation, recorded together in
    one transaction (a few statements for the lot). Never raises: if the lot
    fails, each poll is recorded on its own, so only a broken one is lost."""
    polls = list(polls)
    if not polls:
        return
    try:
        with transaction.atomic():
            relax_commit_durability()  # re-measured next poll
            _record_snapshots(
                [
                    Snapshot(
                        router,
                        result.taken_at,
                        observed_from_poll(
                            hotspot_sessions=result.hotspot_sessions,
                            ppp_sessions=result.ppp_sessions,
                            interfaces=getattr(result, "interfaces", ()),
                        ),
                        rebooted,
                    )
                    for router, result, rebooted in polls
                ]
            )
        return
    except Exception:
        if len(polls) == 1:
            logger.exception("usage recording failed for router %s", polls[0][0].pk)
            return
        logger.warning("usage recording of %d polls failed; recording one by one", len(polls))
    for router, result, rebooted in polls:
        usage_poll_record(router=router, result=result, rebooted=rebooted)


# --- housekeeping -------------------------------------------------------------------------


@transaction.atomic
def usage_close_stale(*, older_than: timedelta = timedelta(hours=6), now=None) -> int:
    """Close open sessions of routers that stopped being polled (deleted, paused)."""
    cutoff = (now or timezone.now()) - older_than
    return UsageSession.objects.filter(ended_at__isnull=True, last_seen_at__lt=cutoff).update(
        ended_at=F("last_seen_at"), end_reason=UsageSession.EndReason.STALE
    )


__all__ = [
    "ObservedSession",
    "Snapshot",
    "UsageOutcome",
    "observed_from_poll",
    "register_session_resolver",
    "usage_close_stale",
    "usage_poll_record",
    "usage_polls_record",
    "usage_snapshot_record",
    "usage_snapshots_record",
]
