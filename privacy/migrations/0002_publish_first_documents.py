"""Publish the first versions of the privacy policy, terms and DPA from
``privacy/documents/`` (the texts we wrote and published on 2025-11-30)."""

import datetime
from pathlib import Path

from django.db import migrations
from django.utils import timezone

DOCUMENTS = Path(__file__).resolve().parent.parent / "documents"
FIRST = [
    ("privacy", "privacy-2025-11-30.txt"),
    ("terms", "terms-2025-11-30.txt"),
    ("dpa", "dpa-2025-11-30.txt"),
]


def publish(apps, schema_editor):
    PolicyDocument = apps.get_model("privacy", "PolicyDocument")
    # Also called with the current models by tests that flush the database;
    # later migrations added effective_on, which the first versions share
    # with their "last updated" date.
    has_effective_on = any(f.name == "effective_on" for f in PolicyDocument._meta.fields)
    for kind, filename in FIRST:
        defaults = {
            "last_updated": datetime.date(2025, 11, 30),
            "body": (DOCUMENTS / filename).read_text(encoding="utf-8"),
            "is_significant": False,
            "published_at": timezone.now(),
        }
        if has_effective_on:
            defaults["effective_on"] = datetime.date(2025, 11, 30)
        PolicyDocument.objects.get_or_create(kind=kind, version="2025-11-30", defaults=defaults)


def unpublish(apps, schema_editor):
    PolicyDocument = apps.get_model("privacy", "PolicyDocument")
    PolicyDocument.objects.filter(version="2025-11-30").delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(publish, unpublish)]
