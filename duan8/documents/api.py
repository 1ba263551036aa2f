"""Documents in the API: the register of a unit's subtree (searchable), generating a draft
from the data, refreshing, deleting and issuing it, downloading its Word file or PDF; a unit's
letterhead; a province's Word templates and the default one — the pages' functions under the
pages' access checks."""

import datetime

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from duan8.api.common import VERSION_HELP, Id, Pagination, expect_version
from duan8.api.errors import answers
from duan8.api.schemas import InputSchema, Message
from duan8.core import access, versions
from duan8.documents import actions, pdf, templates, views
from duan8.documents.forms import LetterheadForm, TemplateForm
from duan8.documents.models import DocumentTemplate, Kind, Letterhead, OfficialDocument
from duan8.documents.views import DOCX
from duan8.geo import paths

router = Router(tags=["documents"])


class DocumentOut(Schema):
    id: int
    issuer_id: int
    kind: str
    state: str
    period: str = Field(description="The period it covers (2024-H1, 2024); empty for decisions.")
    number: int | None
    number_text: str = Field(description="Number and symbol as printed: 32/TB-BTV.")
    year: int | None
    doc_date: datetime.date
    summary: str
    issuing_body: str
    parent_body: str
    signer_name: str
    sections: list[dict] = Field(description="The text sections: key, label, text.")

    @staticmethod
    def resolve_period(obj) -> str:
        return obj.period_code

    @staticmethod
    def resolve_number_text(obj) -> str:
        return obj.number_text.strip()


class RegisterFilter(Schema):
    unit: Id = Field(description="The register of this unit and the units below it.")
    q: str = Field("", max_length=200, description="A number (32, 32/TB-BTV) or words.")
    kind: Kind | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


@router.get("/documents", response=answers(list[DocumentOut], 403, 404), url_name="documents")
@paginate(Pagination)
def documents(request, filters: Query[RegisterFilter]):
    """Issued documents of the unit's subtree that the token's user may read."""
    unit = access.get_unit_or_404(request.auth, filters.unit)
    found = access.scope(
        request.auth,
        OfficialDocument.objects.filter(paths.prefix_q("issuer__path", unit.path)),
        path_field="issuer__path",
    )
    return actions.search(
        found,
        q=filters.q,
        kind=filters.kind or "",
        year=filters.year,
        date_from=filters.date_from,
        date_to=filters.date_to,
    ).order_by("-doc_date", "-pk")


class GenerateIn(InputSchema):
    kind: Kind
    unit_id: Id
    period: str = Field("", max_length=12, description="2024-H1, 2024-H2 or 2024.")
    appointment_id: Id | None = Field(None, description="For a decision: the appointment.")


def _refused(exc: ValidationError) -> HttpError:
    return HttpError(422, "; ".join(exc.messages))


@router.post(
    "/documents",
    response=answers({201: DocumentOut}, 403, 404, 422),
    url_name="document_generate",
)
def document_generate(request, payload: GenerateIn):
    """A draft written from the data as it stands, for the unit's editors."""
    unit = access.get_unit_or_404(request.auth, payload.unit_id, access.Action.EDIT)
    appointment = None
    if payload.appointment_id is not None:
        from duan8.activities.models import TrainerAppointment

        appointment = access.get_or_404(
            request.auth,
            TrainerAppointment.objects.filter(unit=unit),
            access.Action.EDIT,
            pk=payload.appointment_id,
        )
    try:
        document = actions.generate(
            request.auth,
            payload.kind,
            unit,
            period=payload.period or None,
            appointment=appointment,
        )
    except ValidationError as exc:
        raise _refused(exc) from None
    return Status(201, document)


def _document(request, document_id, action=access.Action.VIEW) -> OfficialDocument:
    return access.get_or_404(
        request.auth,
        OfficialDocument.objects.select_related("issuer"),
        action,
        unit_of=lambda d: d.issuer,
        pk=document_id,
    )


@router.get("/documents/{document_id}", response=answers(DocumentOut, 404), url_name="document")
def document(request, document_id: Id):
    return _document(request, document_id)


class IssueIn(InputSchema):
    number: int | None = Field(
        None, ge=1, le=999999, description="Empty: the next free number of the issuer and kind."
    )


@router.post(
    "/documents/{document_id}/issue",
    response=answers(DocumentOut, 403, 404, 422),
    url_name="document_issue",
)
def document_issue(request, document_id: Id, payload: IssueIn):
    """The draft issued with its number, kept in the register with its Word file."""
    found = _document(request, document_id, access.Action.EDIT)
    try:
        return actions.issue(request.auth, found, number=payload.number)
    except ValidationError as exc:
        raise _refused(exc) from None


FILE_ANSWER = {
    "responses": {
        200: {
            "description": "The file.",
            "content": {
                DOCX: {"schema": {"type": "string", "format": "binary"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
}


@router.get(
    "/documents/{document_id}/docx",
    response=answers({200: None}, 404),
    url_name="document_docx",
    openapi_extra=FILE_ANSWER,
)
def document_docx(request, document_id: Id):
    """The Word file: as issued, or the draft as it stands."""
    found = _document(request, document_id)
    response = HttpResponse(actions.docx_of(found), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{actions.filename(found, "docx")}"'
    return response


@router.get(
    "/documents/{document_id}/pdf",
    response=answers({200: None}, 404, 409),
    url_name="document_pdf",
    openapi_extra=FILE_ANSWER,
)
def document_pdf(request, document_id: Id):
    """The PDF made from the Word file by LibreOffice (409 where it is not installed)."""
    found = _document(request, document_id)
    try:
        data = actions.pdf_of(found)
    except pdf.PdfUnavailable as exc:
        raise HttpError(409, str(exc) or _("No PDF could be made.")) from None
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{actions.filename(found, "pdf")}"'
    return response


@router.post(
    "/documents/{document_id}/refresh",
    response=answers(DocumentOut, 403, 404, 422),
    url_name="document_refresh",
)
def document_refresh(request, document_id: Id):
    """A draft's tables written again from today's data (the texts typed so far are kept);
    by the issuer's editors. An issued document is refused."""
    found = _document(request, document_id, access.Action.EDIT)
    try:
        return actions.refresh(found)
    except ValidationError as exc:
        raise _refused(exc) from None


@router.delete(
    "/documents/{document_id}",
    response=answers({204: None}, 403, 404, 422),
    url_name="document_delete",
)
def document_delete(request, document_id: Id):
    """Delete a draft (the issuer's editors). An issued document stays in the register: 422."""
    found = _document(request, document_id, access.Action.EDIT)
    try:
        actions.delete_draft(found)
    except ValidationError as exc:
        raise _refused(exc) from None
    return Status(204, None)


# Letterheads ---------------------------------------------------------------------------------


class LetterheadOut(Schema):
    unit_id: int
    stored: bool = Field(description="False: proposed from the unit's names, not yet set.")
    parent_body: str
    issuing_body: str
    name_in_text: str
    issuer_code: str
    place: str
    show_motto: bool
    signer_authority: str
    signer_title: str
    signer_name: str
    recipients: str
    version: int = Field(description=VERSION_HELP)

    @staticmethod
    def resolve_stored(obj) -> bool:
        return obj.pk is not None

    @staticmethod
    def resolve_version(obj) -> int:
        return versions.of(obj)


class LetterheadPatch(InputSchema):
    version: int | None = Field(None, ge=0, le=2**62, description=VERSION_HELP)
    parent_body: str | None = Field(None, max_length=200)
    issuing_body: str | None = Field(None, max_length=200)
    name_in_text: str | None = Field(None, max_length=300)
    issuer_code: str | None = Field(None, max_length=30)
    place: str | None = Field(None, max_length=100)
    show_motto: bool | None = None
    signer_authority: str | None = Field(None, max_length=200)
    signer_title: str | None = Field(None, max_length=150)
    signer_name: str | None = Field(None, max_length=150)
    recipients: str | None = Field(None, max_length=5000)


def _letterhead(request, unit_id: int) -> Letterhead:
    unit = access.get_unit_or_404(request.auth, unit_id, access.Action.ADMINISTER)
    return actions.letterhead_for(unit)


@router.get(
    "/units/{unit_id}/letterhead",
    response=answers(LetterheadOut, 403, 404),
    url_name="letterhead",
)
def letterhead(request, unit_id: Id):
    """How the unit signs its documents (its administrators): the one set, or the one
    proposed from the unit's names while none is (``stored`` false, ``version`` 0)."""
    return _letterhead(request, unit_id)


@router.patch(
    "/units/{unit_id}/letterhead",
    response=answers({200: LetterheadOut, 409: dict, 428: Message}, 403, 404, 412, 422),
    url_name="letterhead_update",
)
def letterhead_update(request, unit_id: Id, payload: LetterheadPatch):
    """Set the unit's letterhead (its administrators): the fields sent replace those read
    (the proposed ones while none is set). Send the ``version`` you read (0 for a proposed
    letterhead)."""
    current = _letterhead(request, unit_id)
    sent = expect_version(request, current, payload)
    data = {name: getattr(current, name) for name in LetterheadForm._meta.fields}
    data.update({name: value for name, value in sent.items() if value is not None})
    form = LetterheadForm(data, instance=current)
    if not form.is_valid():
        raise ValidationError({name: list(problems) for name, problems in form.errors.items()})
    return form.save()


# Word templates ------------------------------------------------------------------------------


class TemplateOut(Schema):
    id: int
    unit_id: int
    kind: str = Field(description="The kind of document it lays out; empty: every kind.")
    uploaded_at: datetime.datetime


@router.get(
    "/units/{unit_id}/document-templates",
    response=answers(list[TemplateOut], 403, 404),
    url_name="document_templates",
)
def document_templates(request, unit_id: Id):
    """A province's own Word templates (its administrators; the nation's, national
    administrators). Without one, documents follow the default template."""
    unit = views.template_owner(request.auth, unit_id)
    return DocumentTemplate.objects.filter(unit=unit).order_by("kind")


@router.post(
    "/units/{unit_id}/document-templates",
    response=answers({201: TemplateOut}, 403, 404, 422),
    url_name="document_template_upload",
)
def document_template_upload(request, unit_id: Id, file: File[UploadedFile], kind: Form[str] = ""):
    """Upload a province's Word template for a kind of document (empty: every kind), which
    replaces the one of that kind: a .docx of at most 5 MB with a {{body}} paragraph (start
    from the default template), checked as the page checks it."""
    unit = views.template_owner(request.auth, unit_id)
    form = TemplateForm({"kind": kind}, {"file": file})
    if not form.is_valid():
        raise ValidationError({name: list(problems) for name, problems in form.errors.items()})
    stored = views.save_template(unit, form.cleaned_data["kind"], form.cleaned_data["file"])
    return Status(201, stored)


DOCX_ANSWER = {
    "responses": {
        200: {
            "description": "The Word file.",
            "content": {DOCX: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _docx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get(
    "/document-templates/default.docx",
    response=answers({200: None}),
    url_name="document_default_template",
    openapi_extra=DOCX_ANSWER,
)
def document_default_template(request):
    """The default Word template, to start a province's own from."""
    return _docx(templates.default_bytes(), "mau-van-ban-mac-dinh.docx")


@router.get(
    "/document-templates/{template_id}/docx",
    response=answers({200: None}, 404),
    url_name="document_template_file",
    openapi_extra=DOCX_ANSWER,
)
def document_template_file(request, template_id: Id):
    """A province's stored template (its administrators)."""
    stored = views.stored_template(request.auth, template_id)
    return _docx(views.template_bytes(stored), "mau-van-ban.docx")


@router.delete(
    "/document-templates/{template_id}",
    response=answers({204: None}, 403, 404),
    url_name="document_template_delete",
)
def document_template_delete(request, template_id: Id):
    """Remove a province's template (its administrators): the default layout applies again."""
    views.stored_template(request.auth, template_id, change=True).delete()
    return Status(204, None)
