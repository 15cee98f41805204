"""Running numbers per organisation (receipts, invoices) without gaps or repeats."""

from functools import cache

from django.db import IntegrityError, connection, transaction

from billing.models import DocumentCounter
from nettportal import db


@cache
def _increment_sql() -> str:
    return (
        f"UPDATE {db.table(DocumentCounter)} SET value = value + 1 "  # noqa: S608
        "WHERE organization_id = %s AND kind = %s RETURNING value"
    )


def next_number(*, organization_id: int, kind: str) -> int:
    """The next number of ``kind``; the row stays locked until the caller commits.

    Call it as late as possible in a transaction: every payment of the
    organisation that is being numbered waits for this row. One statement (an
    ``UPDATE … RETURNING``, which takes the row lock and counts in one go) once
    the counter exists; the first number of a kind creates it.
    """
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute(_increment_sql(), [organization_id, kind])
            row = cursor.fetchone()
        if row is not None:
            return row[0]
        try:
            with transaction.atomic():
                DocumentCounter.objects.create(organization_id=organization_id, kind=kind, value=1)
            return 1
        except IntegrityError:  # created a moment ago by another transaction: count on it
            with connection.cursor() as cursor:
                cursor.execute(_increment_sql(), [organization_id, kind])
                return cursor.fetchone()[0]
