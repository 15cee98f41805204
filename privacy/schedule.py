"""Beat entries for privacy (no model imports here; see nettportal/schedule.py)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "privacy-exports-expire": {
        "task": "privacy.tasks.exports_expire_task",
        "schedule": crontab(minute=17),  # hourly
    },
    "privacy-deletion-reminders": {
        "task": "privacy.tasks.deletion_reminders_task",
        "schedule": crontab(hour=8, minute=5),
    },
    "privacy-deletions-execute": {
        "task": "privacy.tasks.deletions_execute_due_task",
        "schedule": crontab(minute=35),  # hourly; also resumes stalled runs
    },
    "privacy-retention-sweep": {
        "task": "privacy.tasks.retention_sweep_task",
        "schedule": crontab(hour=2, minute=30),
    },
}
