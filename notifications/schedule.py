from celery.schedules import crontab

BEAT_SCHEDULE = {
    "notifications-prune": {
        "task": "notifications.tasks.prune_notifications_task",
        "schedule": crontab(hour=4, minute=10),
    },
}
