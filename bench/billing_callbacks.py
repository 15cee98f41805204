"""M-Pesa callbacks handled per second on PostgreSQL, 8 concurrent senders (target ≥ 200/s,
0 double fulfilments).

Set-up (not timed): a throwaway organisation with an M-Pesa account pointed at the
fake Daraja (port 0); N top-up payments started through the real service (STK push
to the fake), whose callbacks the fake holds. Each callback is then sent twice,
shuffled (duplicates, out of order) over 8 keep-alive connections by a lean
asyncio sender in its own process (bench/_senders.py) to gunicorn serving the
real WSGI app (``--workers``/``--threads``).

By default (``--tasks inline``) the after-payment task (delivery, receipt number,
email) runs eagerly inside each callback request, so every measured callback did
all of its work — the strictest reading on a small box. ``--tasks worker`` queues
it on Redis for a real Celery worker instead (the production shape; on a 2-core
machine the worker then competes with the web server for the same CPUs) and
also reports when the worker drained the queue. Afterwards every payment must be
paid, with exactly one credit entry and one fulfilment run.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/billing_callbacks.py \
        [--payments 1000] [--tasks inline|worker] [--quick]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nettportal.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, timeout: float = 30.0) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"the web server did not start at {url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=1000)
    parser.add_argument("--copies", type=int, default=2, help="times each callback is sent")
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 2))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--tasks",
        choices=["worker", "inline"],
        default="inline",
        help="fulfilment/receipts by a Celery worker on Redis, or inline in the request",
    )
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=10,
        help="CPU niceness of the worker (--tasks worker): on one small machine the web "
        "server answers the processor first and deliveries use the CPU left over",
    )
    parser.add_argument("--quick", action="store_true", help="200 payments")
    args = parser.parse_args()
    if args.quick:
        args.payments = 200

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    print(
        f"database: {connection.vendor}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPU(s)"
    )
    if connection.vendor != "postgresql":
        print(
            "note: the target is for PostgreSQL (set DATABASE_URL). SQLite takes one writer "
            "at a time, so this run uses one worker process with one thread."
        )
        args.workers = args.threads = 1

    from billing.fakes.daraja import FakeDaraja

    daraja = FakeDaraja().start()
    daraja.callback_mode = "hold"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings.BILLING_MPESA_BASE_URL = daraja.url
    settings.BILLING_CALLBACK_BASE_URL = base
    organization = None
    server = worker = None
    try:
        organization, payments = _setup(args.payments, daraja)
        deliveries = list(daraja.held)
        daraja.held.clear()
        work = [d for d in deliveries for _ in range(args.copies)]
        random.Random(1).shuffle(work)

        env = {
            **os.environ,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "CELERY_TASK_ALWAYS_EAGER": "true" if args.tasks == "inline" else "false",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "LOG_LEVEL": "WARNING",
        }
        if args.tasks == "worker":
            from nettportal.celery import app

            app.control.purge()  # tasks a killed earlier run left on the bench's queue
            worker = subprocess.Popen(
                [
                    "nice",
                    "-n",
                    str(args.worker_nice),
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "nettportal",
                    "worker",
                    "--concurrency",
                    "4",
                    "--loglevel",
                    "warning",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=env,
            )
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "nettportal.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(args.threads),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        wait_until_up(f"{base}/healthz")
        # warm every worker's connections and code paths
        _send([work[0]] * (args.workers * args.threads), args.senders)
        # The machine's own ceiling: the same senders asking the health check (one
        # database query, one Redis ping, no log row) of the same server.
        probe = [{"url": f"{base}/healthz", "body": "", "method": "GET"}] * 2000
        _probe_statuses, _probe_latencies, probe_elapsed = _send(probe, args.senders)
        print(
            f"ceiling: {len(probe) / probe_elapsed:.0f} health checks/s (1 query, 1 Redis ping) "
            f"on this server and machine right now; load average {os.getloadavg()[0]:.2f}"
        )
        started = time.perf_counter()
        statuses, latencies, elapsed = _send(work, args.senders)
        started = time.perf_counter() - elapsed  # when the first callback went out
        rate = len(work) / elapsed
        tasks = (
            "fulfilment by a Celery worker (4 processes, Redis broker)"
            if args.tasks == "worker"
            else "fulfilment inline (eager) in each request"
        )
        print(
            f"gunicorn: {args.workers} workers × {args.threads} threads (gthread); "
            f"{args.senders} concurrent senders; {tasks}"
        )
        print(
            f"callbacks: {len(work)} ({args.payments} payments × {args.copies} copies, shuffled) "
            f"in {elapsed:.2f} s → {rate:.0f} callbacks/s"
        )
        print(
            f"latency: p50 {statistics.median(latencies) * 1000:.1f} ms, "
            f"p95 {sorted(latencies)[int(len(latencies) * 0.95) - 1] * 1000:.1f} ms; "
            f"answers {dict(sorted(statuses.items()))}"
        )
        if args.tasks == "worker":
            drained = _wait_for_fulfilment(organization, len(payments), timeout=600)
            print(
                f"worker drained all fulfilments {drained - started:.2f} s after the first "
                f"callback → {len(payments) / (drained - started):.0f} payments fully delivered/s"
            )
        doubles = _verify(organization, payments)
        settled = _all_settled(organization, payments)
        print(f"double fulfilments: {doubles}")
        met = rate >= 200 and not doubles and settled
        print(f"target ≥ 200 callbacks/s and 0 double fulfilments: {'MET' if met else 'NOT MET'}")
        return 0 if not doubles and settled else 1
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        daraja.stop()
        if organization is not None:
            _cleanup(organization)


def _setup(count: int, daraja):
    from accounts.models import Organization
    from accounts.tenancy import tenant
    from billing.models import ProcessorAccount
    from billing.services.online import mpesa_payment_start
    from billing.services.processors import processor_account_save
    from customers.models import Customer

    slug = f"bench-callbacks-{uuid.uuid4().hex[:8]}"
    organization = Organization.objects.create(
        name="Bench callbacks",
        slug=slug,
        email=f"{slug}@bench.test",
        phone="+254712345678",
        country="KE",
        currency="KES",
        time_zone="Africa/Nairobi",
    )
    started = time.perf_counter()
    with tenant(organization):
        processor_account_save(
            organization=organization,
            kind=ProcessorAccount.Kind.MPESA,
            fields={"shortcode": "174379"},
            secrets={
                "consumer_key": "fake-consumer-key",
                "consumer_secret": "fake-consumer-secret",
                "passkey": "fake-passkey",
            },
        )
        customer = Customer.objects.create(organization=organization, name="Bench buyer")
        payments = [
            mpesa_payment_start(
                organization=organization,
                phone="0712345678",
                amount=10,
                description="Bench top-up",
                purpose="topup",
                customer=customer,
            ).pk
            for _ in range(count)
        ]
    print(f"set-up: {count} STK pushes to the fake Daraja in {time.perf_counter() - started:.1f} s")
    return organization, payments


def _send(work, senders: int):
    """Send every delivery once over ``senders`` keep-alive connections, from another
    process (bench/_senders.py) so the senders cost the server next to nothing."""
    import json
    import tempfile

    items = [
        item
        if isinstance(item, dict)
        else {"url": item.url, "body": item.body.decode("latin-1"), "headers": dict(item.headers)}
        for item in work
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as handle:
        json.dump(items, handle)
        handle.flush()
        result = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "_senders.py"), handle.name, str(senders)],
            capture_output=True,
            text=True,
            check=True,
            timeout=900,
        )
    answer = json.loads(result.stdout)
    statuses = {int(status): n for status, n in answer["statuses"].items()}
    return statuses, answer["latencies"], answer["elapsed"]


def _wait_for_fulfilment(organization, count: int, timeout: float) -> float:
    from accounts.tenancy import tenant
    from billing.models import Fulfilment

    deadline = time.monotonic() + timeout
    with tenant(organization):
        while time.monotonic() < deadline:
            if Fulfilment.objects.filter(status="done").count() >= count:
                return time.perf_counter()
            time.sleep(0.2)
    print("ERROR: the worker did not finish in time")
    return time.perf_counter()


def _verify(organization, payment_ids) -> int:
    from django.db.models import Count

    from accounts.tenancy import tenant
    from billing.models import CreditEntry, Fulfilment, Payment

    with tenant(organization):
        paid = Payment.objects.filter(pk__in=payment_ids, status="paid").count()
        credits = dict(
            CreditEntry.objects.values("payment_id")
            .annotate(n=Count("id"))
            .values_list("payment_id", "n")
        )
        attempts = list(Fulfilment.objects.values_list("attempts", flat=True))
    doubles = sum(1 for n in credits.values() if n > 1) + sum(1 for a in attempts if a > 1)
    print(
        f"check: {paid}/{len(payment_ids)} paid, {len(credits)} credited once, "
        f"{sum(1 for a in attempts if a == 1)} fulfilments with exactly one run"
    )
    if paid != len(payment_ids) or len(credits) != len(payment_ids):
        print(
            f"NOT SETTLED YET: {len(payment_ids) - paid} unpaid, "
            f"{len(payment_ids) - len(credits)} undelivered (reconciliation and the "
            "fulfilment retry sweep would finish them; the run does not count as a pass)"
        )
    return doubles


def _all_settled(organization, payment_ids) -> bool:
    from accounts.tenancy import tenant
    from billing.models import CreditEntry, Payment

    with tenant(organization):
        paid = Payment.objects.filter(pk__in=payment_ids, status="paid").count()
        credited = CreditEntry.objects.filter(payment_id__in=payment_ids).count()
    return paid == credited == len(payment_ids)


def _cleanup(organization) -> None:
    from django.db import connection

    from accounts.tenancy import all_tenants
    from billing.models import (
        CreditEntry,
        DocumentCounter,
        Fulfilment,
        Payment,
        PaymentEvent,
        ProcessorAccount,
    )
    from customers.models import Customer, CustomerEvent
    from privacy.models import AccessLog

    with all_tenants(), connection.cursor() as cursor:
        for model in (
            CreditEntry,
            Fulfilment,
            PaymentEvent,
            Payment,
            DocumentCounter,
            ProcessorAccount,
            CustomerEvent,
            Customer,
            AccessLog,
        ):
            table = model._meta.db_table
            cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [organization.pk])  # noqa: S608
        organization.delete()


if __name__ == "__main__":
    sys.exit(main())
