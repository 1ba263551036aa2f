import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from duan8.core import backup


class Command(BaseCommand):
    help = (
        "Back up the database while the app runs (SQLite backup API or pg_dump). The file is "
        "readable by its owner only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "target",
            nargs="?",
            help="file to write, or a folder to write duan8-YYYYmmdd-HHMMSS.* into; "
            "var/backups/… by default",
        )
        parser.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help="after a backup that passes the restore checks, delete all but the newest N "
            "backups (files named duan8-YYYYmmdd-HHMMSS.*) in its folder",
        )

    def handle(self, *args, target, keep, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep must be at least 1.")
        if not target:
            path = backup.default_target()
        elif target.endswith(("/", os.sep)) or Path(target).is_dir():
            path = backup.default_target(folder=Path(target))
        else:
            path = Path(target)
        if keep is not None and not backup.is_backup_name(path.name):
            raise CommandError(
                "--keep deletes only backups named duan8-YYYYmmdd-HHMMSS.*: give a folder "
                "(or nothing) instead of a file name."
            )
        try:
            backup.backup(path)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path}"))
        if keep is None:
            return
        try:
            backup.check(path)
        except backup.BackupError as exc:
            raise CommandError(
                f"The new backup fails the restore checks, so no older backup was deleted: {exc}"
            ) from None
        removed = backup.prune(path.parent, keep)
        if removed:
            names = ", ".join(p.name for p in removed)
            self.stdout.write(f"Deleted {len(removed)} older backup(s): {names}")
