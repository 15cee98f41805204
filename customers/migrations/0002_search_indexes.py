"""Trigram indexes for substring search on PostgreSQL.

``icontains`` compiles to ``UPPER(col::text) LIKE UPPER('%term%')`` and
``contains`` to ``col::text LIKE '%term%'``; these GIN indexes match those
expressions exactly. ``organization_id`` leads each index (via btree_gin) so
a search in one tenant never wades through another tenant's matches.
SQLite (development default) has no trigram indexes and needs none at its size.
"""

from django.db import migrations

INDEXES = {
    "cust_name_trgm": "(organization_id, UPPER(name::text) gin_trgm_ops)",
    "cust_email_trgm": "(organization_id, UPPER(email::text) gin_trgm_ops)",
    "cust_phone_trgm": "(organization_id, phone gin_trgm_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    for name, columns in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON customers_customer USING gin {columns}"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
