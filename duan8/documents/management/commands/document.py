from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from duan8.core.formatting import parse_date
from duan8.core.management.base import AuditedCommand
from duan8.documents import actions, content, pdf
from duan8.documents.models import Kind


class Command(AuditedCommand):
    help = (
        "Write a document from the data in the Decree 30 layout: a report (--period 2024H1, "
        "2024H2 or 2024), a year plan (--period 2024), an allocation notice (--period 2024H2) "
        "or a trainer appointment decision (--appointment ID). The draft is kept on the unit's "
        "documents page; --issue gives it its number. --out writes the Word file (.docx) or, "
        "where LibreOffice is installed, the PDF (.pdf)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--kind", required=True, choices=Kind.values)
        parser.add_argument(
            "--unit", required=True, help="official code or name, with context after commas"
        )
        parser.add_argument("--period", default="", help="2024H1, 2024-H2 or 2024")
        parser.add_argument("--appointment", type=int, help="the appointment (for a decision)")
        parser.add_argument("--date", help="the document's date, dd/mm/yyyy (default: today)")
        parser.add_argument(
            "--section",
            action="append",
            default=[],
            metavar="KEY=TEXT",
            help="a text section (results, difficulties, proposals…); may repeat",
        )
        parser.add_argument("--issue", action="store_true", help="issue it with its number")
        parser.add_argument("--number", type=int, help="the number to issue it with")
        parser.add_argument("--out", help="file to write: .docx or .pdf")

    def handle(self, *args, **options):
        from duan8.core import audit

        kind = options["kind"]
        period = None
        if kind != Kind.DECISION:
            try:
                period = content.parse_period(options["period"])
            except ValueError:
                raise CommandError("--period: write 2024H1, 2024H2 or 2024.") from None
        day = None
        if options["date"]:
            try:
                day = parse_date(options["date"])
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        unit = self._unit(options["unit"], period)
        appointment = None
        if kind == Kind.DECISION:
            from duan8.activities.models import TrainerAppointment

            appointment = TrainerAppointment.objects.filter(
                pk=options["appointment"] or 0, unit=unit
            ).first()
            if appointment is None:
                raise CommandError("--appointment: no appointment of this unit with that id.")
        user = audit.current().actor()
        try:
            document = actions.generate(
                user, kind, unit, period=period, appointment=appointment, today=day
            )
            sections = {}
            for item in options["section"]:
                key, sep, text = item.partition("=")
                if not sep:
                    raise CommandError("--section: write KEY=TEXT.")
                sections[key.strip()] = text.replace("\\n", "\n")
            if sections:
                known = {s["key"] for s in document.sections}
                unknown = sorted(set(sections) - known)
                if unknown:
                    names = ", ".join(sorted(known))
                    raise CommandError(f"--section: unknown {', '.join(unknown)}; known: {names}.")
                document = actions.update(document, {}, sections)
            if options["issue"]:
                document = actions.issue(user, document, number=options["number"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        out = options["out"]
        if out:
            path = Path(out)
            try:
                data = (
                    actions.pdf_of(document)
                    if path.suffix.lower() == ".pdf"
                    else actions.docx_of(document)
                )
            except pdf.PdfUnavailable as exc:
                raise CommandError(str(exc)) from None
            path.write_bytes(data)
        state = document.number_text.strip() if document.is_issued else "draft"
        self.stdout.write(
            f"{document.kind_name} {state} (id {document.pk}): {document.summary}"
            + (f" → {out}" if out else "")
        )

    def _unit(self, text: str, period):
        from duan8.geo.models import AdminUnit
        from duan8.geo.resolver import Resolver, split_context

        name, context = split_context(text)
        day = period.last_day if period is not None else None
        found = Resolver(AdminUnit.objects.exclude(kind="village")).resolve(name, day, context)
        if found.unit is None:
            raise CommandError(found.message or f"--unit: no unit found for {text!r}.")
        return found.unit
