"""Pre-push 10,000 vouchers to one simulated router (target: ≤ 30 s).

The real path (``batch_push_start`` → one connection, one listing, then one
``/ip/hotspot/user/add`` per missing voucher, cursor saved per 500) against a
baseline that opens a new connection (TCP + login) for every voucher, measured
on a sample and scaled. The router is the RouterOS API simulator on 127.0.0.1
(ephemeral port) reached through the production client.

    python bench/vouchers_push.py [--count 10000] [--baseline 500] [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _vouchers.common import Timer, bench_organization, load_note, setup_django

SIM_USER, SIM_PASSWORD = "bench", "bench-Router-Pass-1"


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
    from routers.simulator import SimFleet
    from vouchers import routerops
    from vouchers.models import BatchPush, Package, Voucher
    from vouchers.services import batch_push_start, voucher_batch_create, voucher_batch_generate

    print(f"database: {vendor}; {load_note()}")
    with SimFleet() as fleet, bench_organization("push") as organization:
        sim = fleet.add(username=SIM_USER, password=SIM_PASSWORD, latency=args.latency)
        router = Router.objects.create(
            organization=organization,
            name="Bench router",
            host="127.0.0.1",
            api_port=sim.port,
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
        logins = sim.logins
        with Timer() as fast:
            [push] = batch_push_start(batch=batch, routers=[router], actor=None)
        push.refresh_from_db()
        assert push.status == BatchPush.Status.DONE, push.last_error
        on_router = sum(1 for user in sim.hotspot_users if user["name"].startswith("NET-"))
        assert on_router == args.count, on_router
        connections = sim.logins - logins

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
        f"push {args.count:,} vouchers, one connection: {fast.seconds:.2f} s "
        f"({args.count / fast.seconds:,.0f}/s, {connections} login(s))  target <= 30 s"
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
