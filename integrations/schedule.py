from celery.schedules import crontab

BEAT_SCHEDULE = {
    "webhooks-retry-due": {
        "task": "integrations.tasks.retry_due_webhooks_task",
        "schedule": 60.0,
    },
    "webhooks-prune": {
        "task": "integrations.tasks.prune_webhook_deliveries_task",
        "schedule": crontab(hour=3, minute=40),
    },
}
