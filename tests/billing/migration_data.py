"""Transactional tests end with a flush that also empties rows data migrations made
(the published privacy policy, terms and DPA), which later tests expect. Modules
with such tests use :func:`restore_after_module`: it puts them back once the
module's last flush is done."""

from importlib import import_module

import pytest


@pytest.fixture(scope="module")
def restore_migration_data(django_db_blocker):
    yield
    from django.apps import apps

    publish = import_module("privacy.migrations.0002_publish_first_documents").publish
    with django_db_blocker.unblock():
        publish(apps, None)
