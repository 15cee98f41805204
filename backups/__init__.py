"""Backups: database dumps on a schedule, rotated by age, and proven restorable.

``manage.py backup`` writes a dump (pg_dump on PostgreSQL, SQLite's online
backup API otherwise) plus a manifest of row counts taken from the same
snapshot; ``manage.py restore_check`` restores the newest dump into a scratch
database and compares. No models: the backup directory is the record.
"""
