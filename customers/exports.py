"""Streaming CSV and JSON export of a (filtered) customer list.

Rows are read in keyset chunks of plain tuples (no model instances) along the
list's own (created_at, id) index, with each chunk's tags and PPPoE usernames
fetched in one query apiece, so memory stays flat and the rate stays high
however many customers there are. PPPoE passwords are never exported.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime

from django.db import connection
from django.db.models import CharField, Func, Q, QuerySet

from customers.csvio import safe_cell
from customers.models import Customer

CHUNK = 5000
FIELDS = (
    "id",
    "name",
    "phone",
    "email",
    "customer_type",
    "status",
    "address",
    "notes",
    "marketing_consent",
    "marketing_consent_at",
    "source",
    "created_at",
    "updated_at",
    "last_seen_at",
)
HEADER = (*FIELDS, "tags", "pppoe_usernames", "packages")


DATETIME_FIELDS = ("marketing_consent_at", "created_at", "updated_at", "last_seen_at")


class IsoUtc(Func):
    """A timestamp as ISO 8601 text in UTC, formatted by PostgreSQL (parsing and
    re-formatting datetimes in Python would be most of the export's cost)."""

    output_field = CharField()
    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"


def _iso(value):
    return value.isoformat() if value is not None else ""


def _columns(queryset: QuerySet) -> tuple[QuerySet, tuple[str, ...], bool]:
    if connection.vendor != "postgresql":
        return queryset, FIELDS, False
    texts = {f"{name}_iso": IsoUtc(name) for name in DATETIME_FIELDS}
    names = tuple(f"{name}_iso" if name in DATETIME_FIELDS else name for name in FIELDS)
    return queryset.annotate(**texts), names, True


def export_records(queryset: QuerySet, *, chunk: int = CHUNK) -> Iterator[tuple]:
    """Tuples in ``HEADER`` order (the last three are lists), oldest customer first."""
    from customers.selectors import _pppoe_model

    PppoeAccount = _pppoe_model()
    through = Customer.tags.through
    plain = queryset.order_by("created_at", "id")
    queryset, names, as_text = _columns(queryset)
    base = queryset.order_by("created_at", "id").values_list(*names)
    last = None
    while True:
        page, ids = base, plain
        if last is not None:
            created, pk = last
            after = Q(created_at__gte=created) & (
                Q(created_at__gt=created) | Q(created_at=created, id__gt=pk)
            )
            page, ids = page.filter(after), ids.filter(after)
        rows = list(page[:chunk])
        if not rows:
            return
        # The chunk's ids as a subquery, not a list: binding thousands of parameters
        # costs more than the database spends finding them again by index.
        chunk_ids = ids.values("id")[:chunk]
        tags = defaultdict(list)
        for customer_id, name in (
            through.objects.filter(customer_id__in=chunk_ids)
            .order_by("tag__name")
            .values_list("customer_id", "tag__name")
        ):
            tags[customer_id].append(name)
        usernames, packages = defaultdict(list), defaultdict(list)
        for customer_id, username, profile in (
            PppoeAccount.objects.filter(customer_id__in=chunk_ids)
            .order_by("username")
            .values_list("customer_id", "username", "profile")
        ):
            usernames[customer_id].append(username)
            packages[customer_id].append(profile)
        empty = []
        if as_text:
            for row in rows:
                pk = row[0]
                yield (
                    *row[:9],
                    row[9] or "",
                    row[10],
                    row[11],
                    row[12],
                    row[13] or "",
                    tags.get(pk, empty),
                    usernames.get(pk, empty),
                    packages.get(pk, empty),
                )
            last_created = datetime.fromisoformat(rows[-1][11])
        else:
            for row in rows:
                pk = row[0]
                yield (
                    *row[:9],
                    _iso(row[9]),
                    row[10],
                    _iso(row[11]),
                    _iso(row[12]),
                    _iso(row[13]),
                    tags.get(pk, empty),
                    usernames.get(pk, empty),
                    packages.get(pk, empty),
                )
            last_created = rows[-1][11]
        last = (last_created, rows[-1][0])
        if len(rows) < chunk:
            return


# Cells an operator or a customer typed: guarded against spreadsheet formulas.
_TYPED = (1, 3, 6, 7)


def csv_stream(queryset: QuerySet) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    yield "\ufeff" + buffer.getvalue()  # the mark makes spreadsheets read UTF-8
    buffer.seek(0)
    buffer.truncate()
    pending = 0
    for record in export_records(queryset):
        row = list(record)
        for index in _TYPED:
            row[index] = safe_cell(row[index])
        row[8] = "yes" if row[8] else "no"
        row[14] = safe_cell(", ".join(row[14]))
        row[15] = ", ".join(row[15])
        row[16] = ", ".join(row[16])
        writer.writerow(row)
        pending += 1
        if pending >= 1000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()


def json_stream(queryset: QuerySet) -> Iterator[str]:
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    yield '{"format":"nettportal.customers","version":1,"customers":[\n'
    first = True
    buffer = []
    for record in export_records(queryset):
        item = {}
        for name, value in zip(HEADER, record, strict=True):
            if value == "" and name.endswith("_at"):
                value = None
            item[name] = value
        buffer.append(("" if first else ",\n") + encoder.encode(item))
        first = False
        if len(buffer) >= 500:
            yield "".join(buffer)
            buffer = []
    buffer.append("\n]}\n")
    yield "".join(buffer)
