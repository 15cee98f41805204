import pytest


@pytest.fixture(autouse=True)
def _export_root(settings, tmp_path):
    """Export files go to a per-test folder, never into var/."""
    settings.PRIVACY_EXPORT_ROOT = tmp_path / "exports"
    return settings.PRIVACY_EXPORT_ROOT


@pytest.fixture
def worlds(db):
    """Two organisations with a row of every tenant-owned model each."""
    from tests.world import build_world

    return build_world("Alpha", "AAMARKERA"), build_world("Bravo", "BBMARKERB")


@pytest.fixture(autouse=True)
def _fresh_policy_cache():
    """Significant policy versions are cached per process; tests start clean."""
    from privacy.selectors import significant_cache_clear

    significant_cache_clear()
    yield
    significant_cache_clear()
