"""What packages and vouchers hold of personal data.

Vouchers are sales records: when an end customer redeems one, the device's
MAC address is kept on it (to apply the stacking rule and for support). That
is the customer's personal data; everything else here is the operator's
business data.
"""

from privacy.registry import register, retention_class

retention_class(
    "voucher_events",
    setting="RETENTION_VOUCHER_EVENTS_DAYS",
    description="Voucher history and router actions.",
)

register("vouchers.Package", category="vouchers")
register(
    "vouchers.PackageRouterSync",
    category="vouchers",
    export=False,
    notes="Operational state of router profiles; rebuilt by the next sync.",
)
register("vouchers.VoucherSettings", category="vouchers")
register("vouchers.VoucherBatch", category="vouchers")
register(
    "vouchers.Voucher",
    category="vouchers",
    personal_fields=("device_mac",),
    erasure="keep_for_law",
    notes=(
        "A voucher is a sale (price, date, payment reference): kept for the legal period "
        "with the device address removed."
    ),
)
register(
    "vouchers.BatchPush", category="vouchers", export=False, notes="Progress of pushes to routers."
)
register(
    "vouchers.VoucherEvent",
    category="vouchers",
    retention="voucher_events",
    notes="Voucher history and router actions; messages carry codes, never device addresses.",
)
