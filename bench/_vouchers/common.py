"""Shared set-up for the vouchers benches: Django, a throwaway organisation,
and clean-up. Runs against DATABASE_URL (PostgreSQL for the real figures)."""

from __future__ import annotations

import os
import resource
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nettportal.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# Background work (pushes) runs in this process, so the timings include it.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")


def setup_django():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection

    return connection.vendor


def load_note() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} (1 / 5 min) on {os.cpu_count()} CPU(s)"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def bench_organization(label: str):
    """A fresh organisation (active as tenant) that is deleted afterwards."""
    from django.db import connection

    from accounts.models import Organization
    from accounts.tenancy import all_tenants, tenant

    slug = f"bench-{label}-{uuid.uuid4().hex[:8]}"
    organization = Organization.objects.create(
        name=f"Bench {label}", slug=slug, email=f"{slug}@bench.test", phone="+233201234567"
    )
    try:
        with tenant(organization):
            yield organization
    finally:
        with all_tenants():
            _purge(connection, organization.pk)
            organization.delete()


def _purge(connection, org_id: int) -> None:
    """Delete the bench's rows with plain SQL (the ORM cascade is slow for 100k)."""
    from vouchers.models import BatchPush, PackageRouterSync, Voucher, VoucherBatch, VoucherEvent

    models = (VoucherEvent, BatchPush, PackageRouterSync, Voucher, VoucherBatch)
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [org_id])  # noqa: S608
        if connection.vendor == "postgresql":
            # Reclaim the deleted rows now (autovacuum may be off or late), so the
            # next run does not measure a bloated table.
            tables = ", ".join(model._meta.db_table for model in models)
            cursor.execute(f"VACUUM {tables}")


class Timer:
    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
