"""The portal's doorway to the other apps (routers, vouchers, billing, customers, privacy).

The landing page sells packages, redeems vouchers, logs devices in on routers
and takes payments, but owns none of these: it calls the owning app's
services and selectors from here (one module per app), so the coupling is in one
place and every other portal module speaks in portal terms.
"""

from portal.integrations.billing import (  # noqa: F401
    PaymentNotStarted,
    PaymentState,
    fulfilment_register,
    fulfilment_retry,
    payment_check_now,
    payment_methods,
    payment_start,
    payment_state,
    processor_hosts,
    purchase_by_payment_reference,
)
from portal.integrations.customers import (  # noqa: F401
    clean_phone,
    customer_device_remember,
    customer_for_contact,
    customer_for_phone,
)
from portal.integrations.privacy import (  # noqa: F401
    privacy_request_submit,
    send_one_time_code,
)
from portal.integrations.routers import (  # noqa: F401
    page_routers,
    router_choices,
    router_names,
)
from portal.integrations.vouchers import (  # noqa: F401
    Redemption,
    describe_package,
    package_choices,
    package_for_sale,
    package_options,
    refusal_reason,
    voucher_for_payment,
    voucher_redeem,
    voucher_redeem_for_purchase,
)
