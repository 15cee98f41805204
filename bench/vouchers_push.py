"""Pre-push 10,000 vouchers to one simulated router (target: ≤ 30 s).

The real path (``batch_push_start`` → one connection, one listing, then one
``/ip/hotspot/user/add`` per missing voucher, cursor saved per 500) against a
baseline that opens a new connection (TCP + login) for every voucher, measured
on a sample and scaled. The router is the RouterOS API simulator in its own
process (``manage.py routeros_sim``, 127.0.0.1, ephemeral port), reached through
the production client, so its work is not counted as ours.

    python bench/vouchers_push.py [--count 10000] [--baseline 500] [--latency 0] [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _vouchers.common import ROOT, Timer, bench_organization, load_note, setup_django

SIM_USER, SIM_PASSWORD = "bench", "bench-Router-Pass-1"


@contextlib.contextmanager
def simulated_router(latency: float):
    """One simulated router in a child process; yields its API port."""
    with tempfile.TemporaryDirectory() as folder:
        ports_file = Path(folder) / "ports.json"
        command = [
            sys.executable,
            str(ROOT / "manage.py"),
            "routeros_sim",
            "--count",
            "1",
            "--port",
            "0",
            "--users",
            "0",
            "--active",
            "0",
            "--ppp-secrets",
            "0",
            "--ppp-active",
            "0",
            "--no-churn",
            "--username",
            SIM_USER,
            "--password",
            SIM_PASSWORD,
            "--latency",
            str(latency),
            "--ports-file",
            str(ports_file),
        ]
        child = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.DEVNULL, env={**os.environ, "LOG_LEVEL": "ERROR"}
        )
        try:
            deadline = time.monotonic() + 60
            while not ports_file.exists() or not ports_file.read_text().strip():
                if child.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the simulator did not start")
                time.sleep(0.1)
            yield json.loads(ports_file.read_text())[0]["port"]
        finally:
            child.terminate()
            child.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.0, help="simulated seconds/command")
    parser.add_argument("--quick", action="store_true", help="1,000 vouchers, baseline 100")
    args = parser.parse_args()
    if args.quick:
        args.count, args.baseline = 1_000, 100
    vendor = setup_django()
    from decimal import Decimal

    from routers.models import Router
    from vouchers import routerops
    from vouchers.models import BatchPush, Package, Voucher
    from vouchers.services import batch_push_start, voucher_batch_create, voucher_batch_generate

    connections = {"count": 0}
    real_client = routerops.router_client

    @contextlib.contextmanager
    def counting_client(router):
        connections["count"] += 1
        with real_client(router) as client:
            yield client

    routerops.router_client = counting_client  # instrumentation only: counts connections

    print(f"database: {vendor}; {load_note()}; simulated latency {args.latency * 1000:g} ms")
    with simulated_router(args.latency) as port, bench_organization("push") as organization:
        router = Router.objects.create(
            organization=organization,
            name="Bench router",
            host="127.0.0.1",
            api_port=port,
            username=SIM_USER,
            password=SIM_PASSWORD,
        )
        package = Package.objects.create(
            organization=organization,
            name="Bench day",
            profile_name="np-bench-day",
            price=Decimal(5),
            rate_limit="2M/5M",
        )
        batch = voucher_batch_create(
            organization=organization,
            actor=None,
            package=package,
            quantity=args.count,
            prefix="NET",
            enqueue=False,
        )
        batch = voucher_batch_generate(batch_id=batch.pk)
        with Timer() as fast:
            [push] = batch_push_start(batch=batch, routers=[router], actor=None)
        push.refresh_from_db()
        assert push.status == BatchPush.Status.DONE, push.last_error
        used = connections["count"]
        with routerops.open_router(router) as client:
            on_router = sum(1 for user in client.hotspot_users() if user.name.startswith("NET-"))
        assert on_router == args.count, on_router

        with Timer() as again:
            [push] = batch_push_start(batch=batch, routers=[router], actor=None)
        push.refresh_from_db()

        # Baseline: a fresh connection for each voucher.
        sample = list(
            Voucher.objects.filter(batch=batch).select_related("package")[: args.baseline]
        )
        for voucher in sample:
            voucher.code = "B" + voucher.code
        with Timer() as slow:
            for voucher in sample:
                with routerops.open_router(router) as client:
                    routerops.user_add(client, voucher)
    per_voucher = slow.seconds / args.baseline
    print(
        f"push {args.count:,} vouchers over {used} connection(s): {fast.seconds:.2f} s "
        f"({args.count / fast.seconds:,.0f}/s)  target <= 30 s"
    )
    print(f"push again (all already there, {push.skipped:,} skipped): {again.seconds:.2f} s")
    print(
        f"baseline one connection per voucher: {per_voucher * args.count:.1f} s for "
        f"{args.count:,} (measured on {args.baseline:,}, scaled; {1 / per_voucher:,.0f}/s)  "
        f"→ {per_voucher * args.count / fast.seconds:.1f}x slower"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
