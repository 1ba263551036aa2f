from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from duan8.core import backup


class Command(BaseCommand):
    help = "Back up the database while the app runs (SQLite backup API or pg_dump)."

    def add_arguments(self, parser):
        parser.add_argument("target", nargs="?", help="file to write; var/backups/… by default")

    def handle(self, *args, target, **options):
        path = Path(target) if target else backup.default_target()
        try:
            backup.backup(path)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path}"))
