"""Benchmark: the organisation export of a big tenant — wall time and peak memory.

    .venv/bin/python bench/privacy_export.py            # 100,000 customers, 1,000,000 sessions
    .venv/bin/python bench/privacy_export.py --quick    # 10,000 / 100,000
    BENCH_CUSTOMERS=50000 BENCH_SESSIONS=500000 .venv/bin/python bench/privacy_export.py

Run it against PostgreSQL (``DATABASE_URL``) for figures that mean something.
Rows are generated once into a dedicated organisation (slug ``bench-export``)
and reused by later runs. The export itself runs in a fresh child process
(the same ``export_build`` the Celery task runs), so its peak RSS is the
export's alone. Targets: at most 120 s and 300 MB.

Customers go into ``customers.Customer`` and sessions into the registered
per-customer session table when those models exist. On a branch without
them, stand-ins are used (invitations for customers, access-log entries for
sessions) and the output says so: re-measure after the merge.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nettportal.settings")
os.environ["DEBUG"] = "0"  # DEBUG keeps every SQL query in memory
os.environ.setdefault("ALLOWED_HOSTS", "localhost")

SLUG = "bench-export"
TARGET_SECONDS = 120
TARGET_MB = 300


def _setup():
    import django

    django.setup()


# --- generating rows ----------------------------------------------------------------------


class RowMaker:
    """Builds plausible rows for any model from its field types, so the bench
    fills whatever tables the registry knows without hand-written factories."""

    def __init__(self, organization):
        self.organization = organization
        self.now = datetime.datetime.now(datetime.UTC)
        self.singletons = {}
        self.pools = {}

    def values(self, model, index: int) -> dict:
        from django.db import models

        from nettportal.crypto import EncryptedTextField

        row = {}
        for field in model._meta.concrete_fields:
            if field.primary_key:
                continue
            if field.is_relation:
                row[field.attname] = self._relation(field, index)
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                row[field.name] = self.now
                continue
            if isinstance(field, EncryptedTextField):
                row[field.name] = ""
                continue
            if field.choices:
                row[field.name] = field.choices[0][0]
                continue
            if isinstance(field, models.EmailField):
                row[field.name] = f"bench{index}@example.test"
            elif isinstance(field, models.GenericIPAddressField):
                row[field.name] = f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}"
            elif isinstance(field, models.CharField | models.TextField):
                limit = getattr(field, "max_length", None) or 40
                row[field.name] = f"{field.name[:10]}-{index}"[:limit]
            elif isinstance(field, models.DateTimeField):
                row[field.name] = self.now - datetime.timedelta(seconds=index % 86400 * 30)
            elif isinstance(field, models.DateField):
                row[field.name] = (self.now - datetime.timedelta(days=index % 365)).date()
            elif isinstance(field, models.BooleanField):
                row[field.name] = field.get_default() if field.has_default() else False
            elif isinstance(field, models.IntegerField | models.FloatField):
                row[field.name] = index % 30000 * 1000
            elif isinstance(field, models.DecimalField):
                row[field.name] = 0
            elif isinstance(field, models.JSONField):
                row[field.name] = {}
            elif field.has_default():
                row[field.name] = field.get_default()
            elif field.null:
                row[field.name] = None
        return row

    def _relation(self, field, index):
        from accounts.models import Organization

        target = field.related_model
        if target is Organization:
            return self.organization.pk
        pool = self.pools.get(target)
        if pool:
            return pool[index % len(pool)]
        if field.null:
            return None
        return self._singleton(target)

    def _singleton(self, model):
        from accounts.tenancy import all_tenants

        if model not in self.singletons:
            with all_tenants():
                instance = model._base_manager.create(**self.values(model, 0))
            self.singletons[model] = instance.pk
        return self.singletons[model]

    def fill(self, model, count: int, label: str) -> None:
        from django.db import transaction

        batch = 5000
        started = time.monotonic()
        for first in range(0, count, batch):
            objs = [
                model(**self.values(model, index))
                for index in range(first, min(first + batch, count))
            ]
            with transaction.atomic():
                model._base_manager.bulk_create(objs, batch_size=batch)
            if first and first % 100_000 == 0:
                print(f"   {label}: {first:,} rows…", flush=True)
        print(f"   {label}: {count:,} rows in {time.monotonic() - started:.0f} s", flush=True)


def _choose_tables():
    """(customers model, sessions model, is_real) for this branch."""
    from privacy.registry import REGISTRY, customer_model

    customers = customer_model()
    sessions = None
    if customers is not None:
        for entry in REGISTRY.values():
            model = entry.model
            if (
                model is not None
                and entry.resolved_customer_path() not in (None, "pk")
                and (entry.category in ("usage", "sessions") or "Session" in model.__name__)
                and "Daily" not in model.__name__
            ):
                sessions = model
                break
    if customers is not None and sessions is not None:
        return customers, sessions, True
    from django.apps import apps

    return apps.get_model("accounts", "Invitation"), apps.get_model("privacy", "AccessLog"), False


def generate(customers_wanted: int, sessions_wanted: int):
    from accounts.models import Organization
    from accounts.tenancy import all_tenants

    customers_model, sessions_model, is_real = _choose_tables()
    organization = Organization.objects.filter(slug=SLUG).first()
    if organization is None:
        organization = Organization.objects.create(
            name="Bench Export Wi-Fi", slug=SLUG, email="bench@example.test", phone="+233200000000"
        )
    maker = RowMaker(organization)
    with all_tenants():
        have_customers = customers_model._base_manager.filter(organization=organization).count()
        have_sessions = sessions_model._base_manager.filter(organization=organization).count()
    print(
        f"tables: customers → {customers_model._meta.label}, "
        f"sessions → {sessions_model._meta.label}"
        + ("" if is_real else "  (STAND-INS: customers/sessions models not on this branch)"),
        flush=True,
    )
    if have_customers < customers_wanted:
        maker.fill(customers_model, customers_wanted - have_customers, customers_model.__name__)
    with all_tenants():
        maker.pools[customers_model] = list(
            customers_model._base_manager.filter(organization=organization)
            .order_by("pk")
            .values_list("pk", flat=True)[:customers_wanted]
        )
    if have_sessions < sessions_wanted:
        maker.fill(sessions_model, sessions_wanted - have_sessions, sessions_model.__name__)
    return organization, is_real


# --- the measured export -----------------------------------------------------------------------


def run_export_child(org_id: int) -> None:
    """In the child process: one export, as the task runs it; prints its time."""
    _setup()
    from accounts.models import Organization
    from accounts.tenancy import tenant
    from privacy.models import DataExport
    from privacy.services.exports import export_build, export_file_path

    organization = Organization.objects.get(pk=org_id)
    with tenant(organization):
        from nettportal.jobs import job_create
        from nettportal.models import BackgroundJob

        # A run that crashed may have left its export behind; start clean.
        DataExport.objects.all().delete()
        BackgroundJob.objects.filter(kind="bench").delete()
        job = job_create(organization=organization, kind="bench", title="bench export")
        export = DataExport.objects.create(organization=organization, job=job)
        try:
            started = time.monotonic()
            export_build(export_id=export.pk)
            elapsed = time.monotonic() - started
            export.refresh_from_db()
            path = export_file_path(export)
            size = path.stat().st_size if path.exists() else 0
            print(
                f"RESULT status={export.status} rows={export.total_rows} seconds={elapsed:.1f} "
                f"zip_bytes={size}",
                flush=True,
            )
            if path.exists():
                path.unlink()
        finally:
            DataExport.objects.filter(pk=export.pk).delete()
            job.delete()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 customers, 100,000 sessions")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_export_child(args.child)
        return

    customers = int(os.environ.get("BENCH_CUSTOMERS", 10_000 if args.quick else 100_000))
    sessions = int(os.environ.get("BENCH_SESSIONS", 100_000 if args.quick else 1_000_000))
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"== privacy export bench ({database}): {customers:,} customers, {sessions:,} sessions")
    organization, is_real = generate(customers, sessions)

    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "PRIVACY_EXPORT_ROOT": scratch}
        started = time.monotonic()
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(organization.pk)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result = next((line for line in child.stdout.splitlines() if line.startswith("RESULT")), "")
    if child.returncode != 0 or not result:
        print(child.stdout[-2000:], child.stderr[-4000:])
        raise SystemExit("export failed")
    fields = dict(part.split("=", 1) for part in result.split()[1:])
    export_seconds = float(fields["seconds"])
    print(f"rows exported:      {int(fields['rows']):,}")
    print(f"zip size:           {int(fields['zip_bytes']) / 1024 / 1024:,.1f} MB")
    print(
        f"export wall time:   {export_seconds:.1f} s (process incl. start-up {wall:.1f} s)"
        f"  target ≤ {TARGET_SECONDS} s: {'OK' if export_seconds <= TARGET_SECONDS else 'OVER'}"
    )
    print(
        f"peak RSS:           {peak_mb:.0f} MB  target ≤ {TARGET_MB} MB: "
        f"{'OK' if peak_mb <= TARGET_MB else 'OVER'}"
    )
    if not is_real:
        print(
            "NOTE: customers/sessions models are stand-ins on this branch; re-measure after merge."
        )


if __name__ == "__main__":
    main()
