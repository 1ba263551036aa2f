"""duan8 dhis2-import --as USERNAME FILE [--dry-run]

Import a DHIS2 dataValueSet (JSON, or CSV for a ``.csv`` file) into typed figures as the
account, checked whole: nothing stored on a conflict (docs/dhis2.md). Prints the import
summary; fails (status 1) when the set has conflicts."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import CommandError

from duan8.core import audit
from duan8.core.management.base import AuditedCommand
from duan8.dhis2 import imports


class Command(AuditedCommand):
    help = "Import a DHIS2 dataValueSet (JSON or CSV) into typed figures, as an account."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file", help="a .json or .csv dataValueSet")
        parser.add_argument("--dry-run", action="store_true", help="check and count only")

    def handle(self, *args, **options):
        user = audit.current().actor()
        if user is None:
            raise CommandError("Name the account that imports: --as USERNAME.")
        path = Path(options["file"])
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        try:
            if path.suffix.lower() == ".csv":
                values = imports.read_csv(body)
            else:
                values = imports.read_json(body)
        except imports.Unreadable as exc:
            raise CommandError(str(exc)) from None
        summary = imports.run(user, values, dry_run=options["dry_run"])
        self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False, indent=1))
        if summary.conflicts:
            raise CommandError("The set has conflicts: nothing was stored.")
