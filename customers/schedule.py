"""Beat entries for customers (no model imports here: read while Celery configures)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "customers-pppoe-retry": {
        "task": "customers.tasks.retry_pppoe_sync_task",
        "schedule": 180.0,
    },
    "customers-pppoe-reconcile": {
        "task": "customers.tasks.reconcile_pppoe_task",
        "schedule": 900.0,
    },
    "customers-usage-housekeeping": {
        "task": "customers.tasks.usage_housekeeping_task",
        "schedule": crontab(hour=2, minute=40),
    },
}
