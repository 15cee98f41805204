"""Trigram index for substring search on PPPoE usernames (PostgreSQL only); see 0002."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS pppoe_username_trgm ON customers_pppoeaccount "
        "USING gin (organization_id, UPPER(username::text) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS pppoe_username_trgm")


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_pppoe_and_usage")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
