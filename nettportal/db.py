"""Small database helpers shared by the apps."""

from django.db import connection


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
