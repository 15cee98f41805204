"""Webhook deliveries per second to a local receiver.

Queues N deliveries of one event to an endpoint served by a local HTTP
receiver on 127.0.0.1 (ephemeral port) and sends them through the production
path (claim with a conditional UPDATE, sign, POST, record the attempt), first
with one worker, then with several worker threads.

    python bench/webhook_delivery.py               # 2,000 deliveries, 1 and 4 workers
    python bench/webhook_delivery.py --quick       # 200 deliveries
    python bench/webhook_delivery.py --database-url postgres://postgres@127.0.0.1:5432/np_bench

Without --database-url (or BENCH_DATABASE_URL / DATABASE_URL) a temporary SQLite
database is used (its single writer
limits the multi-worker figure; use PostgreSQL for that one).
"""

import argparse
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def queue(organization, endpoint, count):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.tenancy import tenant
    from integrations.models import WebhookDelivery

    now = timezone.now()
    with tenant(organization):
        created = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(
                organization=organization,
                endpoint=endpoint,
                event="payment.paid",
                payload={"payment_id": index, "amount": "25.00", "currency": "GHS"},
                next_attempt_at=now,
                give_up_at=now + timedelta(hours=24),
            )
            for index in range(count)
        )
    return [delivery.pk for delivery in created]


def deliver(organization, ids, workers):
    from django.db import connection

    from accounts.tenancy import tenant
    from integrations.delivery import delivery_attempt

    chunks = [ids[index::workers] for index in range(workers)]
    outcomes = []

    def work(chunk):
        try:
            with tenant(organization):
                outcomes.extend(delivery_attempt(pk) for pk in chunk)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return elapsed, outcomes


def main():
    from api_lists import setup_django

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL"),
    )
    args = parser.parse_args()
    if args.quick or os.environ.get("BENCH_QUICK"):
        args.count = 200
    setup_django(args.database_url)

    from django.db import connection

    from accounts.roles import Role
    from tests.accounts.factories import MembershipFactory
    from tests.integrations.factories import make_endpoint
    from tests.integrations.receiver import Receiver

    membership = MembershipFactory(role=Role.OWNER, organization__name="Bench ISP")
    organization, owner = membership.organization, membership.user
    with Receiver() as receiver:
        endpoint = make_endpoint(
            organization, owner, receiver.url, events=["payment.paid"], scopes=["billing:read"]
        )
        print(f"database: {connection.vendor}; receiver {receiver.url}")
        for workers in sorted({1, args.workers}):
            ids = queue(organization, endpoint, args.count)
            elapsed, outcomes = deliver(organization, ids, workers)
            delivered = outcomes.count("delivered")
            print(
                f"{workers} worker(s): {delivered:,}/{args.count:,} delivered in {elapsed:.2f}s "
                f"= {delivered / elapsed:,.0f} deliveries/s"
            )
            if delivered != args.count:
                raise SystemExit(f"only {delivered} of {args.count} were delivered")
        print(f"receiver saw {len(receiver.requests):,} signed requests")


if __name__ == "__main__":
    main()
