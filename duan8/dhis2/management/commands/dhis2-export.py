"""duan8 dhis2-export --as USERNAME --org-unit 109 --period 2024S1 [--period 2024S2]
[--unit-only] [--data-set UID] [--csv] [--out file]

A DHIS2 dataValueSet of the typed figures (and mapped counted indicators) of a unit and the
units below it, as the account sees them (docs/dhis2.md). JSON unless ``--csv`` or a ``.csv``
file; to standard output without ``--out``."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import CommandError

from duan8.core import access, audit
from duan8.core.management.base import AuditedCommand
from duan8.dhis2 import export
from duan8.dhis2 import mapping as mappings
from duan8.dhis2.periods import parse_either


class Command(AuditedCommand):
    help = "Export figures as a DHIS2 dataValueSet (JSON or CSV), as an account sees them."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--org-unit", required=True, help="organisation unit UID or code")
        parser.add_argument("--period", action="append", required=True, help="2024S1, 202407…")
        parser.add_argument("--unit-only", action="store_true", help="not the units below")
        parser.add_argument("--data-set", default=None, help="only this data set's elements")
        parser.add_argument("--csv", action="store_true", help="DHIS2's CSV instead of JSON")
        parser.add_argument("--out", default=None, help="file to write (default: stdout)")

    def handle(self, *args, **options):
        user = audit.current().actor()
        if user is None:
            raise CommandError("Name the account whose view is exported: --as USERNAME.")
        try:
            periods = sorted({parse_either(text) for text in options["period"]})
        except ValueError as exc:
            raise CommandError(f"Malformed period: {exc}") from None
        unit = mappings.load().unit_for(options["org_unit"], periods[0])
        if unit is None or not access.can(user, access.Action.VIEW, unit):
            raise CommandError(f"No unit {options['org_unit']!r} in this account's view.")
        settings = {"children": not options["unit_only"], "data_set": options["data_set"]}
        out = options["out"]
        if options["csv"] or (out and out.endswith(".csv")):
            text = export.as_csv(user, unit, periods, **settings)
        else:
            found = export.as_json(user, unit, periods, **settings)
            text = json.dumps(found, ensure_ascii=False, indent=1) + "\n"
        if out:
            Path(out).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
