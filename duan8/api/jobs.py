"""Imports and exports as background jobs: upload (or ask for an export), poll, read the
result. Every import and export through the API is a job, whatever its size; the page runs
small ones at once (``duan8.core.jobs``)."""

from __future__ import annotations

import datetime
from enum import StrEnum

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.responses import Status

from duan8.activities.models import ActivityKind
from duan8.api.common import Id
from duan8.api.errors import answers
from duan8.community.models import ModelKind
from duan8.core import access, audit, jobs, roundtrip, sheets
from duan8.core.middleware import client_ip
from duan8.core.models import Job

router = Router(tags=["imports and exports"])


class What(StrEnum):
    models = "models"
    activities = "activities"
    budget_lines = "budget_lines"
    disbursements = "disbursements"
    villages = "villages"
    classifications = "classifications"


KINDS = {
    What.models: "community",
    What.activities: "activities",
    What.budget_lines: "finance.lines",
    What.disbursements: "finance.disbursements",
    What.villages: "villages",
    What.classifications: "classifications",
}
FINANCE = (What.budget_lines, What.disbursements)
# Lists of the geography: the villages and the classifications of the units under a unit.
GEOGRAPHY = (What.villages, What.classifications)


class Existing(StrEnum):
    skip = roundtrip.SKIP
    update = roundtrip.UPDATE


class JobOut(Schema):
    id: int
    kind: str
    state: str
    phase: str
    done: int
    total: int
    percent: int
    result: dict
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    # Where to poll, (an export that is done) where to download the file, and (an import
    # refused) where to download the file with each error marked.
    url: str
    file_url: str | None
    errors_url: str | None

    @staticmethod
    def resolve_url(job: Job) -> str:
        return reverse("api:job", args=[job.pk])

    @staticmethod
    def resolve_file_url(job: Job) -> str | None:
        if job.state == Job.State.DONE and job.output:
            return reverse("api:job_file", args=[job.pk])
        return None

    @staticmethod
    def resolve_errors_url(job: Job) -> str | None:
        if job.state == Job.State.REFUSED and job.result.get("annotated"):
            return reverse("api:job_errors", args=[job.pk])
        return None


def _submit(request, kind: str, unit, params: dict, upload=None) -> Job:
    return jobs.submit(
        kind,
        request.auth,
        unit,
        params,
        upload=upload,
        source=audit.SOURCE_API,
        ip=client_ip(request),
    )


@router.post("/imports", response=answers({202: JobOut}, 403, 404, 422), url_name="import_create")
def import_create(
    request,
    what: Form[What],
    unit_id: Form[Id],
    file: File[UploadedFile],
    kind: Form[str] = "",
    on: Form[datetime.date | None] = None,
    existing: Form[Existing] = Existing.skip,
    dialogue_level: Form[str] = "",
    event_form: Form[str] = "",
):
    """Queue an import of an Excel file (the columns of the page's import; its template or an
    export of the same list). The whole file is checked, then stored in one transaction or
    refused with every row, column and reason (``result.errors``) and a marked copy of the
    file (``result.annotated``). ``on`` (models) is the date names are read on when a row's
    own date does not say. Budget lines and disbursements (``budget_lines``,
    ``disbursements``) need no ``kind``: their rows say their unit, year and source.
    Villages (``villages``: by the unit's administrators) and classifications
    (``classifications``: by the province's administrators) are read on ``on`` (default:
    the unit's reference day)."""
    if what == What.villages:  # villages are added by the unit's administrators
        unit = access.get_unit_or_404(request.auth, unit_id, access.Action.ADMINISTER)
    elif what == What.classifications:  # classified by the province's administrators
        unit = access.get_unit_or_404(request.auth, unit_id)
        access.require_on_province(request.auth, access.Action.ADMINISTER, unit)
    else:
        unit = access.get_unit_or_404(request.auth, unit_id, access.Action.EDIT)
    try:
        sheets.check_package(file)
    except sheets.ImportRefused as refused:
        raise HttpError(422, str(refused)) from None
    if what in FINANCE:
        params = {"existing": existing.value}
    elif what in GEOGRAPHY:
        params = {"on": (on or unit.reference_day()).isoformat(), "existing": existing.value}
    elif what == What.models:
        if kind not in ModelKind.values:
            raise HttpError(422, _("Unknown kind of model: %(kind)s.") % {"kind": kind})
        day = on or unit.reference_day()
        params = {"kind": kind, "on": day.isoformat(), "existing": existing.value}
    else:
        if kind not in ActivityKind.values:
            raise HttpError(
                422,
                _("Activities of this kind cannot be imported: %(kind)s.") % {"kind": kind},
            )
        details = {"dialogue_level": dialogue_level, "event_form": event_form}
        params = {"kind": kind, "details": details, "existing": existing.value}
    return Status(202, _submit(request, f"{KINDS[what]}.import", unit, params, file))


class ExportIn(Schema):
    what: What
    unit_id: Id
    kind: str = ""
    period: str = ""
    on: str = ""
    year: int | None = None  # budget lines and disbursements: the fiscal year


@router.post("/exports", response=answers({202: JobOut}, 404, 422), url_name="export_create")
def export_create(request, payload: ExportIn):
    """Queue an export of a list (models or activities of a unit, optionally of one kind,
    of those counted in a period, on a tree date; budget lines or disbursements of a unit's
    subtree for a fiscal year; the villages or the classifications of the units under a unit
    today) in its import's columns."""
    unit = access.get_unit_or_404(request.auth, payload.unit_id)
    query = QueryDict(mutable=True)
    if payload.what in GEOGRAPHY:  # the units under the unit today, as the page exports them
        params = {"query": ""}
        return Status(202, _submit(request, f"{KINDS[payload.what]}.export", unit, params))
    if payload.what in FINANCE:
        if payload.year is not None and not 2021 <= payload.year <= 2100:
            raise HttpError(422, _("The kind, period or date of this export is not valid."))
        if payload.year is not None:
            query["year"] = str(payload.year)
        params = {"query": query.urlencode()}
        return Status(202, _submit(request, f"{KINDS[payload.what]}.export", unit, params))
    for name in ("kind", "period", "on"):
        if getattr(payload, name):
            query[name] = getattr(payload, name)
    from django.http import Http404

    from duan8.activities import views as activity_views
    from duan8.community import views as community_views

    filtered = community_views.filtered if payload.what == What.models else activity_views.filtered
    try:
        filtered(request.auth, query, unit)  # the same checks as the page's list
    except Http404:
        raise HttpError(422, _("The kind, period or date of this export is not valid.")) from None
    params = {"query": query.urlencode()}
    return Status(202, _submit(request, f"{KINDS[payload.what]}.export", unit, params))


def _own(request, job_id: int) -> Job:
    job = jobs.owned(request.auth, job_id)
    if job is None:
        raise HttpError(404, _("No such job of yours."))
    return job


@router.get("/jobs/{job_id}", response=answers(JobOut, 404), url_name="job")
def job_status(request, job_id: Id):
    """A job of yours: its state (queued, running, done, refused, failed), how far it got,
    and its result."""
    return _own(request, job_id)


@router.get(
    "/jobs/{job_id}/file",
    response=answers({200: None}, 404),
    url_name="job_file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file the export wrote: Excel; a DHIS2 export's "
                "dataValueSet as JSON or CSV.",
                "content": {
                    sheets.XLSX: {"schema": {"type": "string", "format": "binary"}},
                    "application/json": {"schema": {"type": "object"}},
                    "text/csv": {"schema": {"type": "string"}},
                },
            }
        }
    },
)
def job_file(request, job_id: Id):
    """The file an export job wrote (Excel; a DHIS2 export: its dataValueSet)."""
    response = jobs.file_response(_own(request, job_id))
    if response is None:
        raise HttpError(404, _("This job has no file (yet)."))
    return response


@router.get(
    "/jobs/{job_id}/errors",
    response=answers({200: None}, 404),
    url_name="job_errors",
    openapi_extra={
        "responses": {
            200: {
                "description": "The refused file with each error marked in its row and column.",
                "content": {sheets.XLSX: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def job_errors(request, job_id: Id):
    """A refused import's file as it was sent, each error marked in its row and column (the
    page's "download the file with the errors marked"); kept a day after the import."""
    from django.http import Http404
    from django.urls import resolve

    from duan8.core import import_errors

    job = _own(request, job_id)
    address = job.result.get("annotated") if job.state == Job.State.REFUSED else None
    if not address:
        raise HttpError(404, _("This job has no file of errors."))
    try:
        return import_errors.download(request, resolve(address).kwargs["token"])
    except Http404 as missing:
        raise HttpError(404, str(missing) or _("This job has no file of errors.")) from None
