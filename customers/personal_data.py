"""Personal-data classification of the customers app (see privacy/registry.py).

``extra["customer_field"]`` says how to find one customer's rows (the field
holding the customer's id, ``"id"`` for the customer itself); ``None`` means
the rows are not per customer. Privacy's per-customer export and erasure use
it. TODO(privacy): when the privacy branch's registry (``customer_path``,
``retention_field``, ``erasure_hook``) is on main, switch to those fields and give
``customers.PppoeAccount`` ``erasure_hook=
"customers.services.pppoe.pppoe_accounts_erasure_hook"`` so erased accounts'
secrets leave the routers.
"""

from privacy.registry import register

register(
    "customers.Customer",
    category="customers",
    personal_fields=(
        "name",
        "email",
        "phone",
        "address",
        "notes",
        "marketing_consent",
        "marketing_consent_at",
    ),
    erasure="pseudonymise",
    notes="Pseudonymised on erasure so payments kept for the law still have an owner.",
    extra={"customer_field": "id"},
)
register(
    "customers.Tag",
    category="customers",
    notes="Labels chosen by the operator; no personal data.",
    extra={"customer_field": None},
)
register(
    "customers.CustomerDevice",
    category="customers",
    personal_fields=("mac_address", "label", "last_ip"),
    extra={"customer_field": "customer"},
)
register(
    "customers.CustomerEvent",
    category="customers",
    personal_fields=("actor",),
    notes="Activity feed; messages name fields and tags, never personal values.",
    extra={"customer_field": "customer"},
)
register(
    "customers.CustomerImport",
    category="customers",
    export=False,
    personal_fields=("file_name", "errors"),
    retention="customer_imports",
    retention_field="created_at",
    erasure_hook="customers.services.imports.customer_import_files_remove",
    notes="The stored CSV holds many customers' data; the record and its file are swept "
    "after CUSTOMERS_IMPORT_KEEP_DAYS (the hook removes the file).",
    extra={"customer_field": None},
)
register(
    "customers.PppoeAccount",
    category="customers",
    personal_fields=("username", "remote_address"),
    secret_fields=("password",),
    notes="The password is encrypted at rest and never exported; erasure also removes "
    "the /ppp/secret from the router.",
    extra={"customer_field": "customer"},
)
register(
    "customers.UsageSession",
    category="usage",
    personal_fields=("username", "mac_address", "ip_address"),
    retention="usage_sessions",
    retention_field="started_at",
    retention_keep={"ended_at__isnull": True},
    notes="Raw sessions: closed ones are kept CUSTOMERS_SESSION_RETENTION_DAYS (default 395, "
    "about 13 months) from their start; open sessions are never swept.",
    extra={"customer_field": "customer"},
)
register(
    "customers.UsageDaily",
    category="usage",
    retention="usage_rollups",
    retention_field="day",
    notes="Per-customer daily totals: kept CUSTOMERS_ROLLUP_RETENTION_DAYS (default 1095), "
    "longer than the raw sessions.",
    extra={"customer_field": "customer"},
)
register(
    "customers.RouterUsageDaily",
    category="usage",
    retention="usage_rollups",
    retention_field="day",
    notes="Per-router daily totals across all users; no personal data.",
    extra={"customer_field": None},
)
