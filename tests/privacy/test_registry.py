from privacy.registry import REGISTRY, unclassified_models


def test_every_model_is_classified():
    """A new table must say what personal data it holds and how it is erased."""
    assert unclassified_models() == []


def test_secret_fields_are_never_exported_as_personal_data():
    for entry in REGISTRY.values():
        assert not set(entry.secret_fields) & set(entry.personal_fields), entry.label
