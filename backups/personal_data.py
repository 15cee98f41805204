# Backups hold copies of every table; they have no models of their own. Their
# retention (BACKUP_RETENTION_DAYS) bounds how long deleted data survives in them.
