from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from duan8.core import backup


class Command(BaseCommand):
    help = "Replace the database with a backup made by `duan8 backup`. Stop the app first."

    def add_arguments(self, parser):
        parser.add_argument("source")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, source, yes, **options):
        if not yes and input("This replaces the whole database. Type 'yes': ").strip() != "yes":
            raise CommandError("Cancelled.")
        try:
            backup.restore(Path(source))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Database restored from {source}"))
