"""Packages & vouchers pages. Thin: parse input, call one service or selector, render."""

from vouchers.views.batches import (
    batch_create,
    batch_csv,
    batch_detail,
    batch_list,
    batch_pdf,
    batch_push,
    batch_revoke,
)
from vouchers.views.codes import (
    voucher_bulk_revoke,
    voucher_detail,
    voucher_list,
    voucher_redeem_staff,
    voucher_revoke_view,
)
from vouchers.views.overview import overview, voucher_settings_view
from vouchers.views.packages import (
    package_create,
    package_delete,
    package_detail,
    package_edit,
    package_list,
    package_sync_now,
)

__all__ = [
    "batch_create",
    "batch_csv",
    "batch_detail",
    "batch_list",
    "batch_pdf",
    "batch_push",
    "batch_revoke",
    "overview",
    "package_create",
    "package_delete",
    "package_detail",
    "package_edit",
    "package_list",
    "package_sync_now",
    "voucher_bulk_revoke",
    "voucher_detail",
    "voucher_list",
    "voucher_redeem_staff",
    "voucher_revoke_view",
    "voucher_settings_view",
]
