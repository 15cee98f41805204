BEAT_SCHEDULE = {
    "webhooks-retry-due": {
        "task": "integrations.tasks.retry_due_webhooks_task",
        "schedule": 60.0,
    },
}
