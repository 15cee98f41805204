"""Small database helpers shared by the apps.

Hand-written statements
-----------------------
On the busiest request paths (a landing-page voucher redemption, which every
device joining a hotspot may make) building and compiling the ORM's statements
cost more CPU than PostgreSQL spent running them: about 2 ms for a SELECT of
one voucher with its package on a small server, against 0.1 ms for the round
trip. :func:`select_list`, :func:`instance_from_row`, :func:`insert_rows` and
:func:`update_fields` let such a path write its few statements by hand while
still getting and giving model instances as the ORM would (the same column
list, the same database converters on the way in and adapters on the way out,
so it works on SQLite as well). What they do not do: they bypass the tenant
manager and ``TenantModel.save`` (the caller names the organisation in its
WHERE clauses and rows; :func:`update_fields` adds the row's own organisation
to its WHERE), send no model signals, run no ``pre_save`` (``auto_now`` fields
are not touched) and fill no defaults (:func:`insert_rows` writes exactly the
fields it is given). Use them only where a profile shows the ORM's compile
time matters, and keep the ORM everywhere else.
"""

from __future__ import annotations

import functools

from django.db import DatabaseError, connection
from django.db.transaction import TransactionManagementError


def relax_commit_durability() -> None:
    """Let the current transaction commit without waiting for the WAL to reach the
    disk (PostgreSQL ``synchronous_commit = off``, for this transaction only).

    For data that is measured again shortly anyway (router polls, usage counters):
    a crash can lose the last moments of it, never consistency. Only the outermost
    transaction is relaxed: inside a caller's transaction it would relax the
    caller's commit too, so it then does nothing.
    """
    if connection.vendor == "postgresql" and len(connection.atomic_blocks) == 1:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model) -> str:
    return quote(model._meta.db_table)


@functools.cache
def _row_plan(model, alias: str, vendor: str):
    fields = model._meta.concrete_fields
    columns = ", ".join(f"{alias}.{quote(field.column)}" for field in fields)
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(alias)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((index, column, found))
    return columns, [field.attname for field in fields], converters


def select_list(model, alias: str) -> str:
    """Every concrete column of ``model`` under table alias ``alias``, in field order."""
    return _row_plan(model, alias, connection.vendor)[0]


def instance_from_row(model, alias: str, row, start: int = 0):
    """The ``model`` instance in ``row[start:]`` (selected with :func:`select_list`)."""
    _columns, attnames, converters = _row_plan(model, alias, connection.vendor)
    values = list(row[start : start + len(attnames)])
    for index, column, found in converters:
        for convert in found:
            values[index] = convert(values[index], column, connection)
    return model.from_db(connection.alias, attnames, values)


def lock_rows_of(alias: str) -> str:
    """`` FOR UPDATE OF <alias>`` where the database has it, else nothing: SQLite (for
    development) has no row locks, and serialises writing transactions instead."""
    return f" FOR UPDATE OF {alias}" if connection.features.has_select_for_update_of else ""


def require_transaction() -> None:
    """Refuse a locking read outside a transaction, as ``select_for_update`` does."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("A locking read needs a transaction (atomic).")


def row_width(model) -> int:
    return len(model._meta.concrete_fields)


def insert_rows(model, field_names: list[str], rows: list[tuple]) -> None:
    """INSERT ``rows`` (values in ``field_names`` order) in one statement."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in field_names]
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [
        field.get_db_prep_save(value, connection)
        for row in rows
        for field, value in zip(fields, row, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table(model)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
            f"VALUES {', '.join([one] * len(rows))}",
            params,
        )


def update_fields(instance, field_names: list[str]) -> None:
    """UPDATE ``instance``'s row (of its organisation, for tenant rows) with its current
    values of ``field_names``; raises if no row was updated, as ``save()`` does."""
    meta = instance._meta
    fields = [meta.get_field(name) for name in field_names]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    params = [
        field.get_db_prep_save(getattr(instance, field.attname), connection) for field in fields
    ]
    where = f"{quote(meta.pk.column)} = %s"
    params.append(meta.pk.get_db_prep_value(instance.pk, connection))
    organization_id = getattr(instance, "organization_id", None)
    if organization_id is not None:
        where += " AND organization_id = %s"
        params.append(organization_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(type(instance))} SET {assignments} WHERE {where}",  # noqa: S608
            params,
        )
        if cursor.rowcount != 1:
            raise DatabaseError(f"{meta.label} {instance.pk} was not updated")
