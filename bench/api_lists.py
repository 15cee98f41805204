"""API list endpoints: p50/p99 latency with a large organisation.

Seeds one organisation with N rows (default 100,000) of the biggest list the
API has — ``customers.Customer`` when that app exists, support tickets
otherwise — plus N payments (a fifth of them linked to those customers), and
times every GET list route under /api/v1/ (no URL arguments) with an
all-scopes API token: the first page, a page 20 cursor hops deep, and filtered
pages (customers: status + type, a name search, a phone search; payments:
status + method, one customer). Requests go through Django's full stack in-process
(middleware, token authentication, throttling, serialisation), not over TCP.

    python bench/api_lists.py                # 100,000 rows, 200 requests per case
    python bench/api_lists.py --quick        # 5,000 rows, 40 requests
    python bench/api_lists.py --database-url postgres://postgres@127.0.0.1:5432/np_bench

Without --database-url (or BENCH_DATABASE_URL / DATABASE_URL) a temporary SQLite
database is created and migrated.
Point --database-url only at a scratch database: the bench adds rows to it.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(database_url: str | None):
    scratch = tempfile.mkdtemp(prefix="nettportal-bench-")
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nettportal.settings")
    os.environ["NETTPORTAL_VAR_DIR"] = scratch
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["API_TOKEN_RATE"] = "1000000/minute"  # noqa: S105 - a rate, not a secret
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def _value_for(field, index):
    from django.db import models

    if field.choices:
        return field.choices[index % len(field.choices)][0]
    if isinstance(field, models.EmailField):
        return f"bench{index}@example.test"
    if isinstance(field, models.CharField | models.TextField):
        prefix = "+23320" if "phone" in field.name else f"{field.name} "
        return (prefix + f"{index:07d}")[: field.max_length or 200]
    if isinstance(field, models.BooleanField):
        return index % 2 == 0
    if isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
        return index % 1000
    if isinstance(field, models.DateTimeField):
        from django.utils import timezone

        return timezone.now()
    if isinstance(field, models.DateField):
        import datetime

        return datetime.date.today()
    if isinstance(field, models.JSONField):
        return {}
    raise RuntimeError(f"cannot fill {field.model.__name__}.{field.name} for the bench")


def seed(organization, owner, rows: int) -> str:
    """Bulk-create ``rows`` rows of the biggest list model; returns its label."""
    from django.apps import apps
    from django.db import models

    from accounts.tenancy import tenant

    try:
        model = apps.get_model("customers", "Customer")
    except LookupError:
        model = apps.get_model("support", "Ticket")
    fields = [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key
        and field.name != "organization"
        and not field.has_default()
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
        and not field.null
        and not isinstance(field, models.ForeignKey)
    ]
    with tenant(organization):
        batch = []
        for index in range(rows):
            values = {field.name: _value_for(field, index) for field in fields}
            if model._meta.label == "customers.Customer":  # defaults would make one kind
                values.update(
                    customer_type=("hotspot", "pppoe")[index % 2],
                    status=("active", "suspended", "closed")[index % 3],
                )
            if model._meta.label == "support.Ticket":
                values.update(
                    opened_by=owner, priority=("low", "normal", "high", "urgent")[index % 4]
                )
            batch.append(model(organization=organization, **values))
            if len(batch) == 5000:
                model.objects.bulk_create(batch)
                batch = []
        model.objects.bulk_create(batch)
    from django.db import connection

    if connection.vendor == "postgresql":  # fresh statistics, as autovacuum would give
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    return model._meta.label


def seed_payments(organization, rows: int) -> int:
    """Bulk-create ``rows`` payments (every fifth linked to a customer); returns how many."""
    from decimal import Decimal

    from django.apps import apps
    from django.db import connection

    from accounts.tenancy import tenant

    try:
        Payment = apps.get_model("billing", "Payment")
        Customer = apps.get_model("customers", "Customer")
    except LookupError:
        return 0
    processors = ("mpesa", "paystack", "cash", "bank_transfer")
    statuses = ("paid", "paid", "paid", "pending", "failed", "needs_review")
    with tenant(organization):
        customer_ids = list(
            Customer.objects.order_by("id").values_list("id", flat=True)[: rows // 5]
        )
        batch = []
        for index in range(rows):
            batch.append(
                Payment(
                    organization=organization,
                    processor=processors[index % len(processors)],
                    status=statuses[index % len(statuses)],
                    amount=Decimal(10 + index % 500),
                    currency="GHS",
                    purpose_label=f"bench {index}",
                    customer_id=customer_ids[index // 5]
                    if index % 5 == 0 and index // 5 < len(customer_ids)
                    else None,
                )
            )
            if len(batch) == 5000:
                Payment.objects.bulk_create(batch)
                batch = []
        Payment.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{Payment._meta.db_table}"')
    return rows


def filtered_cases(url: str, organization) -> dict:
    """Filtered pages worth timing for the big lists."""
    from accounts.tenancy import tenant

    if url.endswith("/support/tickets/"):
        return {"filtered": url + "?priority=urgent&status=open"}
    if url.endswith("/v1/customers/"):
        from customers.models import Customer

        with tenant(organization):
            sample = Customer.objects.order_by("-id").first()
        cases = {
            "status+type": url + "?status=suspended&type=pppoe",
            "search name": url + "?q=name%2000012",
        }
        if sample is not None and sample.phone:
            cases["search phone"] = url + "?q=" + sample.phone.replace("+", "%2B")
        return cases
    if url.endswith("/v1/payments/"):
        from customers.models import Customer

        with tenant(organization):
            customer = Customer.objects.order_by("id").first()
        cases = {"status+method": url + "?status=paid&method=cash"}
        if customer is not None:
            cases["one customer"] = url + f"?customer={customer.pk}"
        return cases
    return {}


def list_routes():
    from django.urls import get_resolver

    from tests.test_isolation import _walk

    return [
        "/" + route
        for route, _is_route in _walk(get_resolver())
        if route.startswith("api/v1/") and "<" not in route
    ]


def timed(client, url, headers, repeat) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, **headers)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return samples


def percentile(samples, pct):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="5,000 rows and 40 requests")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL"),
    )
    args = parser.parse_args()
    if args.quick or os.environ.get("BENCH_QUICK"):
        args.rows, args.requests = 5_000, 40
    setup_django(args.database_url)

    from django.db import connection
    from django.test import Client

    from accounts.roles import Role
    from integrations.scopes import ALL_SCOPES
    from tests.accounts.factories import MembershipFactory
    from tests.integrations.factories import make_token

    run = f"{time.time_ns():x}"  # the scratch database may hold earlier runs' rows
    membership = MembershipFactory(
        role=Role.OWNER,
        organization__name="Bench ISP",
        organization__slug=f"bench-{run}",
        user__email=f"bench-{run}@example.test",
    )
    organization, owner = membership.organization, membership.user
    started = time.perf_counter()
    label = seed(organization, owner, args.rows)
    payments = seed_payments(organization, args.rows)
    seeded = time.perf_counter() - started
    _token, plaintext = make_token(organization, owner, list(ALL_SCOPES), name="bench")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
    client = Client()
    print(
        f"database: {connection.vendor}; seeded {args.rows:,} {label} rows and "
        f"{payments:,} payments in {seeded:.1f}s"
    )
    print(f"{'endpoint':<48} {'case':<14} {'p50 ms':>8} {'p99 ms':>8}")
    for url in list_routes():
        if client.get(url, **headers).status_code == 405:
            continue  # an action (POST only), not a list
        timed(client, url, headers, 3)  # warm up
        cases = {"first page": url}
        body = client.get(url, **headers).json()
        if isinstance(body, dict) and "next" in body:
            deep = url
            for _ in range(20):
                next_url = client.get(deep, **headers).json().get("next")
                if not next_url:
                    break
                deep = next_url.replace("http://testserver", "")
            if deep != url:
                cases["20 pages in"] = deep
        cases.update(filtered_cases(url, organization))
        for case, target in cases.items():
            samples = timed(client, target, headers, args.requests)
            print(
                f"{url:<48} {case:<14} {statistics.median(samples):>8.1f} "
                f"{percentile(samples, 99):>8.1f}"
            )
    if label != "customers.Customer":
        print(
            "NOTE: customers.Customer does not exist on this branch yet; the 100k figure is for "
            f"{label}. Re-run after the customers app is merged."
        )


if __name__ == "__main__":
    main()
