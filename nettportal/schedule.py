"""The Celery beat schedule, assembled from each app's ``schedule.py``.

An app declares ``BEAT_SCHEDULE = {"name": {"task": "app.tasks.x_task",
"schedule": seconds_or_crontab}}`` in ``<app>/schedule.py``. Those modules
must not import Django models (they are read while Celery configures itself).
"""

from nettportal.appmodules import app_modules

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
    for module in app_modules(SCHEDULE_APPS, "schedule"):
        for name, entry in module.BEAT_SCHEDULE.items():
            if name in schedule:
                raise ValueError(f"beat schedule entry {name!r} declared twice")
            schedule[name] = entry
    return schedule
