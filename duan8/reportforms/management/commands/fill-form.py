"""duan8 fill-form --form 01/DA8 --unit province:12 --period 2024 [--on 01/07/2025] --out f.xlsx

A report form filled from the one reading path, written as Excel (or as JSON for a ``.json``
file). ``--as USERNAME`` fills it as that account sees it (the form must be one it reads, the
unit one it views, and the columns are the units below that it views)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404
from django.utils import translation

from duan8.core.formatting import parse_date
from duan8.core.management.base import AuditedCommand
from duan8.framework import periods
from duan8.geo.models import AdminUnit
from duan8.reportforms import fill, rules, workbook
from duan8.reportforms.models import ReportForm


def find_form(text: str) -> ReportForm:
    """A form by id, by its number (01/DA8) or by the key of a form duan8 ships."""
    text = text.strip()
    if text.isdigit():
        found = ReportForm.objects.filter(pk=int(text)).first()
        if found is not None:
            return found
    matches = list(ReportForm.objects.filter(code__iexact=text)) or list(
        ReportForm.objects.filter(builtin=text)
    )
    if not matches:
        raise CommandError(f"No report form {text!r} (give its id, number or key).")
    if len(matches) > 1:
        ids = ", ".join(f"{m.pk} ({m.scope.name if m.scope else 'toàn quốc'})" for m in matches)
        raise CommandError(f"Several forms are numbered {text!r}: give the id of one of {ids}.")
    return matches[0]


def find_unit(text: str, day) -> AdminUnit:
    """A unit by ``id:N``, by ``kind:code`` (province:12) or by its official code; where a
    code names several units, the one in force on ``day``, then the highest in the tree."""
    text = text.strip()
    kind = None
    if ":" in text:
        kind, text = (part.strip() for part in text.split(":", 1))
        if kind == "id":
            found = AdminUnit.objects.filter(pk=int(text) if text.isdigit() else 0).first()
            if found is None:
                raise CommandError(f"No unit with id {text!r}.")
            return found
    units = AdminUnit.objects.filter(code=text)
    if kind:
        units = units.filter(kind=kind)
    found = list(units)
    if len(found) > 1 and day is not None:
        found = [u for u in found if u.is_valid_on(day)] or found
    if len(found) > 1:
        lowest = min(u.depth for u in found)
        found = [u for u in found if u.depth == lowest]
    if not found:
        raise CommandError(f"No unit with code {text!r}.")
    if len(found) > 1:
        listed = ", ".join(f"id:{u.pk} {u.name}" for u in found)
        raise CommandError(f"The code {text!r} names several units: {listed}.")
    return found[0]


class Command(AuditedCommand):
    help = "Fill a report form for a unit, a period and a tree date, into an Excel file."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--form", required=True, help="id, number (01/DA8) or key")
        parser.add_argument(
            "--unit", required=True, help="id:N, kind:code (province:12) or official code"
        )
        parser.add_argument("--period", help="2024, 2024-H1, 2024-Q3, 2024-05 or 2021-2025")
        parser.add_argument("--on", help="tree date, dd/mm/yyyy (default: the period's end)")
        parser.add_argument("--out", required=True, help="file.xlsx (or file.json)")

    def handle(self, *args, form, unit, period, on, out, **options):
        from duan8.accounts.models import User

        report = find_form(form)
        try:
            asked = periods.parse(period) if period else None
            day = parse_date(on) if on else None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        target = find_unit(unit, day or (asked.last_day if asked else None))
        user = None
        if options.get("acting_user"):
            user = User.objects.named(options["acting_user"]).first()
            try:
                report = rules.get_form_or_404(user, report.pk)
                target = rules.get_unit_or_404(user, target.pk)
            except (Http404, PermissionDenied):
                raise CommandError(
                    f"{user.get_username()} does not read this form for {target.name}."
                ) from None
        path = Path(out)
        with translation.override("vi"):
            try:
                filled = fill.fill(report, target, asked, day, user=user)
            except fill.NoPeriod as exc:
                raise CommandError(str(exc)) from None
            if path.suffix.lower() == ".json":
                content = json.dumps(
                    filled.as_json(), cls=DjangoJSONEncoder, ensure_ascii=False, indent=1
                ).encode()
            else:
                content = workbook.workbook(filled)
        path.write_bytes(content)
        self.stdout.write(
            f"{report}: {target.name}, {filled.period.code} "
            f"(units of {filled.day:%d/%m/%Y}), {len(filled.columns)} columns, "
            f"{len(filled.lines)} rows → {path}"
        )
