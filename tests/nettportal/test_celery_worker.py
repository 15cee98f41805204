"""Tasks really run in a Celery worker (not eagerly) on the configured broker:
Redis when REDIS_URL is set (CI), else the filesystem broker used by `make run`."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from nettportal.celery import app
from nettportal.tasks import send_email_task


def _forget_connections():
    """Connections and producers made earlier hold the old broker options."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def real_worker(tmp_path):
    saved = {
        key: app.conf[key]
        for key in ("task_always_eager", "broker_url", "broker_transport_options")
    }
    app.conf.task_always_eager = False
    if not settings.REDIS_URL:
        folder = str(tmp_path / "queue")
        app.conf.broker_url = "filesystem://"
        app.conf.broker_transport_options = {
            "data_folder_in": folder,
            "data_folder_out": folder,
            "processed_folder": str(tmp_path / "done"),
            "store_processed": False,
            "control_folder": str(tmp_path / "control"),
        }
        for name in ("queue", "done", "control"):
            (tmp_path / name).mkdir()
    _forget_connections()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield
    app.conf.update(saved)
    _forget_connections()


@pytest.mark.django_db(transaction=True)
def test_email_task_is_sent_by_a_real_worker(real_worker):
    mail.outbox.clear()
    send_email_task.delay(
        {
            "recipients": ["owner@example.test"],
            "subject": "Hello",
            "body": "From the worker",
            "html": "<p>From the worker</p>",
            "headers": {},
        }
    )
    deadline = time.monotonic() + 30
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Hello"
    assert mail.outbox[0].alternatives[0][1] == "text/html"
