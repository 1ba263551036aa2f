"""Documents in the API: the register of a unit's subtree (searchable), generating a draft
from the data, issuing it with its number, and downloading its Word file or PDF — the pages'
functions under the pages' access checks."""

import datetime

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from duan8.api.common import Id, Pagination
from duan8.api.errors import answers
from duan8.api.schemas import InputSchema
from duan8.core import access
from duan8.documents import actions, pdf
from duan8.documents.models import Kind, OfficialDocument
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
