from accounts.tenancy import tenant_models
from privacy.datasets import children_first, installed_data_classes
from privacy.erasure import pseudonymise_assignments
from privacy.registry import (
    REGISTRY,
    RETENTION_CLASSES,
    registry_problems,
    stale_registrations,
    unclassified_models,
)


def test_every_model_is_classified():
    """A new table must say what personal data it holds and how it is erased."""
    assert unclassified_models() == []


def test_no_registration_names_a_missing_model_or_field():
    assert stale_registrations() == []
    assert registry_problems() == []


def test_secret_fields_are_never_exported_as_personal_data():
    for entry in REGISTRY.values():
        assert not set(entry.secret_fields) & set(entry.personal_fields), entry.label


def test_every_retention_class_in_use_has_a_default():
    used = {entry.retention for entry in REGISTRY.values() if entry.retention}
    assert used <= set(RETENTION_CLASSES), used - set(RETENTION_CLASSES)


def test_tenant_rows_belong_to_their_organisation():
    for model in tenant_models():
        entry = REGISTRY[model._meta.label]
        assert entry.owner == "organization", entry.label
        assert entry.resolved_organization_path() == "organization"


def test_personal_data_outside_organisations_and_users_is_explained():
    """Rows that belong to neither an organisation nor a user escape exports and
    account deletion; that must be a decision written down in ``notes``."""
    for entry in installed_data_classes():
        if entry.owner == "platform" and entry.personal_fields:
            assert entry.notes, f"{entry.label}: explain in notes= why it is platform data"


def test_pseudonymisation_replaces_every_personal_field_it_can():
    for entry in installed_data_classes():
        if entry.erasure in ("pseudonymise", "keep_for_law") and entry.personal_fields:
            assert pseudonymise_assignments(entry), entry.label


def test_deletion_order_puts_referencing_tables_first():
    ordered = [entry.label for entry in children_first(installed_data_classes())]
    assert ordered.index("privacy.DataExport") < ordered.index("nettportal.BackgroundJob")
    assert ordered.index("privacy.DataExport") < ordered.index("privacy.PrivacyRequest")
    assert ordered.index("accounts.Membership") < ordered.index("accounts.User")
    assert ordered.index("accounts.Membership") < ordered.index("accounts.Organization")


def test_a_retention_class_without_its_setting_is_reported(monkeypatch):
    from privacy.registry import RetentionClass

    probe = RetentionClass(name="probe", description="probe", setting="NO_SUCH_RETENTION_DAYS")
    monkeypatch.setitem(RETENTION_CLASSES, "probe", probe)
    assert any("NO_SUCH_RETENTION_DAYS" in problem for problem in registry_problems())


def test_every_retention_setting_is_documented_in_the_readme():
    from django.conf import settings

    readme = (settings.BASE_DIR / "README.md").read_text()
    configuration = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    for declared in RETENTION_CLASSES.values():
        assert declared.setting, f"retention class {declared.name} has no setting"
        assert f"| `{declared.setting}` |" in configuration, declared.setting
