from django.db import migrations, models


class AddIndexWithoutLocking(migrations.AddIndex):
    """CREATE INDEX CONCURRENTLY on PostgreSQL (the voucher table is large and written
    all day: a plain CREATE INDEX would block redemptions while it builds); a plain
    index elsewhere (SQLite in development and tests)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, **_without_locking(schema_editor))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, **_without_locking(schema_editor))


def _without_locking(schema_editor) -> dict:
    return {"concurrently": True} if schema_editor.connection.vendor == "postgresql" else {}


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("accounts", "0001_initial"),
        ("routers", "0001_initial"),
        ("vouchers", "0001_initial"),
    ]

    operations = [
        AddIndexWithoutLocking(
            model_name="voucher",
            index=models.Index(
                condition=models.Q(("status", "active")),
                fields=["router", "device_mac"],
                name="voucher_device_active",
            ),
        ),
    ]
