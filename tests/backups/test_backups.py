import json
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from accounts.tenancy import tenant
from backups.services import backup_create, backup_list, backup_rotate, restore_check
from tests.support.factories import TicketFactory


def _seed(org, user, n=3):
    with tenant(org):
        for index in range(n):
            TicketFactory(organization=org, opened_by=user, subject=f"Backup {index}")


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_check_round_trip(org_a, owner_a, tmp_path, capsys):
    # given some data
    _seed(org_a, owner_a)
    # when the backup command runs and restore_check restores it
    call_command("backup", "--dir", str(tmp_path))
    call_command("restore_check", "--dir", str(tmp_path))
    out = capsys.readouterr().out
    # then the newest backup restores with identical row counts
    assert "restore check of nettportal-" in out
    assert "OK" in out
    backup = backup_list(directory=tmp_path)[0]
    manifest = backup.read_manifest()
    assert manifest["tables"]["support_ticket"] == 3
    assert manifest["tables"]["accounts_organization"] >= 1
    assert manifest["engine"] == ("postgresql" if django_settings.IS_POSTGRES else "sqlite")
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.django_db(transaction=True)
def test_restore_check_fails_on_a_damaged_backup(org_a, owner_a, tmp_path):
    _seed(org_a, owner_a, n=1)
    backup = backup_create(directory=tmp_path)
    with backup.dump.open("r+b") as handle:
        handle.seek(200)
        handle.write(b"\x00garbage\x00")
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore_check", "--dir", str(tmp_path))


@pytest.mark.django_db(transaction=True)
def test_restore_check_reports_count_mismatch(org_a, owner_a, tmp_path):
    _seed(org_a, owner_a, n=2)
    backup = backup_create(directory=tmp_path)
    manifest = backup.read_manifest()
    manifest["tables"]["support_ticket"] = 99  # what the live database had claimed
    backup.manifest.write_text(json.dumps(manifest))
    report = restore_check(directory=tmp_path)
    assert not report.ok
    assert report.mismatches == {"support_ticket": {"expected": 99, "restored": 2}}


def test_no_backup_is_a_clear_error(tmp_path, db):
    with pytest.raises(CommandError, match="no complete backup"):
        call_command("restore_check", "--dir", str(tmp_path))


@pytest.mark.django_db(transaction=True)
def test_rotation_keeps_recent_and_always_the_newest(tmp_path, db):
    now = datetime.now(UTC)
    for days in (40, 35, 10, 1):
        backup_create(directory=tmp_path, now=now - timedelta(days=days))
    removed = backup_rotate(directory=tmp_path, keep_days=30, now=now)
    assert len(removed) == 2
    ages = sorted(
        (now - datetime.fromisoformat(b.read_manifest()["created_at"])).days
        for b in backup_list(directory=tmp_path)
    )
    assert ages == [1, 10]
    # even when every backup is old, the newest one stays
    assert len(backup_rotate(directory=tmp_path, keep_days=0, now=now + timedelta(days=100))) == 1
    assert len(backup_list(directory=tmp_path)) == 1


def test_backup_is_scheduled_daily():
    from nettportal.schedule import beat_schedule

    schedule = beat_schedule()
    assert schedule["backups-daily"]["task"] == "backups.tasks.backup_database_task"
    assert "backups-restore-check-weekly" in schedule


def _fake_backup(directory, created):
    stem = directory / f"nettportal-{created.strftime('%Y%m%dT%H%M%S')}000Z"
    stem.with_suffix(".pgdump").write_bytes(b"dump")
    stem.with_suffix(".json").write_text(json.dumps({"created_at": created.isoformat()}))


def test_rotation_reads_the_backups_retention_class(tmp_path, db, settings):
    """Rotation follows the same retention rules as the database sweep: the
    ``backups`` class's setting (BACKUP_RETENTION_DAYS), a staff override in
    admin → Retention rules, or nothing deleted when the class is switched off."""
    from privacy.models import RetentionRule
    from privacy.services.retention import retention_rules_sync

    now = datetime.now(UTC)
    for days in (50, 25, 15, 1):
        _fake_backup(tmp_path, now - timedelta(days=days))
    rule = retention_rules_sync()["backups"]

    rule.is_enabled = False
    rule.save()
    assert backup_rotate(directory=tmp_path, now=now) == []

    rule.is_enabled = True
    rule.save()
    settings.BACKUP_RETENTION_DAYS = 30
    assert len(backup_rotate(directory=tmp_path, now=now)) == 1  # the 50-day-old one

    RetentionRule.objects.filter(pk=rule.pk).update(days=20)  # staff shorten it
    assert len(backup_rotate(directory=tmp_path, now=now)) == 1  # the 25-day-old one
    assert len(backup_list(directory=tmp_path)) == 2
