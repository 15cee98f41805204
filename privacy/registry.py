"""The personal-data registry: every model, classified in one place.

Each app declares its models in ``<app>/personal_data.py`` by calling
:func:`register`; ``PrivacyConfig.ready`` imports those modules. A test fails
when a model is not classified, so a new table cannot silently escape export,
erasure or retention. Export, customer requests, account deletion and the
retention sweep are all driven by this registry: a model another app adds
later is exported, erased and purged with no change to the privacy app.

What a registration says:

* ``personal_fields`` — fields that hold personal data (may be empty). They are
  what erasure replaces when a row is pseudonymised.
* ``secret_fields`` — never exported, never shown. Encrypted fields
  (``EncryptedTextField``) and ``password`` are treated as secret even when
  not listed.
* ``export`` — included in exports (organisation, customer, "my data").
* ``erasure`` — what organisation deletion and customer erasure do with a row:
  ``delete``; ``pseudonymise`` (personal fields replaced, row kept); or
  ``keep_for_law`` (transaction records: pseudonymised and kept for the legal
  period, ``PRIVACY_LEGAL_RETENTION_YEARS``).
* ``retention`` — the retention class that bounds the row's age (a name
  declared with :func:`retention_class`), or ``None`` when the row lives as
  long as its organisation. ``retention_field`` is the timestamp column the
  age is measured on; when omitted it is inferred from common names.
  ``retention_keep`` — ORM lookups of rows the sweep leaves alone whatever
  their age (an open session, a delivery still being retried), e.g.
  ``{"ended_at__isnull": True}``. ``keep_for_law`` rows are never swept.
* ``organization_path`` — ORM lookup from the model to its organisation.
  Inferred for ``TenantModel`` (``organization``) and ``Organization`` itself;
  user-owned tables that belong in the organisation export declare it, e.g.
  ``"user__memberships__organization"``. ``None`` = not organisation data.
* ``user_path`` — ORM lookup to the ``User`` a row belongs to (inferred for a
  foreign key named ``user``). User-owned rows go with the user: they are
  deleted when the user is, and appear in the user's own "my data" export.
* ``customer_path`` — ORM lookup to ``customers.Customer`` (inferred for a
  direct foreign key to it). It is how one customer's rows are found for the
  customer export, correction and erasure.
* ``erasure_hook`` — dotted path of a callable run with the rows about to be
  deleted or pseudonymised (``hook(*, organization, instances, reason)``), for
  side effects outside the database: removing a hotspot user or PPPoE secret
  from the routers, deleting a file. ``reason`` is ``"customer_erasure"``,
  ``"organization_deletion"`` or ``"retention"``.
* ``pseudonymise_with`` — fixed replacement values for some personal fields
  (the generic replacement is used for the others).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.module_loading import import_string

ERASURE_CHOICES = ("delete", "pseudonymise", "keep_for_law")
CUSTOMER_MODEL = "customers.Customer"
ORGANIZATION_MODEL = "accounts.Organization"
USER_MODEL = "accounts.User"

# Timestamp columns the retention sweep tries, in order, when a registration
# names a retention class but no retention_field.
RETENTION_FIELD_GUESSES = (
    "created_at",
    "at",
    "recorded_at",
    "sampled_at",
    "taken_at",
    "occurred_at",
    "seen_at",
    "timestamp",
    "sent_at",
    "received_at",
    "started_at",
    "ended_at",
    "last_seen_at",
    "day",
    "date",
    "updated_at",
)


class _Auto:
    """Marker: infer the value from the model (see the module docstring)."""

    def __repr__(self):
        return "AUTO"


AUTO = _Auto()


@dataclass(frozen=True)
class RetentionClass:
    """A named retention period. ``setting`` names the Django setting (an
    environment variable, see the README's Configuration) that holds the
    period; ``days`` is the fallback when no such setting exists."""

    name: str
    description: str
    days: int | None = None
    setting: str | None = None

    @property
    def default_days(self) -> int | None:
        """The configured period (read at call time, so settings overrides apply)."""
        if self.setting:
            from django.conf import settings

            return getattr(settings, self.setting, self.days)
        return self.days


@dataclass(frozen=True)
class DataClass:
    label: str
    category: str
    personal_fields: tuple[str, ...] = ()
    secret_fields: tuple[str, ...] = ()
    export: bool = True
    erasure: str = "delete"
    retention: str | None = None
    retention_field: str | None = None
    retention_keep: dict = field(default_factory=dict)
    organization_path: str | _Auto | None = AUTO
    user_path: str | _Auto | None = AUTO
    customer_path: str | _Auto | None = AUTO
    erasure_hook: str | None = None
    pseudonymise_with: dict = field(default_factory=dict)
    notes: str = ""
    extra: dict = field(default_factory=dict)

    # --- the model and its inferred paths -------------------------------------------

    @property
    def model(self):
        from django.apps import apps

        try:
            return apps.get_model(self.label)
        except LookupError:
            return None

    @property
    def is_installed(self) -> bool:
        return self.model is not None

    def resolved_organization_path(self) -> str | None:
        if not isinstance(self.organization_path, _Auto):
            return self.organization_path
        from accounts.tenancy import TenantModel

        model = self.model
        if model is None:
            return None
        if self.label == ORGANIZATION_MODEL:
            return "pk"
        if issubclass(model, TenantModel):
            return "organization"
        if self.label == USER_MODEL:
            return "memberships__organization"
        return None

    def resolved_user_path(self) -> str | None:
        if not isinstance(self.user_path, _Auto):
            return self.user_path
        from django.conf import settings

        model = self.model
        if model is None:
            return None
        if model._meta.label == settings.AUTH_USER_MODEL:
            return "pk"
        for candidate in model._meta.concrete_fields:
            if (
                candidate.name == "user"
                and candidate.is_relation
                and candidate.related_model._meta.label == settings.AUTH_USER_MODEL
            ):
                return "user"
        return None

    def resolved_customer_path(self) -> str | None:
        if not isinstance(self.customer_path, _Auto):
            return self.customer_path
        model = self.model
        if model is None:
            return None
        if self.label == CUSTOMER_MODEL:
            return "pk"
        if "customer_field" in self.extra:  # the customers app's early spelling
            field_name = self.extra["customer_field"]
            return "pk" if field_name == "id" else field_name
        for candidate in model._meta.concrete_fields:
            if (
                candidate.is_relation
                and candidate.related_model is not None
                and candidate.related_model._meta.label == CUSTOMER_MODEL
            ):
                return candidate.name
        return None

    def resolved_retention_field(self) -> str | None:
        if self.retention is None:
            return None
        if self.retention_field:
            return self.retention_field
        model = self.model
        if model is None:
            return None
        names = {f.name for f in model._meta.concrete_fields}
        for guess in RETENTION_FIELD_GUESSES:
            if guess in names:
                return guess
        from django.db import models

        stamps = [
            f.name for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)
        ]
        return stamps[0] if len(stamps) == 1 else None

    @property
    def owner(self) -> str:
        """Who a row belongs to: ``organization``, ``user`` or ``platform``."""
        if self.label == ORGANIZATION_MODEL:
            return "organization"
        if self.label == USER_MODEL:
            return "user"
        user_path = self.resolved_user_path()
        organization_path = self.resolved_organization_path()
        # A row reaching its organisation through its user (an email address,
        # a consent) is the user's; a tenant row with a user column (a
        # membership) is the organisation's.
        if organization_path and not (user_path and organization_path.startswith(f"{user_path}__")):
            return "organization"
        if user_path:
            return "user"
        return "platform"

    # --- fields -------------------------------------------------------------------------

    def all_secret_fields(self) -> set[str]:
        from nettportal.crypto import EncryptedTextField

        secrets = set(self.secret_fields)
        model = self.model
        if model is not None:
            for model_field in model._meta.concrete_fields:
                if isinstance(model_field, EncryptedTextField) or model_field.name == "password":
                    secrets.add(model_field.name)
        return secrets

    def export_fields(self) -> list:
        """Concrete fields that go into an export (never a secret one)."""
        secrets = self.all_secret_fields()
        return [
            model_field
            for model_field in self.model._meta.concrete_fields
            if model_field.name not in secrets
        ]

    def hook(self):
        return import_string(self.erasure_hook) if self.erasure_hook else None


REGISTRY: dict[str, DataClass] = {}
RETENTION_CLASSES: dict[str, RetentionClass] = {}

# Framework tables that hold no organisation data of their own.
NOT_ORGANISATION_DATA = {
    "contenttypes.ContentType": "framework metadata",
    "auth.Permission": "framework metadata",
    "auth.Group": "staff permission groups, no personal data",
    "admin.LogEntry": "staff admin history; covered by the staff access log",
    "sessions.Session": "login sessions; expire with SESSION_COOKIE_AGE and are purged",
}


def register(label: str, *, category: str, **options) -> DataClass:
    """Classify one model (``"app_label.ModelName"``)."""
    if label in REGISTRY:
        raise ValueError(f"{label} is classified twice")
    erasure = options.get("erasure", "delete")
    if erasure not in ERASURE_CHOICES:
        raise ValueError(f"{label}: erasure must be one of {ERASURE_CHOICES}")
    options["personal_fields"] = tuple(options.get("personal_fields", ()))
    options["secret_fields"] = tuple(options.get("secret_fields", ()))
    entry = DataClass(label=label, category=category, **options)
    REGISTRY[label] = entry
    return entry


def retention_class(
    name: str, *, description: str, days: int | None = None, setting: str | None = None
) -> RetentionClass:
    """Declare a retention class and where its period comes from.

    ``setting`` names the Django setting holding the period in days (defined
    in ``nettportal/settings.py`` from an environment variable); ``days`` is
    the fallback when that setting does not exist. ``None`` means "kept until
    the organisation is deleted". Staff may override a period in admin →
    Retention rules. An app's own declaration (in its ``personal_data.py``,
    read after this module) replaces one declared here.
    """
    declared = RetentionClass(name=name, description=description, days=days, setting=setting)
    RETENTION_CLASSES[name] = declared
    return declared


# The classes the policy and the product promise, each with its setting. Apps may
# declare more in their personal_data.py with retention_class().
retention_class(
    "access_log",
    setting="RETENTION_ACCESS_LOG_DAYS",
    description="Access log (who viewed or changed personal data) and the record of purges.",
)
retention_class(
    "security_log",
    setting="SECURITY_LOG_RETENTION_DAYS",
    description="Request and action log (security monitoring).",
)
retention_class(
    "analytics",
    setting="ANALYTICS_RAW_RETENTION_DAYS",
    description="Raw first-party usage analytics events (daily aggregates stay).",
)
retention_class(
    "sessions",
    setting="RETENTION_SESSIONS_DAYS",
    description="Dashboard login sessions and routers' active-session rows.",
)
retention_class(
    "usage",
    setting="RETENTION_USAGE_DAYS",
    description="Landing-page purchase records of end customers.",
)
retention_class(
    "exports",
    setting="PRIVACY_EXPORT_LINK_DAYS",
    description="Export records and their ZIP files (as long as the download link).",
)
retention_class("jobs", setting="RETENTION_JOBS_DAYS", description="Background-job progress rows.")
retention_class(
    "deleted_organizations",
    setting="RETENTION_DELETED_ORGANIZATIONS_DAYS",
    description=(
        "Leftovers of a deleted organisation that hold no legal records "
        "(the pseudonymised organisation row), counted from the deletion."
    ),
)
retention_class(
    "privacy_reports",
    setting="RETENTION_PRIVACY_REPORTS_DAYS",
    description="Reports of a minor's data.",
)
retention_class(
    "notifications",
    setting="NOTIFICATION_RETENTION_DAYS",
    description="In-platform notices to members.",
)
retention_class(
    "webhook_deliveries",
    setting="WEBHOOK_DELIVERY_RETENTION_DAYS",
    description="Finished outgoing webhook deliveries and their attempts.",
)
retention_class(
    "router_history",
    setting="ROUTER_HISTORY_RETENTION_DAYS",
    description="Router status and interface traffic samples.",
)
retention_class(
    "router_events",
    setting="ROUTER_EVENT_RETENTION_DAYS",
    description="Router events (went offline, came back, rebooted).",
)
retention_class(
    "usage_sessions",
    setting="CUSTOMERS_SESSION_RETENTION_DAYS",
    description="Raw hotspot/PPPoE sessions of end customers (closed ones).",
)
retention_class(
    "usage_rollups",
    setting="CUSTOMERS_ROLLUP_RETENTION_DAYS",
    description="Daily usage totals per customer and per router (kept longer than sessions).",
)
retention_class(
    "customer_imports",
    setting="CUSTOMERS_IMPORT_KEEP_DAYS",
    description="Customer CSV imports: the uploaded file and its record.",
)


def installed_data_classes() -> list[DataClass]:
    return [entry for entry in REGISTRY.values() if entry.is_installed]


def data_class_for(model) -> DataClass | None:
    return REGISTRY.get(model._meta.label)


def customer_model():
    """``customers.Customer`` when that app provides it, else ``None``."""
    from django.apps import apps

    try:
        return apps.get_model(CUSTOMER_MODEL)
    except LookupError:
        return None


def unclassified_models() -> list[str]:
    from django.apps import apps

    missing = []
    for model in apps.get_models():
        label = model._meta.label
        if label not in REGISTRY and label not in NOT_ORGANISATION_DATA:
            missing.append(label)
    return sorted(missing)


def stale_registrations() -> list[str]:
    """Registrations naming a model that does not exist (a typo or a removed model)."""
    return sorted(label for label, entry in REGISTRY.items() if not entry.is_installed)


def registry_problems() -> list[str]:
    """Everything wrong with the classifications, in words a developer can act on."""
    from django.conf import settings

    problems = []
    for declared in RETENTION_CLASSES.values():
        if declared.setting and not hasattr(settings, declared.setting):
            problems.append(
                f"retention class '{declared.name}': setting {declared.setting} is not defined"
            )
    for entry in installed_data_classes():
        model = entry.model
        names = {f.name for f in model._meta.concrete_fields}
        for name in (*entry.personal_fields, *entry.secret_fields):
            if name not in names:
                problems.append(f"{entry.label}: '{name}' is not a field")
        if entry.retention is not None:
            if entry.erasure == "keep_for_law":
                problems.append(
                    f"{entry.label}: keep_for_law rows are kept for the legal period; "
                    "they cannot have a retention class"
                )
            if entry.retention not in RETENTION_CLASSES:
                problems.append(
                    f"{entry.label}: retention class '{entry.retention}' has no default; "
                    "declare it with privacy.registry.retention_class() in personal_data.py"
                )
            retention_field = entry.resolved_retention_field()
            if retention_field is None or retention_field not in names:
                problems.append(
                    f"{entry.label}: retention needs a timestamp column; pass retention_field="
                )
            for lookup in entry.retention_keep:
                if not _path_is_valid(model, lookup.split("__")[0]):
                    problems.append(f"{entry.label}: retention_keep '{lookup}' does not resolve")
        if entry.erasure_hook:
            try:
                entry.hook()
            except ImportError:
                problems.append(f"{entry.label}: erasure_hook {entry.erasure_hook} not found")
        for path_name, path in (
            ("organization_path", entry.resolved_organization_path()),
            ("user_path", entry.resolved_user_path()),
            ("customer_path", entry.resolved_customer_path()),
        ):
            if path and not _path_is_valid(model, path):
                problems.append(f"{entry.label}: {path_name} '{path}' does not resolve")
    return problems


def _path_is_valid(model, path: str) -> bool:
    from django.core.exceptions import FieldDoesNotExist

    opts = model._meta
    for part in path.split("__"):
        if part == "pk":
            continue
        try:
            step = opts.get_field(part)
        except FieldDoesNotExist:
            return False
        if step.is_relation:
            opts = step.related_model._meta
    return True
