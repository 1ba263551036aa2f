from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from duan8.core.formatting import parse_date
from duan8.core.management.base import AuditedCommand
from duan8.geo.models import AdminUnit, UnitKind


class Command(AuditedCommand):
    help = "Show or change an administrative unit found by kind and official code."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("kind", choices=UnitKind.values)
        parser.add_argument("code")
        parser.add_argument("--name")
        parser.add_argument("--short-name")
        parser.add_argument("--valid-until", help="dd/mm/yyyy, or 'none' to clear")

    def handle(self, *args, kind, code, name, short_name, valid_until, **options):
        units = AdminUnit.objects.filter(kind=kind, code=code).order_by("-valid_from")
        unit = units.first()
        if unit is None:
            raise CommandError(f"No {kind} with code {code!r}.")
        if name:
            unit.name = name
        if short_name:
            unit.short_name = short_name
        if valid_until:
            try:
                unit.valid_until = None if valid_until == "none" else parse_date(valid_until)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        try:
            unit.full_clean()
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        unit.save()
        until = unit.valid_until.strftime("%d/%m/%Y") if unit.valid_until else "-"
        self.stdout.write(
            f"{unit.kind} {unit.code}: {unit.name} ({unit.short_name}), until {until}"
        )
