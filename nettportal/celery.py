"""The Celery application. Tasks live in each app's ``tasks.py``; the beat
schedule is assembled here so every scheduled job can be found in one place."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nettportal.settings")

app = Celery("nettportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _load_schedule():
    from nettportal.schedule import beat_schedule

    app.conf.beat_schedule = beat_schedule()


_load_schedule()


@app.on_after_finalize.connect
def _ensure_broker_folders(sender, **kwargs):
    """The filesystem broker (development default) needs its folders to exist."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)


# Database connections in workers. Celery's Django fix-up closes every connection
# before and after each task unless CELERY_DB_REUSE_MAX is set: a new PostgreSQL
# connection (a server process forked, authenticated, set up) for every task — the
# largest single cost of a short task. Instead a worker keeps its connection as a
# web request does: Django's own rule, at the start and end of each task, closes
# it when it is broken, in error, or older than CONN_MAX_AGE (and the health check
# runs before it is used again).
app.conf.CELERY_DB_REUSE_MAX = 10**9  # read by the fix-up under this name


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_db_connections(sender=None, **kwargs):
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # inline (tests, CELERY_TASK_ALWAYS_EAGER): the caller's connection
    from django.db import close_old_connections

    close_old_connections()
