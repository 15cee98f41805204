from celery.schedules import crontab

BEAT_SCHEDULE = {
    "backups-daily": {
        "task": "backups.tasks.backup_database_task",
        "schedule": crontab(hour=2, minute=15),
    },
    "backups-restore-check-weekly": {
        "task": "backups.tasks.restore_check_task",
        "schedule": crontab(hour=5, minute=0, day_of_week=0),
    },
}
