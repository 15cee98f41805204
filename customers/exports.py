"""Streaming CSV and JSON export of a (filtered) customer list.

Rows are read in keyset chunks of plain tuples (no model instances) along the
list's own (created_at, id) index, with each chunk's tags and PPPoE usernames
fetched in one query apiece, so memory stays flat and the rate stays high
however many customers there are. PPPoE passwords are never exported.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Q, QuerySet

from customers.csvio import csv_line_writer
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


def _iso(value):
    return value.isoformat() if value is not None else ""


def export_records(queryset: QuerySet, *, chunk: int = CHUNK) -> Iterator[tuple]:
    """Tuples in ``HEADER`` order (the last three are lists), oldest customer first."""
    from customers.selectors import _pppoe_model

    PppoeAccount = _pppoe_model()
    through = Customer.tags.through
    base = queryset.order_by("created_at", "id").values_list(*FIELDS)
    last = None
    while True:
        page = base
        if last is not None:
            created, pk = last
            page = page.filter(
                Q(created_at__gte=created)
                & (Q(created_at__gt=created) | Q(created_at=created, id__gt=pk))
            )
        rows = list(page[:chunk])
        if not rows:
            return
        ids = [row[0] for row in rows]
        tags = defaultdict(list)
        for customer_id, name in (
            through.objects.filter(customer_id__in=ids)
            .order_by("tag__name")
            .values_list("customer_id", "tag__name")
        ):
            tags[customer_id].append(name)
        usernames, packages = defaultdict(list), defaultdict(list)
        if PppoeAccount is not None:
            for customer_id, username, profile in (
                PppoeAccount.objects.filter(customer_id__in=ids)
                .order_by("username")
                .values_list("customer_id", "username", "profile")
            ):
                usernames[customer_id].append(username)
                packages[customer_id].append(profile)
        for row in rows:
            pk = row[0]
            yield (
                *row[:9],
                _iso(row[9]),
                row[10],
                _iso(row[11]),
                _iso(row[12]),
                _iso(row[13]),
                tags.get(pk, []),
                usernames.get(pk, []),
                packages.get(pk, []),
            )
        last = (rows[-1][11], rows[-1][0])
        if len(rows) < chunk:
            return


def _csv_value(value):
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list):
        return ", ".join(value)
    return value


def csv_stream(queryset: QuerySet) -> Iterator[str]:
    write = csv_line_writer()
    yield "\ufeff"  # so spreadsheets read the file as UTF-8
    yield write(HEADER)
    buffer = []
    for record in export_records(queryset):
        buffer.append(write([_csv_value(value) for value in record]))
        if len(buffer) >= 500:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


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
