"""Making, rotating and verifying backups.

A backup is two files in ``BACKUP_DIR``: ``nettportal-<UTC time>.<pgdump|sqlite3>``
and ``….json`` (engine, SHA-256 of the dump, row count of every table). Both
are written to a temporary name and renamed, so a crash never leaves a
half-written backup that looks complete.

On PostgreSQL the counts and the dump come from one exported snapshot
(``pg_export_snapshot`` + ``pg_dump --snapshot``), so they agree exactly even
while the application keeps writing.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection

PREFIX = "nettportal-"
DUMP_SUFFIXES = (".pgdump", ".sqlite3")


class BackupError(RuntimeError):
    pass


@dataclass
class Backup:
    dump: Path
    manifest: Path

    def read_manifest(self) -> dict:
        return json.loads(self.manifest.read_text())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_postgres(settings_dict) -> bool:
    return settings_dict["ENGINE"].endswith("postgresql")


def _pg_env(settings_dict) -> dict:
    env = {**os.environ}
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    return env


def _pg_connect(settings_dict, dbname):
    import psycopg

    return psycopg.connect(
        dbname=dbname,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
    )


def _pg_counts(conn) -> dict[str, int]:
    from psycopg import sql

    tables = [
        row[0]
        for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    return {
        table: conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()[0]
        for table in tables
    }


def _sqlite_counts(conn) -> dict[str, int]:
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    # Table names come from sqlite_master, not from input.
    query = 'SELECT count(*) FROM "{}"'
    return {table: conn.execute(query.format(table)).fetchone()[0] for table in tables}


def backup_create(*, directory: Path | None = None, now: datetime | None = None) -> Backup:
    directory = Path(directory or settings.BACKUP_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    now = now or datetime.now(UTC)
    stem = PREFIX + now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}Z"
    settings_dict = connection.settings_dict
    if _is_postgres(settings_dict):
        dump, counts = _pg_backup(settings_dict, directory, stem)
        engine = "postgresql"
    else:
        dump, counts = _sqlite_backup(directory, stem)
        engine = "sqlite"
    manifest = {
        "created_at": now.isoformat(),
        "engine": engine,
        "database": settings_dict["NAME"] if engine == "postgresql" else "sqlite",
        "dump": dump.name,
        "sha256": _sha256(dump),
        "size": dump.stat().st_size,
        "tables": counts,
    }
    manifest_path = directory / f"{stem}.json"
    temporary = manifest_path.with_suffix(".json.part")
    temporary.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    temporary.replace(manifest_path)  # the manifest last: a backup without one is incomplete
    return Backup(dump=dump, manifest=manifest_path)


def _pg_backup(settings_dict, directory: Path, stem: str):
    target = directory / f"{stem}.pgdump"
    partial = target.with_suffix(".pgdump.part")
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump is not installed (apt-get install postgresql-client)")
    with _pg_connect(settings_dict, settings_dict["NAME"]) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        counts = _pg_counts(conn)
        result = subprocess.run(  # noqa: S603 - fixed program, arguments are not user input
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                f"--file={partial}",
                settings_dict["NAME"],
            ],
            env=_pg_env(settings_dict),
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
        conn.rollback()
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[:500]}")
    partial.replace(target)
    return target, counts


def _sqlite_backup(directory: Path, stem: str):
    target = directory / f"{stem}.sqlite3"
    partial = target.with_suffix(".sqlite3.part")
    connection.ensure_connection()
    destination = sqlite3.connect(partial)
    try:
        connection.connection.backup(destination)
        counts = _sqlite_counts(destination)
    finally:
        destination.close()
    partial.replace(target)
    return target, counts


def backup_list(*, directory: Path | None = None) -> list[Backup]:
    """Complete backups (dump and manifest present), newest first."""
    directory = Path(directory or settings.BACKUP_DIR)
    if not directory.exists():
        return []
    found = []
    for manifest in sorted(directory.glob(f"{PREFIX}*.json"), reverse=True):
        for suffix in DUMP_SUFFIXES:
            dump = manifest.with_suffix(suffix)
            if dump.exists():
                found.append(Backup(dump=dump, manifest=manifest))
                break
    return found


def backup_rotate(
    *, directory: Path | None = None, keep_days: int | None = None, now=None
) -> list[str]:
    """Delete backups older than ``keep_days``, by default the ``backups``
    retention class's period (``BACKUP_RETENTION_DAYS`` unless staff override it
    in admin → Retention rules; switched off there, no backup is deleted). The
    newest backup is always kept, whatever its age. Leftover ``.part`` files
    older than a day are removed too."""
    from privacy.services.retention import retention_days

    directory = Path(directory or settings.BACKUP_DIR)
    keep_days = retention_days("backups") if keep_days is None else keep_days
    now = now or datetime.now(UTC)
    removed = []
    backups = backup_list(directory=directory)[1:] if keep_days is not None else []
    cutoff = now - timedelta(days=keep_days or 0)
    for backup in backups:
        created = datetime.fromisoformat(backup.read_manifest()["created_at"])
        if created < cutoff:
            backup.dump.unlink(missing_ok=True)
            backup.manifest.unlink(missing_ok=True)
            removed.append(backup.dump.name)
    for partial in directory.glob(f"{PREFIX}*.part"):
        if datetime.fromtimestamp(partial.stat().st_mtime, UTC) < now - timedelta(days=1):
            partial.unlink(missing_ok=True)
    return removed


@dataclass
class RestoreReport:
    backup: str
    tables: int
    rows: int
    mismatches: dict

    @property
    def ok(self) -> bool:
        return not self.mismatches


def restore_check(*, directory: Path | None = None) -> RestoreReport:
    """Restore the newest backup into a scratch database and compare every
    table's row count with the manifest. The scratch database is dropped."""
    backups = backup_list(directory=directory)
    if not backups:
        raise BackupError("no complete backup found")
    backup = backups[0]
    manifest = backup.read_manifest()
    if _sha256(backup.dump) != manifest["sha256"]:
        raise BackupError(f"{backup.dump.name} does not match its manifest checksum")
    if manifest["engine"] == "postgresql":
        restored = _pg_restore_counts(backup.dump)
    else:
        restored = _sqlite_restore_counts(backup.dump)
    expected = manifest["tables"]
    mismatches = {
        table: {"expected": expected.get(table), "restored": restored.get(table)}
        for table in sorted(set(expected) | set(restored))
        if expected.get(table) != restored.get(table)
    }
    return RestoreReport(
        backup=backup.dump.name,
        tables=len(restored),
        rows=sum(restored.values()),
        mismatches=mismatches,
    )


def _pg_restore_counts(dump: Path) -> dict[str, int]:
    settings_dict = connection.settings_dict
    scratch = f"{settings_dict['NAME']}_restore_check"[:63]
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise BackupError("pg_restore is not installed (apt-get install postgresql-client)")
    from psycopg import sql

    admin = _pg_connect(settings_dict, "postgres")
    admin.autocommit = True
    try:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(scratch)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
        try:
            result = subprocess.run(  # noqa: S603
                [
                    pg_restore,
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    f"--dbname={scratch}",
                    str(dump),
                ],
                env=_pg_env(settings_dict),
                capture_output=True,
                text=True,
                timeout=3600,
                check=False,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()[:500]}")
            with _pg_connect(settings_dict, scratch) as conn:
                return _pg_counts(conn)
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch))
            )
    finally:
        admin.close()


def _sqlite_restore_counts(dump: Path) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir) / "restore.sqlite3"
        source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        target = sqlite3.connect(scratch)
        try:
            source.backup(target)
            check = target.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"restored database fails integrity_check: {check}")
            return _sqlite_counts(target)
        finally:
            source.close()
            target.close()
