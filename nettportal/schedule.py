"""The Celery beat schedule, assembled from each app's ``schedule.py``.

An app declares ``BEAT_SCHEDULE = {"name": {"task": "app.tasks.x_task",
"schedule": seconds_or_crontab}}`` in ``<app>/schedule.py``. Those modules
must not import Django models (they are read while Celery configures itself).
"""

from importlib import import_module

SCHEDULE_APPS = [
    "accounts",
    "routers",
    "customers",
    "vouchers",
    "billing",
    "portal",
    "support",
    "privacy",
    "integrations",
    "insights",
    "backups",
]


def beat_schedule() -> dict:
    schedule = {}
    for app in SCHEDULE_APPS:
        try:
            module = import_module(f"{app}.schedule")
        except ModuleNotFoundError as error:
            if error.name != f"{app}.schedule":
                raise
            continue
        for name, entry in module.BEAT_SCHEDULE.items():
            if name in schedule:
                raise ValueError(f"beat schedule entry {name!r} declared twice")
            schedule[name] = entry
    return schedule
