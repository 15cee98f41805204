"""The Celery application. Tasks live in each app's ``tasks.py``; the beat
schedule is assembled here so every scheduled job can be found in one place."""

import os

from celery import Celery

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
