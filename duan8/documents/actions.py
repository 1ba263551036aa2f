"""Writing documents: a draft generated from the data, edited, issued with its number into
the register, its file kept, the records it decided pointed to it. Every write goes through
the audited models; callers check access first (``duan8.core.access``)."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from duan8.documents import content, pdf, templates, word
from duan8.documents.models import Kind, Letterhead, NumberSequence, OfficialDocument
from duan8.framework import periods

LETTERHEAD_FIELDS = (
    "parent_body",
    "issuing_body",
    "name_in_text",
    "issuer_code",
    "show_motto",
    "signer_authority",
    "signer_title",
    "signer_name",
)
# What an officer may change on a draft before issue.
EDITABLE = (
    "summary",
    "place",
    "doc_date",
    "recipients",
    "signer_authority",
    "signer_title",
    "signer_name",
)


def letterhead_for(unit) -> Letterhead:
    """The unit's letterhead; while its administrators have set none, one proposed from the
    names of the unit and its parent (not stored)."""
    found = Letterhead.objects.filter(unit=unit).first()
    if found is not None:
        return found
    parent = unit.parent
    return Letterhead(
        unit=unit,
        parent_body=parent.name.upper() if parent is not None and parent.parent_id else "",
        issuing_body=unit.name.upper(),
        name_in_text=unit.name,
        issuer_code="",
        place=unit.short_name or unit.name,
    )


def _period_for(kind: str, period) -> periods.Period | None:
    if kind == Kind.DECISION:
        return None
    if period is None:
        raise ValidationError(_("Choose the period of the document."))
    if isinstance(period, str):
        try:
            period = content.parse_period(period)
        except ValueError:
            raise ValidationError(_("Not a period: write 2024, 2024-H1 or 2024-H2.")) from None
    if kind == Kind.REPORT and period.kind not in ("half", "year"):
        raise ValidationError(_("A report covers a half-year or a year."))
    if kind == Kind.PLAN and period.kind != "year":
        raise ValidationError(_("A plan covers a year."))
    if kind == Kind.NOTICE and period.kind not in ("half", "year", "phase"):
        raise ValidationError(_("An allocation notice covers a half-year, a year or a phase."))
    return period


def proposed_periods(unit, today: datetime.date | None = None) -> dict[str, periods.Period]:
    """The period the writing page proposes for each kind that has one: the period the
    unit's pages open on (``analytics.dashboard.working_period``: the latest year or half of
    the current phase begun that holds targets for the unit), made to fit the kind — a plan
    covers that period's year, and a report the year of today in the phase when only the
    phase holds targets. Empty without a phase."""
    from duan8.analytics import dashboard
    from duan8.framework.models import Phase

    phase = Phase.current(today)
    if phase is None:
        return {}
    working = dashboard.working_period(phase, unit, today)
    if working.kind == "phase":
        day = min(max(today or timezone.localdate(), phase.start), working.last_day)
        year = periods.of("year", day)
    else:
        year = periods.of("year", working.start)
    return {
        Kind.REPORT: year if working.kind == "phase" else working,
        Kind.PLAN: year,
        Kind.NOTICE: working,
    }


def build_content(kind: str, unit, period=None, appointment=None, letterhead=None):
    """The content of a document, or a ValidationError saying why the data cannot make it."""
    period = _period_for(kind, period)
    if kind == Kind.DECISION and appointment is None:
        raise ValidationError(_("Choose the appointment decision to write."))
    try:
        return content.build(
            kind, unit, period=period, appointment=appointment, letterhead=letterhead
        ), period
    except content.NotBuildable as exc:
        raise ValidationError(str(exc)) from None


def generate(user, kind: str, unit, *, period=None, appointment=None, today=None):
    """A new draft of ``kind`` for ``unit`` from the data as it stands."""
    if kind not in Kind.values:
        raise ValidationError(_("Unknown kind of document."))
    head = letterhead_for(unit)
    built, period = build_content(kind, unit, period, appointment, head)
    document = OfficialDocument(
        issuer=unit,
        kind=kind,
        period_code=period.code if period is not None else "",
        params={"appointment": appointment.pk} if appointment is not None else {},
        content=built.blocks,
        sections=[{"key": s.key, "label": s.label, "text": s.text} for s in built.sections],
        summary=built.summary[:500],
        place=head.place,
        doc_date=today or timezone.localdate(),
        recipients=head.recipients,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        **{name: getattr(head, name) for name in LETTERHEAD_FIELDS},
    )
    document.full_clean()
    document.save()
    return document


def appointment_of(document):
    from duan8.activities.models import TrainerAppointment

    pk = (document.params or {}).get("appointment")
    return TrainerAppointment.objects.filter(pk=pk).first() if pk else None


def refresh(document: OfficialDocument) -> OfficialDocument:
    """The draft's tables read again from the data; the texts typed so far are kept."""
    _refuse_if_issued(document)
    built, _period = build_content(
        document.kind,
        document.issuer,
        document.period_code or None,
        appointment_of(document),
        letterhead_for(document.issuer),
    )
    typed = {s["key"]: s["text"] for s in document.sections}
    document.content = built.blocks
    document.sections = [
        {"key": s.key, "label": s.label, "text": typed.get(s.key, s.text)} for s in built.sections
    ]
    document.save()
    return document


def update(document: OfficialDocument, changes: dict, sections: dict) -> OfficialDocument:
    """The officer's edits of a draft: the header fields in ``changes``, section texts by key."""
    _refuse_if_issued(document)
    for name, value in changes.items():
        if name in EDITABLE:
            setattr(document, name, value)
    document.sections = [
        {**s, "text": str(sections.get(s["key"], s["text"]))[:20000]} for s in document.sections
    ]
    document.full_clean()
    document.save()
    return document


def _refuse_if_issued(document: OfficialDocument) -> None:
    if document.state == OfficialDocument.State.ISSUED:
        raise ValidationError(_("An issued document cannot be changed."))


def delete_draft(document: OfficialDocument) -> None:
    _refuse_if_issued(document)
    document.delete()


# Rendering -----------------------------------------------------------------------------------


def values_of(document: OfficialDocument) -> dict:
    authority = [part.strip() for part in document.signer_authority.split("/") if part.strip()]
    return {
        "parent_body": document.parent_body,
        "issuing_body": document.issuing_body,
        "number": document.number_text,
        "place_date": content.date_words(document.place, document.doc_date),
        "kind_name": document.kind_name,
        "summary": document.summary,
        "recipients": document.recipients.strip(),
        "signer_authority": "\n".join(authority),
        "signer_title": document.signer_title,
        "signer_name": document.signer_name,
        "show_motto": document.show_motto,
    }


def render(document: OfficialDocument) -> bytes:
    """The Word file of a document as it stands (a draft with its number left blank)."""
    sections = {s["key"]: s["text"] for s in document.sections}
    template = templates.bytes_for(document.issuer, document.kind)
    return word.render(template, values_of(document), document.content, sections)


def docx_of(document: OfficialDocument) -> bytes:
    """The issued file as kept in the register; a draft's file as it would be now."""
    if document.is_issued and document.file:
        try:
            with document.file.open("rb") as handle:
                return handle.read()
        except FileNotFoundError:
            pass
    return render(document)


def pdf_of(document: OfficialDocument) -> bytes:
    """The PDF (made once for an issued document and kept); raises ``pdf.PdfUnavailable``."""
    if document.is_issued and document.pdf:
        try:
            with document.pdf.open("rb") as handle:
                return handle.read()
        except FileNotFoundError:
            pass
    data = pdf.to_pdf(docx_of(document))
    if document.is_issued:
        document.pdf.save(filename(document, "pdf"), ContentFile(data), save=False)
        document.save()
    return data


def filename(document: OfficialDocument, extension: str) -> str:
    if document.number is not None:
        stem = f"{document.number:02d}-{document.symbol}"
    else:
        stem = f"du-thao-{document.symbol}-{document.pk}"
    return re.sub(r"[^\w.-]+", "-", stem) + f".{extension}"


# Issuing and numbering -------------------------------------------------------------------------


def next_number(issuer, kind: str, year: int) -> int:
    """The number the next document of the issuer, kind and year would get."""
    return _highest(issuer, kind, year) + 1


def _highest(issuer, kind: str, year: int) -> int:
    given = (
        OfficialDocument.objects.filter(issuer=issuer, kind=kind, year=year)
        .aggregate(top=Max("number"))
        .get("top")
        or 0
    )
    counted = (
        NumberSequence.objects.filter(issuer=issuer, kind=kind, year=year)
        .values_list("last", flat=True)
        .first()
        or 0
    )
    return max(given, counted)


def _locked_sequence(issuer, kind: str, year: int) -> NumberSequence:
    """The issuer's sequence row for the kind and year, locked until the transaction ends."""
    rows = NumberSequence.objects.select_for_update()
    found = rows.filter(issuer=issuer, kind=kind, year=year).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            NumberSequence(issuer=issuer, kind=kind, year=year, last=0).save()
    except IntegrityError:  # created meanwhile by another officer issuing
        pass
    return rows.get(issuer=issuer, kind=kind, year=year)


def number_to_give(document: OfficialDocument, number: int | None = None) -> int:
    """The number issuing would give the draft now: ``number`` when typed and still free
    (else a ValidationError saying the next free one), or the next free number."""
    _refuse_if_issued(document)
    if number is None:
        return next_number(document.issuer, document.kind, document.doc_date.year)
    refuse_taken(document, number)
    return number


def refuse_taken(document: OfficialDocument, number: int) -> None:
    """A ValidationError when ``number`` is given to another document of the draft's issuer,
    kind and year."""
    year = document.doc_date.year
    if OfficialDocument.objects.filter(
        issuer=document.issuer, kind=document.kind, year=year, number=number
    ).exists():
        raise ValidationError(
            {
                "number": _(
                    "Number %(number)s of %(year)s is already given to another document "
                    "of this kind; the next free number is %(next)s."
                )
                % {
                    "number": number,
                    "year": year,
                    "next": _highest(document.issuer, document.kind, year) + 1,
                }
            }
        )


def issue(
    user, document: OfficialDocument, *, number: int | None = None, today=None
) -> OfficialDocument:
    """Give the draft its number (the next one unless ``number`` is typed and still free),
    keep its Word file in the register and point the records it decided to it."""
    with transaction.atomic():
        locked = OfficialDocument.objects.select_for_update().filter(pk=document.pk).first()
        if locked is None:
            raise ValidationError(_("The draft no longer exists."))
        _refuse_if_issued(locked)
        year = locked.doc_date.year
        sequence = _locked_sequence(locked.issuer, locked.kind, year)
        if number is None:
            number = _highest(locked.issuer, locked.kind, year) + 1
        else:
            refuse_taken(locked, number)
        locked.number, locked.year = number, year
        locked.state = OfficialDocument.State.ISSUED
        locked.issued_by = user if getattr(user, "is_authenticated", False) else None
        locked.issued_at = timezone.now()
        locked.file.save(filename(locked, "docx"), ContentFile(render(locked)), save=False)
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise ValidationError(
                {"number": _("This number was given to another document meanwhile.")}
            ) from None
        sequence.last = max(sequence.last, number)
        sequence.save()
        link(locked)
    return locked


def decided(document: OfficialDocument) -> dict[str, list]:
    """The records issuing ``document`` points to it, by kind: the targets of an allocation
    notice or a plan (the issuer's and its children's for the period), a plan's budget lines,
    the report submission of a report, the appointment of a decision."""
    found: dict[str, list] = {
        "targets": [],
        "budget_lines": [],
        "submissions": [],
        "appointments": [],
    }
    period = periods.parse(document.period_code) if document.period_code else None
    if document.kind in (Kind.NOTICE, Kind.PLAN) and period is not None:
        from duan8.framework import allocation
        from duan8.framework.models import Target

        units = [document.issuer, *allocation.children(document.issuer, period)]
        found["targets"] = list(
            Target.objects.for_period(period)
            .filter(unit__in=units)
            .select_related("indicator__content_area", "unit")
            .order_by("unit__path", "indicator__code")
        )
    if document.kind == Kind.PLAN and period is not None:
        from duan8.finance.models import BudgetLine

        found["budget_lines"] = list(
            BudgetLine.objects.filter(
                unit=document.issuer, fiscal_year=period.start.year
            ).select_related("unit")
        )
    if document.kind == Kind.REPORT and period is not None:
        from duan8.reporting import cycle

        submission = cycle.submission_of(document.issuer, period)
        found["submissions"] = [submission] if submission is not None else []
    if document.kind == Kind.DECISION:
        appointment = appointment_of(document)
        found["appointments"] = [appointment] if appointment is not None else []
    return found


def link(document: OfficialDocument) -> dict[str, int]:
    """Point the records the document decided (``decided``) to it and write its number on
    them. A record a closed period locks is left."""
    linked: dict[str, int] = {}
    label = document.name_in_text or document.issuing_body

    def save(record, kind: str) -> None:
        record.official_document = document
        try:
            record.save()
        except ValidationError:
            return
        linked[kind] = linked.get(kind, 0) + 1

    records = decided(document)
    for target in records["targets"]:
        target.doc_number = document.number_text.strip()[:60]
        target.doc_date = document.doc_date
        target.doc_issuer = label[:200]
        save(target, "targets")
    for line in records["budget_lines"]:
        save(line, "budget_lines")
    for submission in records["submissions"]:
        save(submission, "submissions")
    for appointment in records["appointments"]:
        appointment.number = document.number_text.strip()[:60]
        appointment.date = document.doc_date
        if document.signer_name:
            appointment.signer = document.signer_name[:150]
        save(appointment, "appointments")
    return linked


def linked_records(document: OfficialDocument) -> dict[str, list]:
    """The records pointing to the document, by kind."""
    return {
        "targets": list(document.targets.select_related("indicator__content_area", "unit")),
        "budget_lines": list(document.budget_lines.select_related("unit")),
        "submissions": list(document.submissions.select_related("unit")),
        "appointments": list(document.appointments.select_related("unit")),
    }


def search(queryset, *, q: str = "", kind: str = "", year=None, date_from=None, date_to=None):
    """Issued documents matching a number (32, 32/TB-BTV), words of the summary or issuer,
    a kind, a year and a span of dates."""
    queryset = queryset.filter(state=OfficialDocument.State.ISSUED)
    q = (q or "").strip()
    if q:
        from django.db.models import Q

        match = re.match(r"^(\d{1,9})(?:/(\S+))?$", q)
        if match:
            queryset = queryset.filter(number=int(match.group(1)))
        else:
            words = Q()
            for word in q.split():
                words &= (
                    Q(summary__icontains=word)
                    | Q(issuing_body__icontains=word)
                    | Q(name_in_text__icontains=word)
                )
            queryset = queryset.filter(words)
    if kind:
        queryset = queryset.filter(kind=kind)
    if year:
        queryset = queryset.filter(year=year)
    if date_from:
        queryset = queryset.filter(doc_date__gte=date_from)
    if date_to:
        queryset = queryset.filter(doc_date__lte=date_to)
    return queryset


def today() -> datetime.date:
    return timezone.localdate()
