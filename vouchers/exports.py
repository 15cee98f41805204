"""CSV export of a batch: one row per voucher, streamed (a batch may hold 100,000)."""

from __future__ import annotations

from accounts.tenancy import tenant
from vouchers import formatting
from vouchers.models import Voucher

HEADER = [
    "code",
    "pin",
    "package",
    "price",
    "currency",
    "validity",
    "status",
    "batch",
    "created_at",
    "unsold_expires_at",
    "redeemed_at",
    "expires_at",
    "router",
]


def safe_cell(value: str) -> str:
    """Text a spreadsheet would run as a formula is written as plain text."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _iso(value) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def batch_rows(*, batch, organization):
    """Header then rows. No customer data (device addresses stay out).

    The rows are read while the response streams, after the request's tenant
    was cleared, so the generator activates the organisation itself.
    """
    yield HEADER
    with tenant(organization):
        yield from _rows(batch, organization)


def _rows(batch, organization):
    package = batch.package
    validity = formatting.duration(package.validity, empty="")
    rows = (
        Voucher.objects.filter(batch=batch)
        .order_by("pk")
        .values_list(
            "code",
            "pin",
            "status",
            "created_at",
            "unsold_expires_at",
            "redeemed_at",
            "expires_at",
            "router__name",
        )
    )
    for code, pin, status, created, unsold, redeemed, expires, router in rows.iterator(
        chunk_size=2000
    ):
        yield [
            code,
            pin,
            safe_cell(package.name),
            f"{package.price:.2f}",
            organization.currency,
            validity,
            status,
            batch.pk,
            _iso(created),
            _iso(unsold),
            _iso(redeemed),
            _iso(expires),
            safe_cell(router or ""),
        ]
