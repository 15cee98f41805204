from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups.services import BackupError, backup_create, backup_rotate


class Command(BaseCommand):
    help = "Back up the database into BACKUP_DIR, then delete backups past BACKUP_RETENTION_DAYS."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="backup directory (default BACKUP_DIR)")
        parser.add_argument("--no-rotate", action="store_true", help="keep every old backup")

    def handle(self, *args, **options):
        try:
            backup = backup_create(directory=options["dir"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = backup.read_manifest()
        self.stdout.write(
            f"wrote {backup.dump} ({manifest['size']} bytes, {len(manifest['tables'])} tables, "
            f"{sum(manifest['tables'].values())} rows)"
        )
        if not options["no_rotate"]:
            removed = backup_rotate(directory=options["dir"])
            self.stdout.write(f"rotation removed {len(removed)} old backup(s)")
