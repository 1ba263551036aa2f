"""Pages: the register of a unit (searchable), generating a draft, previewing and editing it,
issuing it, downloading its Word file and PDF; a unit's letterhead and a province's templates.

Who may do what (``duan8.core.access``): the register lists the documents of the units the
reader views; drafts are made, edited and issued by the editors of the issuing unit; the
letterhead is set by the unit's administrators, the templates by the province's (the nation's
by national administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duan8.core import access
from duan8.core.formatting import parse_date
from duan8.documents import actions, pdf, templates
from duan8.documents.forms import (
    DraftForm,
    GenerateForm,
    IssueForm,
    LetterheadForm,
    TemplateForm,
)
from duan8.documents.models import DocumentTemplate, Kind, Letterhead, OfficialDocument
from duan8.geo import paths

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _document(user, pk, action=access.Action.VIEW) -> OfficialDocument:
    return access.get_or_404(
        user,
        OfficialDocument.objects.select_related("issuer"),
        action,
        unit_of=lambda d: d.issuer,
        pk=pk,
    )


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def mine(request):
    from duan8.core.shell import current_unit

    unit = current_unit(request)
    if unit is None:
        raise Http404
    return redirect("documents:register", pk=unit.pk)


@login_required
def register(request, pk):
    """Issued documents of the unit and the units below it that the reader may view."""
    unit = access.get_unit_or_404(request.user, pk)
    found = access.scope(
        request.user,
        OfficialDocument.objects.filter(paths.prefix_q("issuer__path", unit.path)).select_related(
            "issuer"
        ),
        path_field="issuer__path",
    )
    query = request.GET
    date_from = _date(query.get("from"))
    date_to = _date(query.get("to"))
    year = query.get("year", "")
    issued = actions.search(
        found,
        q=query.get("q", "")[:200],
        kind=query.get("kind") if query.get("kind") in Kind.values else "",
        year=int(year) if year.isdigit() and len(year) == 4 else None,
        date_from=date_from,
        date_to=date_to,
    )
    page = Paginator(issued.order_by("-doc_date", "-pk"), 50).get_page(query.get("page"))
    drafts = []
    if access.can(request.user, access.Action.EDIT, unit):
        drafts = found.filter(issuer=unit, state=OfficialDocument.State.DRAFT).order_by("-pk")
    return render(
        request,
        "documents/register.html",
        {
            "unit": unit,
            "page": page,
            "drafts": drafts,
            "kinds": Kind.choices,
            "query": query,
            "may_edit": access.can(request.user, access.Action.EDIT, unit),
            "may_administer": access.can(request.user, access.Action.ADMINISTER, unit),
        },
    )


def _date(text):
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError:
        return None


def _appointments(user, unit):
    from duan8.activities.models import TrainerAppointment

    return access.scope(user, TrainerAppointment.objects.filter(unit=unit), access.Action.EDIT)


@login_required
def generate(request, pk):
    unit = access.get_unit_or_404(request.user, pk, access.Action.EDIT)
    kind = request.GET.get("kind", "")
    proposed = actions.proposed_periods(unit)
    period = request.GET.get("period", "")
    if not period and kind != Kind.DECISION:
        # The select opens on its first kind, a report, when none is asked for.
        found = proposed.get(kind if kind in Kind.values else Kind.REPORT)
        period = found.code if found is not None else ""
    form = GenerateForm(
        request.POST or None,
        initial={"kind": kind, "period": period},
        appointments=_appointments(request.user, unit),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = actions.generate(
                request.user,
                data["kind"],
                unit,
                period=data["period"] or None,
                appointment=data["appointment"],
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Draft written from the data: check and edit it."))
            return redirect("documents:document", pk=document.pk)
    return render(
        request,
        "documents/generate.html",
        {
            "unit": unit,
            "form": form,
            "letterhead": actions.letterhead_for(unit),
            "proposed": [(k, Kind(k).label, p) for k, p in proposed.items()],
        },
    )


@login_required
def document(request, pk):
    """A draft to edit (its text sections, summary, recipients, signer) or an issued
    document with its files and the records it decided."""
    found = _document(request.user, pk)
    may_edit = access.can(request.user, access.Action.EDIT, found.issuer)
    form = None
    if not found.is_issued:
        form = DraftForm(request.POST or None, instance=found)
        if request.method == "POST":
            if not may_edit:
                raise PermissionDenied
            if form.is_valid():
                try:
                    actions.update(found, form.header(), form.sections())
                except ValidationError as exc:
                    _errors(request, exc)
                else:
                    messages.success(request, _("Draft saved."))
                    return redirect("documents:document", pk=found.pk)
    elif request.method == "POST":
        raise PermissionDenied
    context = {
        "document": found,
        "unit": found.issuer,
        "form": form,
        "may_edit": may_edit,
        "preview": _preview(found),
        "pdf_available": pdf.available(),
    }
    if found.is_issued:
        context["linked"] = actions.linked_records(found)
    else:
        context["issue_form"] = IssueForm()
        context["next_number"] = actions.next_number(found.issuer, found.kind, found.doc_date.year)
    return render(request, "documents/document.html", context)


def _preview(found: OfficialDocument) -> list[dict]:
    """The body's blocks with the officer's sections as their lines."""
    texts = {s["key"]: s["text"] for s in found.sections}
    return [
        {**block, "t": "lines", "lines": [x for x in texts.get(block["key"], "").splitlines() if x]}
        if block.get("t") == "s"
        else block
        for block in found.content
    ]


@login_required
@require_POST
def refresh(request, pk):
    found = _document(request.user, pk, access.Action.EDIT)
    try:
        actions.refresh(found)
        messages.success(request, _("Figures read again from the data; your texts are kept."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("documents:document", pk=found.pk)


@login_required
def issue(request, pk):
    """Issuing, in two steps: the draft page's button leads here (GET), which shows the
    number the draft would get and what issuing locks and links; confirming (POST) issues."""
    found = _document(request.user, pk, access.Action.EDIT)
    form = IssueForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        messages.error(request, "; ".join(m for ms in form.errors.values() for m in ms))
        return redirect("documents:document", pk=found.pk)
    typed = form.cleaned_data["number"]
    if request.method != "POST":
        return _confirm_issue(request, found, typed)
    try:
        issued = actions.issue(request.user, found, number=typed)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("documents:document", pk=found.pk)
    messages.success(
        request,
        _("Issued as number %(number)s and kept in the register.") % {"number": issued.number_text},
    )
    return redirect("documents:document", pk=issued.pk)


def _confirm_issue(request, found: OfficialDocument, typed: int | None):
    try:
        number = actions.number_to_give(found, typed)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("documents:document", pk=found.pk)
    return render(
        request,
        "documents/issue.html",
        {
            "document": found,
            "unit": found.issuer,
            "typed": typed,
            "number": number,
            "number_text": found.numbered(number),
            "decided": actions.decided(found),
        },
    )


@login_required
@require_POST
def delete(request, pk):
    found = _document(request.user, pk, access.Action.EDIT)
    try:
        actions.delete_draft(found)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("documents:document", pk=found.pk)
    messages.success(request, _("Draft deleted."))
    return redirect("documents:register", pk=found.issuer_id)


@login_required
def download_docx(request, pk):
    found = _document(request.user, pk)
    response = HttpResponse(actions.docx_of(found), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{actions.filename(found, "docx")}"'
    return response


@login_required
def download_pdf(request, pk):
    found = _document(request.user, pk)
    try:
        data = actions.pdf_of(found)
    except pdf.PdfUnavailable as exc:
        messages.error(request, str(exc))
        return redirect("documents:document", pk=found.pk)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{actions.filename(found, "pdf")}"'
    return response


# Letterheads and templates -----------------------------------------------------------------------


@login_required
def letterhead(request, pk):
    unit = access.get_unit_or_404(request.user, pk, access.Action.ADMINISTER)
    current = Letterhead.objects.filter(unit=unit).first() or actions.letterhead_for(unit)
    form = LetterheadForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Letterhead saved."))
        return redirect("documents:letterhead", pk=unit.pk)
    return render(
        request,
        "documents/letterhead.html",
        {"unit": unit, "form": form, "stored": current.pk is not None},
    )


def template_owner(user, pk):
    """Templates belong to a province or to the nation (its national administrators)."""
    unit = access.get_unit_or_404(user, pk, access.Action.ADMINISTER)
    if unit.kind not in ("province", "nation"):
        raise Http404
    if unit.kind == "nation":
        access.require_national_admin(user)
    return unit


def stored_template(user, pk, *, change: bool = False) -> DocumentTemplate:
    """A template of a unit ``user`` administers; the nation's changed by national
    administrators only."""
    stored = access.get_or_404(
        user,
        DocumentTemplate.objects.select_related("unit"),
        access.Action.ADMINISTER,
        pk=pk,
    )
    if change and stored.unit.kind == "nation":
        access.require_national_admin(user)
    return stored


def save_template(unit, kind: str, upload) -> DocumentTemplate:
    """The unit's template of a kind (empty: every kind) replaced by ``upload`` (checked by
    ``TemplateForm``)."""
    stored = DocumentTemplate.objects.filter(unit=unit, kind=kind).first()
    if stored is None:
        stored = DocumentTemplate(unit=unit, kind=kind)
    stored.file = upload
    stored.save()
    return stored


def template_bytes(stored: DocumentTemplate) -> bytes:
    try:
        with stored.file.open("rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise Http404 from None


@login_required
def template_list(request, pk):
    unit = template_owner(request.user, pk)
    form = TemplateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        save_template(unit, form.cleaned_data["kind"], form.cleaned_data["file"])
        messages.success(request, _("Template saved: the province's documents use it now."))
        return redirect("documents:templates", pk=unit.pk)
    return render(
        request,
        "documents/templates.html",
        {
            "unit": unit,
            "form": form,
            "stored": DocumentTemplate.objects.filter(unit=unit).order_by("kind"),
        },
    )


@login_required
@require_POST
def template_delete(request, pk):
    stored = stored_template(request.user, pk, change=True)
    unit_pk = stored.unit_id
    stored.delete()
    messages.success(request, _("Template removed: the default layout applies again."))
    return redirect("documents:templates", pk=unit_pk)


@login_required
def template_file(request, pk):
    stored = stored_template(request.user, pk)
    response = HttpResponse(template_bytes(stored), content_type=DOCX)
    response["Content-Disposition"] = 'attachment; filename="mau-van-ban.docx"'
    return response


@login_required
def default_template(request):
    response = HttpResponse(templates.default_bytes(), content_type=DOCX)
    response["Content-Disposition"] = 'attachment; filename="mau-van-ban-mac-dinh.docx"'
    return response
