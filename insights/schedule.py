from celery.schedules import crontab

BEAT_SCHEDULE = {
    "insights-aggregate-daily": {
        "task": "insights.tasks.aggregate_daily_usage_task",
        "schedule": crontab(hour=0, minute=20),
    },
    "insights-prune": {
        "task": "insights.tasks.prune_insights_task",
        "schedule": crontab(hour=3, minute=50),
    },
}
