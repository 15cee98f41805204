from django.db import migrations, models

# Classes declared twice under two names; the models use the other name.
_UNUSED_DUPLICATES = ["request_log", "router_status"]


def follow_settings(apps, schema_editor):
    """Rules created from the old hard-coded defaults (never touched by staff)
    now follow the class's setting; staff-set periods stay."""
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    RetentionRule.objects.filter(updated_by__isnull=True).update(days=None)
    RetentionRule.objects.filter(retention_class__in=_UNUSED_DUPLICATES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0004_data_rights"),
    ]

    operations = [
        migrations.AlterField(
            model_name="retentionrule",
            name="days",
            field=models.PositiveIntegerField(
                blank=True,
                help_text=(
                    "Rows older than this are deleted by the daily sweep. Empty: the "
                    "configured default (the class's setting)."
                ),
                null=True,
            ),
        ),
        migrations.RunPython(follow_settings, migrations.RunPython.noop),
    ]
