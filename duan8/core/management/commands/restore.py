from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from duan8.core import backup


class Command(BaseCommand):
    help = (
        "Replace the database with a backup made by `duan8 backup`. Stop the app first. The "
        "file is checked before anything is replaced; a backup from an older duan8 is migrated "
        "after it is restored, one from a newer duan8 is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("source")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, source, yes, **options):
        path = Path(source)
        try:
            verdict = backup.check(path)
        except backup.BackupError as exc:
            raise CommandError(f"{exc}\nNothing was restored.") from None
        if verdict.foreign_apps:
            self.stdout.write(
                self.style.WARNING(
                    "The backup has tables of apps this duan8 does not have; they are restored "
                    f"but not used: {', '.join(verdict.foreign_apps)}"
                )
            )
        if verdict.pending:
            self.stdout.write(
                f"The backup comes from an older duan8: {len(verdict.pending)} migration(s) "
                "will be applied after it is restored."
            )
        if not yes and input("This replaces the whole database. Type 'yes': ").strip() != "yes":
            raise CommandError("Cancelled.")
        try:
            backup.restore(path, verdict=verdict)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Database restored from {source}"))
        if verdict.pending:
            self.stdout.write(self.style.SUCCESS(f"Migrated: {', '.join(verdict.pending)}"))
