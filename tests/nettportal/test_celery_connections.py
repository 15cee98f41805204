"""Workers keep their database connection from one task to the next (Celery's
Django fix-up would otherwise open a new one for every task), and still drop a
connection Django's own rule says is done with."""

from types import SimpleNamespace

import pytest
from celery import signals
from celery.fixups.django import DjangoWorkerFixup
from django.conf import settings
from django.db import connection

from nettportal.celery import app

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # SQLite's in-memory test database is never really closed
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs a real database connection"),
]


class _Task:
    request = SimpleNamespace(is_eager=False)


def _run_task_hooks():
    """What a worker does around one (non-eager) task."""
    task = _Task()
    fixup = DjangoWorkerFixup(app)
    signals.task_prerun.send(sender=task, task_id="t", task=task, args=(), kwargs={})
    fixup.on_task_prerun(task)
    fixup.on_task_postrun(task)
    signals.task_postrun.send(sender=task, task_id="t", task=task, args=(), kwargs={})


def test_a_worker_reuses_its_database_connection_across_tasks():
    connection.ensure_connection()
    opened = connection.connection
    for _ in range(3):
        _run_task_hooks()
    assert connection.connection is opened


def test_a_connection_past_its_age_is_closed_after_the_task():
    connection.ensure_connection()
    connection.close_at = 0  # as if CONN_MAX_AGE had passed
    _run_task_hooks()
    assert connection.connection is None
