import logging

from celery import shared_task

from backups.services import backup_create, backup_rotate, restore_check

logger = logging.getLogger(__name__)


@shared_task(time_limit=4 * 3600, soft_time_limit=4 * 3600 - 60, ignore_result=True)
def backup_database_task() -> str:
    """Daily: a new backup, then rotation (the new one is never rotated away)."""
    backup = backup_create()
    removed = backup_rotate()
    logger.info("backup %s written; %s old backup(s) removed", backup.dump.name, len(removed))
    return backup.dump.name


@shared_task(time_limit=4 * 3600, soft_time_limit=4 * 3600 - 60, ignore_result=True)
def restore_check_task() -> bool:
    report = restore_check()
    if report.ok:
        logger.info(
            "restore check of %s: %s tables, %s rows match",
            report.backup,
            report.tables,
            report.rows,
        )
    else:
        logger.error(
            "restore check of %s: %s table(s) differ", report.backup, len(report.mismatches)
        )
    return report.ok
