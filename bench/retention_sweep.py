"""Benchmark: the retention sweep over a big backlog — wall time, statements, memory.

    .venv/bin/python bench/retention_sweep.py            # 300,000 expired samples, 100,000 kept
    .venv/bin/python bench/retention_sweep.py --quick    # 30,000 / 10,000
    BENCH_EXPIRED=1000000 .venv/bin/python bench/retention_sweep.py

Run it against PostgreSQL (``DATABASE_URL``) for figures that mean something.
Router status samples of two organisations (slugs ``bench-retention-a/b``) are
generated, part of them older than ``ROUTER_HISTORY_RETENTION_DAYS``; the same
``retention_sweep`` the daily task runs then deletes the expired ones. It
prints rows deleted per second, how many DELETE statements ran and the most
rows one of them removed (never more than ``PRIVACY_CHUNK_SIZE``), and the peak
Python memory of the sweep (flat: only primary keys of one chunk are held).
The bench organisations are removed at the end.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nettportal.settings")
os.environ["DEBUG"] = "0"  # DEBUG keeps every SQL query in memory
os.environ.setdefault("ALLOWED_HOSTS", "localhost")

SLUGS = ("bench-retention-a", "bench-retention-b")


def _seed(expired: int, kept: int) -> list:
    from django.conf import settings

    from accounts.models import Organization
    from accounts.tenancy import tenant
    from routers.models import RouterStatusSample
    from tests.routers.factories import RouterFactory

    now = datetime.datetime.now(datetime.UTC)
    days = settings.ROUTER_HISTORY_RETENTION_DAYS
    organizations = []
    for slug in SLUGS:
        organization = Organization.objects.create(name=slug, slug=slug, email="b@example.test")
        organizations.append(organization)
        with tenant(organization):
            router = RouterFactory(organization=organization, name=slug)
            half_expired, half_kept = expired // len(SLUGS), kept // len(SLUGS)
            rows = []
            for index in range(half_expired + half_kept):
                age = (
                    datetime.timedelta(days=days + 1, seconds=index)
                    if index < half_expired
                    else datetime.timedelta(seconds=index)
                )
                rows.append(
                    RouterStatusSample(
                        organization=organization,
                        router=router,
                        taken_at=now - age,
                        is_reachable=True,
                    )
                )
                if len(rows) == 10_000:
                    RouterStatusSample.objects.bulk_create(rows)
                    rows = []
            RouterStatusSample.objects.bulk_create(rows)
    return organizations


def _cleanup() -> None:
    from accounts.models import Organization
    from accounts.tenancy import all_tenants
    from routers.models import Router, RouterStatusSample

    with all_tenants():
        ids = list(Organization.objects.filter(slug__in=SLUGS).values_list("pk", flat=True))
        RouterStatusSample.objects.filter(organization_id__in=ids).delete()
        Router.objects.filter(organization_id__in=ids).delete()
        Organization.objects.filter(pk__in=ids).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    expired = int(os.environ.get("BENCH_EXPIRED", 30_000 if args.quick else 300_000))
    kept = int(os.environ.get("BENCH_KEPT", 10_000 if args.quick else 100_000))

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from accounts.tenancy import all_tenants
    from privacy.services.retention import retention_sweep
    from routers.models import RouterStatusSample

    _cleanup()
    started = time.perf_counter()
    _seed(expired, kept)
    print(
        f"seeded {expired:,} expired + {kept:,} kept samples in "
        f"{time.perf_counter() - started:.1f} s ({connection.vendor})"
    )

    deletes = []

    def count_deletes(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith("DELETE") and RouterStatusSample._meta.db_table in sql:
            deletes.append(context["cursor"].rowcount)
        return result

    try:
        tracemalloc.start()
        started = time.perf_counter()
        with connection.execute_wrapper(count_deletes):
            result = retention_sweep()
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        with all_tenants():
            left = RouterStatusSample.objects.filter(organization__slug__in=SLUGS).count()
        deleted = result["purged"].get("routers.RouterStatusSample", 0)
        print(
            f"sweep: {deleted:,} rows deleted in {seconds:.1f} s "
            f"({deleted / seconds:,.0f} rows/s), finished={result['finished']}"
        )
        print(
            f"DELETE statements: {len(deletes)}, most rows in one: {max(deletes, default=0):,} "
            f"(PRIVACY_CHUNK_SIZE={settings.PRIVACY_CHUNK_SIZE})"
        )
        print(f"peak Python memory during the sweep: {peak / 1024 / 1024:.1f} MB")
        print(f"rows left: {left:,} (expected {kept:,})")
    finally:
        _cleanup()


if __name__ == "__main__":
    main()
