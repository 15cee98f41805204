"""Writes for packages and vouchers (``<entity>_<verb>``, keyword-only, one
transaction each). Other apps import from here:

* billing/portal: :func:`voucher_issue_for_payment`, :func:`voucher_redeem`,
  :func:`voucher_login` (see :mod:`vouchers.services.redemption`);
* routers polling: :func:`vouchers_observe_polls` after each stored batch of successful
  polls (:func:`vouchers_observe_poll` for one).
"""

from vouchers.services.batches import voucher_batch_create, voucher_batch_generate
from vouchers.services.lifecycle import (
    voucher_revoke,
    vouchers_expire_due,
    vouchers_observe_poll,
    vouchers_observe_polls,
    vouchers_observe_sessions,
    vouchers_observe_users,
    vouchers_revoke,
    vouchers_tidy,
)
from vouchers.services.packages import (
    package_create,
    package_delete,
    package_sync,
    package_sync_request,
    package_update,
)
from vouchers.services.push import batch_push_run, batch_push_start
from vouchers.services.reconcile import router_reconcile
from vouchers.services.redemption import (
    Redemption,
    RouterUnavailable,
    VoucherNotRedeemable,
    voucher_issue_for_payment,
    voucher_login,
    voucher_redeem,
)
from vouchers.services.settings import voucher_settings_update

__all__ = [
    "Redemption",
    "RouterUnavailable",
    "VoucherNotRedeemable",
    "batch_push_run",
    "batch_push_start",
    "package_create",
    "package_delete",
    "package_sync",
    "package_sync_request",
    "package_update",
    "router_reconcile",
    "voucher_batch_create",
    "voucher_batch_generate",
    "voucher_issue_for_payment",
    "voucher_login",
    "voucher_redeem",
    "voucher_revoke",
    "voucher_settings_update",
    "vouchers_expire_due",
    "vouchers_observe_poll",
    "vouchers_observe_polls",
    "vouchers_observe_sessions",
    "vouchers_observe_users",
    "vouchers_revoke",
    "vouchers_tidy",
]
