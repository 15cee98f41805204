"""Backups hold copies of every table; they have no models of their own.

Their rotation is a retention class like any other, so the period lives where
every other period lives (``BACKUP_RETENTION_DAYS``, overridable in admin →
Retention rules): it bounds how long deleted data survives in backups.
"""

from privacy.registry import retention_class

retention_class(
    "backups",
    setting="BACKUP_RETENTION_DAYS",
    description="Database backup files (the newest is always kept).",
)
