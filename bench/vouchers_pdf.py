"""Render 1,000 voucher cards with QR codes as PDF (target: ≤ 15 s).

Same path as the dashboard's "Download PDF": read the batch's codes, build the
card details, draw every card (A4, 3 × 8 grid) with its QR code. Also prints
the time for a 58 mm thermal roll (one card per page).

    python bench/vouchers_pdf.py [--count 1000] [--quick]
"""

from __future__ import annotations

import argparse
import io
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
    parser.add_argument("--count", type=int, default=1_000)
    parser.add_argument("--quick", action="store_true", help="200 cards")
    args = parser.parse_args()
    if args.quick:
        args.count = 200
    vendor = setup_django()
    from datetime import timedelta
    from decimal import Decimal

    from vouchers import printing
    from vouchers.models import Package, Voucher
    from vouchers.services import voucher_batch_create, voucher_batch_generate

    print(f"database: {vendor}; {load_note()}; fonts: {printing.fonts()['regular']}")
    results = {}
    with bench_organization("pdf") as organization:
        package = Package.objects.create(
            organization=organization,
            name="1 Day",
            profile_name="np-bench-pdf",
            price=Decimal(5),
            validity=timedelta(days=1),
            data_limit_bytes=2 * 10**9,
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
        voucher_batch_generate(batch_id=batch.pk)
        for paper in ("a4", "roll58"):
            with Timer() as timer:
                cards = list(
                    Voucher.objects.filter(batch=batch).order_by("pk").values_list("code", "pin")
                )
                info = printing.card_info(organization=organization, package=package, batch=batch)
                buffer = io.BytesIO()
                drawn = printing.render_cards(
                    buffer, info=info, cards=cards, layout=printing.Layout(paper=paper)
                )
            assert drawn == args.count
            results[paper] = (timer.seconds, len(buffer.getvalue()))
    seconds, size = results["a4"]
    print(
        f"PDF of {args.count:,} cards with QR codes (A4, 3 x 8): {seconds:.2f} s, "
        f"{size / 1024:,.0f} KB  target <= 15 s"
    )
    seconds, size = results["roll58"]
    print(
        f"PDF of {args.count:,} cards (58 mm roll, a page per card): {seconds:.2f} s, "
        f"{size / 1024:,.0f} KB"
    )
    print(f"peak RSS: {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
