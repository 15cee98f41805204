"""Project-wide fixtures. Every fixture world has two organisations (A and B)."""

import contextlib
import os
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

from accounts import tenancy
from accounts.roles import Role


def pytest_configure(config):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",  # fast for tests
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    settings.CACHES["default"]["KEY_PREFIX"] = f"np-test-{os.getpid()}"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Private files (ticket attachments, exports) and backups never land in var/.
    scratch = Path(tempfile.mkdtemp(prefix="nettportal-test-"))
    settings.PRIVATE_STORAGE_ROOT = scratch / "private"
    settings.BACKUP_DIR = scratch / "backups"
    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    from nettportal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _clean_state():
    """No tenant leaks from one test into the next; the cache (and the per-process copies
    of what it holds) starts empty; no kept router connections."""
    from django.core.cache import cache

    from integrations import services as integrations_services

    token = tenancy.clear()
    with contextlib.suppress(Exception):  # the DB cache table may not exist without a DB
        cache.clear()
    integrations_services._local_subscribed.clear()
    yield
    tenancy.deactivate(token)
    from routers.routeros import connection_pool

    connection_pool.clear()  # router connections kept by redemptions belong to this test


@pytest.fixture
def org_a(db):
    from tests.accounts.factories import OrganizationFactory

    return OrganizationFactory(name="Alpha Wireless")


@pytest.fixture
def org_b(db):
    from tests.accounts.factories import OrganizationFactory

    return OrganizationFactory(name="Bravo Hotspots")


def _member(org, role):
    from tests.accounts.factories import MembershipFactory

    return MembershipFactory(organization=org, role=role).user


@pytest.fixture
def owner_a(org_a):
    return _member(org_a, Role.OWNER)


@pytest.fixture
def owner_b(org_b):
    return _member(org_b, Role.OWNER)


@pytest.fixture
def make_member():
    """``make_member(org, role)`` → a user with that role in ``org``."""
    return _member


@pytest.fixture
def client_a(client, owner_a):
    client.force_login(owner_a)
    return client


@pytest.fixture
def in_tenant():
    """``with in_tenant(org): ...`` for tests that touch tenant-owned rows."""
    return tenancy.tenant


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (emails, tasks) of the block, as after a real commit."""

    def runner():
        return django_capture_on_commit_callbacks(execute=True)

    return runner


@pytest.fixture(autouse=True)
def _data_migration_rows(request):
    """Transactional tests (live server, real concurrency, pg_dump) end with a
    flush that also deletes rows data migrations created, such as the published
    policy documents. Put them back at the start of each transactional test, so
    it sees the database as `migrate` leaves it whichever test ran before."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    )
    if transactional:
        from importlib import import_module

        from django.apps import apps

        request.getfixturevalue("transactional_db")
        import_module("privacy.migrations.0002_publish_first_documents").publish(apps, None)


# Simulated RouterOS routers for every app's tests (see tests/routers/sim.py).
from tests.routers.sim import sim_fleet, sim_router  # noqa: E402, F401
