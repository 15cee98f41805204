"""Running numbers per organisation (receipts, invoices) without gaps or repeats."""

from django.db import IntegrityError, connection, transaction

from billing.models import DocumentCounter
from nettportal import db


def _increment(organization_id: int, kind: str) -> int | None:
    """Count the counter up by one and return its new value; None when it does not exist.

    On PostgreSQL one ``UPDATE … RETURNING``, which takes the row lock and counts
    in one round trip; elsewhere (SQLite in development, where RETURNING needs
    3.35 or newer) the UPDATE, then a read of the row it locked.
    """
    where = "WHERE organization_id = %s AND kind = %s"
    update = f"UPDATE {db.table(DocumentCounter)} SET value = value + 1 {where}"  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"{update} RETURNING value", [organization_id, kind])
            row = cursor.fetchone()
        else:
            cursor.execute(update, [organization_id, kind])
            if cursor.rowcount != 1:
                return None
            cursor.execute(
                f"SELECT value FROM {db.table(DocumentCounter)} {where}",  # noqa: S608
                [organization_id, kind],
            )
            row = cursor.fetchone()
    return None if row is None else row[0]


def next_number(*, organization_id: int, kind: str) -> int:
    """The next number of ``kind``; the row stays locked until the caller commits.

    Call it as late as possible in a transaction: every payment of the
    organisation that is being numbered waits for this row. The first number of
    a kind creates the counter; a transaction that loses that race counts on the
    row the winner created.
    """
    with transaction.atomic(savepoint=False):
        number = _increment(organization_id, kind)
        if number is not None:
            return number
        try:
            with transaction.atomic():
                DocumentCounter.objects.create(organization_id=organization_id, kind=kind, value=1)
            return 1
        except IntegrityError:  # created a moment ago by another transaction
            number = _increment(organization_id, kind)
            if number is None:
                raise
            return number
