"""Beat entries for customers (no model imports here: read while Celery configures)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "customers-purge-imports": {
        "task": "customers.tasks.purge_customer_imports_task",
        "schedule": crontab(hour=3, minute=10),
    },
}
