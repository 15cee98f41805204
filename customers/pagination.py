"""Keyset (cursor) pagination: every page costs the same, however deep.

``OFFSET 90000`` makes the database walk and throw away 90,000 rows; a keyset
page starts from the last row seen (``WHERE (created_at, id) < (…)``) using
the same index as the sort, so page 2,000 is as fast as page 1. The price is
that pages have no numbers: the list offers first / previous / next / last.

Cursors are opaque URL-safe strings holding the sort values of one row; a
tampered cursor can only move within the tenant's own, already-scoped
queryset, and an unreadable one falls back to the first page.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet


def _identity(value):
    return value


def _dump_datetime(value: datetime) -> str:
    return value.isoformat()


@dataclass(frozen=True)
class SortKey:
    name: str
    descending: bool = False
    parse: Callable[[Any], Any] = _identity
    dump: Callable[[Any], Any] = _identity

    @classmethod
    def datetime(cls, name, descending=False):
        return cls(name, descending, datetime.fromisoformat, _dump_datetime)

    @classmethod
    def integer(cls, name, descending=False):
        return cls(name, descending, int, _identity)

    @classmethod
    def text(cls, name, descending=False):
        return cls(name, descending, str, _identity)


@dataclass
class KeysetPage:
    rows: list
    has_next: bool
    has_previous: bool
    next_cursor: str | None = None
    previous_cursor: str | None = None
    extra: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)


def encode_cursor(values: list) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, keys: list[SortKey]) -> list | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(keys):
            return None
        return [key.parse(value) for key, value in zip(keys, values, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None


def _after(keys: list[SortKey], values: list, *, reverse: bool) -> Q:
    """Rows strictly after ``values`` in the order of ``keys`` (or before, reversed).

    Expanded as ``k1 ⋗ v1 OR (k1 = v1 AND k2 ⋗ v2) …`` plus the redundant
    bound ``k1 ⋗= v1`` that lets the database start an index range scan.
    """
    condition = Q()
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        forward = key.descending == reverse
        lookup = "gt" if forward else "lt"
        condition |= equal & Q(**{f"{key.name}__{lookup}": value})
        equal &= Q(**{key.name: value})
    first = keys[0]
    bound = "gte" if (first.descending == reverse) else "lte"
    return Q(**{f"{first.name}__{bound}": values[0]}) & condition


def _order(keys: list[SortKey], *, reverse: bool) -> list[str]:
    return [("-" if key.descending != reverse else "") + key.name for key in keys]


def keyset_page(
    queryset: QuerySet,
    keys: list[SortKey],
    *,
    per_page: int,
    after: str | None = None,
    before: str | None = None,
    last: bool = False,
) -> KeysetPage:
    """One page of ``queryset`` ordered by ``keys`` (the last key must be unique)."""
    after_values = decode_cursor(after, keys) if after else None
    before_values = decode_cursor(before, keys) if before else None
    reverse = bool(before_values) or (last and not after_values)
    queryset = queryset.order_by(*_order(keys, reverse=reverse))
    if after_values:
        queryset = queryset.filter(_after(keys, after_values, reverse=False))
    elif before_values:
        queryset = queryset.filter(_after(keys, before_values, reverse=True))
    rows = list(queryset[: per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    if reverse:
        rows.reverse()
        has_previous, has_next = more, bool(before_values)
    else:
        has_previous, has_next = bool(after_values), more

    def cursor_of(row):
        return encode_cursor([key.dump(_value(row, key.name)) for key in keys])

    return KeysetPage(
        rows=rows,
        has_next=has_next,
        has_previous=has_previous,
        next_cursor=cursor_of(rows[-1]) if rows and has_next else None,
        previous_cursor=cursor_of(rows[0]) if rows and has_previous else None,
    )


def _value(row, name):
    return row[name] if isinstance(row, dict) else getattr(row, name)
