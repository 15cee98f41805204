from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups.services import BackupError, restore_check


class Command(BaseCommand):
    help = "Restore the newest backup into a scratch database and compare row counts."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="backup directory (default BACKUP_DIR)")

    def handle(self, *args, **options):
        try:
            report = restore_check(directory=options["dir"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        if not report.ok:
            for table, counts in report.mismatches.items():
                self.stderr.write(
                    f"  {table}: expected {counts['expected']}, restored {counts['restored']}"
                )
            raise CommandError(f"restore check of {report.backup} FAILED")
        self.stdout.write(
            f"restore check of {report.backup} OK: {report.tables} tables, {report.rows} rows match"
        )
