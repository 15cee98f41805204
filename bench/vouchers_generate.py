"""Generate one batch of 100,000 vouchers (target: ≤ 2 s, peak RSS ≤ 300 MB on PostgreSQL).

Prints the time and peak memory of the real path (codes from ``secrets``,
COPY into a temporary table, one conflict-safe INSERT per 10,000-code chunk),
next to a baseline that inserts one voucher per INSERT (run on a smaller
count and scaled, unless ``--full-baseline``).

    python bench/vouchers_generate.py [--count 100000] [--baseline 5000] [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _vouchers.common import (
    Timer,
    bench_organization,
    load_note,
    peak_rss_mb,
    setup_django,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=5_000, help="vouchers for the baseline")
    parser.add_argument("--full-baseline", action="store_true", help="baseline at --count")
    parser.add_argument("--quick", action="store_true", help="10,000 vouchers, 1,000 baseline")
    args = parser.parse_args()
    if args.quick:
        args.count, args.baseline = 10_000, 1_000
    if args.full_baseline:
        args.baseline = args.count

    vendor = setup_django()
    from decimal import Decimal

    from vouchers.codes import CodeFormat, random_pins, random_strings
    from vouchers.models import Package, Voucher
    from vouchers.services import voucher_batch_create, voucher_batch_generate

    print(f"database: {vendor}; {load_note()}")
    if vendor != "postgresql":
        print(
            "note: the target is for PostgreSQL (set DATABASE_URL); this run uses the fallback path"
        )
    rss_before = peak_rss_mb()
    with bench_organization("generate") as organization:
        package = Package.objects.create(
            organization=organization, name="Bench day", profile_name="np-bench", price=Decimal(5)
        )
        batch = voucher_batch_create(
            organization=organization,
            actor=None,
            package=package,
            quantity=args.count,
            prefix="NET",
            pin_length=4,
            enqueue=False,
        )
        with Timer() as fast:
            voucher_batch_generate(batch_id=batch.pk)
        made = Voucher.objects.filter(batch=batch).count()
        assert made == args.count, made
        peak = peak_rss_mb()

        # Baseline: one INSERT (and one round trip) per voucher.
        code_format = CodeFormat(prefix="BASE")
        randoms = random_strings(args.baseline, 8)
        pins = random_pins(args.baseline, 4)
        with Timer() as slow:
            for random_part, pin in zip(randoms, pins, strict=True):
                Voucher.objects.create(
                    organization=organization,
                    package=package,
                    code=code_format.display(random_part),
                    lookup=code_format.prefix + random_part,
                    pin=pin,
                )
    per_voucher = slow.seconds / args.baseline
    baseline_total = per_voucher * args.count
    scaled = "" if args.baseline == args.count else f" (measured on {args.baseline:,}, scaled)"
    print(
        f"generate {args.count:,} vouchers (COPY path): {fast.seconds:.2f} s "
        f"({args.count / fast.seconds:,.0f}/s)  target <= 2 s"
    )
    print(
        f"peak RSS: {peak:.0f} MB (process, {rss_before:.0f} MB before generating)  "
        "target <= 300 MB"
    )
    print(
        f"baseline one INSERT per voucher: {baseline_total:.1f} s for {args.count:,}{scaled} "
        f"({1 / per_voucher:,.0f}/s)  → {baseline_total / fast.seconds:.0f}x slower"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
