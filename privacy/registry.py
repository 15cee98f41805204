"""The personal-data registry: every model, classified in one place.

Each app declares its models in ``<app>/personal_data.py`` by calling
:func:`register`; ``PrivacyConfig.ready`` imports those modules. A test fails
when a model is not classified, so a new table cannot silently escape export,
erasure or retention.

* ``personal_fields`` — fields that hold personal data (may be empty).
* ``export`` — included in the organisation export (never for secrets).
* ``erasure`` — what organisation deletion / customer erasure does with a row:
  ``delete``; ``pseudonymise`` (personal fields replaced, row kept); or
  ``keep_for_law`` (transaction records: pseudonymised and kept for the legal
  period).
* ``retention`` — the retention class that bounds the row's age, or ``None``
  when it lives as long as the organisation does.
* ``secret_fields`` — never exported, never shown.
"""

from dataclasses import dataclass, field

ERASURE_CHOICES = ("delete", "pseudonymise", "keep_for_law")


@dataclass(frozen=True)
class DataClass:
    label: str
    category: str
    personal_fields: tuple[str, ...] = ()
    secret_fields: tuple[str, ...] = ()
    export: bool = True
    erasure: str = "delete"
    retention: str | None = None
    notes: str = ""
    extra: dict = field(default_factory=dict)


REGISTRY: dict[str, DataClass] = {}

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


def unclassified_models() -> list[str]:
    from django.apps import apps

    missing = []
    for model in apps.get_models():
        label = model._meta.label
        if label not in REGISTRY and label not in NOT_ORGANISATION_DATA:
            missing.append(label)
    return sorted(missing)
