from celery.schedules import crontab

BEAT_SCHEDULE = {
    "insights-aggregate-daily": {
        "task": "insights.tasks.aggregate_daily_usage_task",
        "schedule": crontab(hour=0, minute=20),
    },
}
