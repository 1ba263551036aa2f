"""DHIS2 data values in and out (dataValueSets as JSON or CSV), and the mapping they go
through. See docs/dhis2.md."""

from __future__ import annotations

from typing import Literal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from duan8.api.common import Id
from duan8.api.errors import answers
from duan8.api.jobs import JobOut, _submit
from duan8.api.schemas import InputSchema
from duan8.core import access
from duan8.dhis2 import actions, background, export, imports
from duan8.dhis2 import mapping as mappings
from duan8.dhis2.models import UID_PATTERN, Part
from duan8.dhis2.periods import parse_either

router = Router(tags=["dhis2"])

OPTIONAL_UID = r"^([A-Za-z][A-Za-z0-9]{10})?$"
CSV = "text/csv"


class Dhis2DataValue(Schema):
    dataElement: str = Field(examples=["fbfJHSPpUQD"])
    period: str = Field(examples=["2024S1"])
    orgUnit: str = Field(examples=["03553"])
    categoryOptionCombo: str | None = Field(
        None, description="Empty or left out: the default combo."
    )
    attributeOptionCombo: str | None = None
    value: str = Field(examples=["120"])
    storedBy: str | None = None
    lastUpdated: str | None = None
    comment: str | None = None
    followup: bool | None = None
    deleted: bool | None = Field(None, description="On import: remove the stored number.")


class Dhis2DataValueSet(Schema):
    dataSet: str | None = None
    period: str | None = Field(None, description="The period of values that give none.")
    orgUnit: str | None = Field(None, description="The orgUnit of values that give none.")
    dataValues: list[Dhis2DataValue]


class Dhis2ExportQuery(Schema):
    orgUnit: str | None = Field(
        None,
        max_length=50,
        description="The organisation unit (UID or code, as the mapping says; a unit without "
        "a mapping row is its official code). Or give ``unit``.",
        examples=["12"],
    )
    unit: Id | None = Field(None, description="The duan8 unit id, instead of ``orgUnit``.")
    period: list[str] = Field(
        ...,
        min_length=1,
        max_length=60,
        description="DHIS2 periods (2024, 2024S1, 2024Q3, 202407) or duan8's (2024-H1); "
        "repeat for several.",
        examples=[["2024S1", "2024S2"]],
    )
    children: bool = Field(True, description="The whole subtree (false: the unit alone).")
    dataSet: str | None = Field(
        None, pattern=OPTIONAL_UID, description="Only the elements mapped to this data set."
    )
    format: Literal["json", "csv"] | None = Field(
        None, description="csv: DHIS2's CSV (also with Accept: text/csv)."
    )


class Dhis2ImportQuery(Schema):
    dryRun: bool = Field(False, description="Check and count; store nothing.")


class Dhis2ImportCount(Schema):
    imported: int
    updated: int
    ignored: int
    deleted: int


class Dhis2Conflict(Schema):
    object: str = Field(description="The identifier or value in conflict.")
    value: str = Field(description="Why, in the client's language.")


class Dhis2ImportOptions(Schema):
    dryRun: bool


class Dhis2ImportSummary(Schema):
    status: Literal["SUCCESS", "WARNING", "ERROR"] = Field(
        description="SUCCESS: stored (or, dry run, valid); ERROR: nothing stored. duan8 never "
        "stores part of a set, so it does not answer WARNING."
    )
    description: str
    importCount: Dhis2ImportCount
    conflicts: list[Dhis2Conflict]
    importOptions: Dhis2ImportOptions


SUMMARY_OK = {
    "status": "SUCCESS",
    "description": "Đã lưu bộ số liệu.",
    "importCount": {"imported": 6, "updated": 0, "ignored": 0, "deleted": 0},
    "conflicts": [],
    "importOptions": {"dryRun": False},
}
SUMMARY_ERROR = {
    "status": "ERROR",
    "description": "Không lưu gì: bộ số liệu có xung đột.",
    "importCount": {"imported": 0, "updated": 0, "ignored": 3, "deleted": 0},
    "conflicts": [
        {
            "object": "99999",
            "value": "Không rõ đơn vị tổ chức: không đơn vị nào có UID hay mã này.",
        },
        {
            "object": "zzzzzzzzzzz",
            "value": "Không rõ phần tử dữ liệu: chưa có chỉ số nào được ánh xạ tới phần tử này.",
        },
        {
            "object": "2024H1",
            "value": "Kỳ không đúng dạng: hãy ghi kỳ DHIS2 như 2024, 2024S1, 2024Q3 hoặc 202407.",
        },
    ],
    "importOptions": {"dryRun": False},
}
SET_EXAMPLE = {
    "dataValues": [
        {
            "dataElement": "fbfJHSPpUQD",
            "period": "2024S1",
            "orgUnit": "03553",
            "value": "120",
            "comment": "",
        },
        {
            "dataElement": "fbfJHSPpUQD",
            "categoryOptionCombo": "pq2XI5kz2BY",
            "period": "2024S1",
            "orgUnit": "03553",
            "value": "84",
        },
    ]
}
CSV_EXAMPLE = (
    ",".join(export.CSV_COLUMNS) + "\n"
    "fbfJHSPpUQD,2024S1,03553,,,120,mosisan.nhaplieu,2024-07-05T09:00:00.000+00:00,,false\n"
)


def _root(request, query: Dhis2ExportQuery, periods):
    if query.unit is not None:
        return access.get_unit_or_404(request.auth, query.unit)
    if not query.orgUnit:
        raise HttpError(422, _("Give the organisation unit (orgUnit) or the unit's id (unit)."))
    found = mappings.load()
    unit = found.unit_for(query.orgUnit, periods[0])
    if unit is None:
        raise HttpError(404, _("No unit has this organisation unit UID or code."))
    access.require(request.auth, access.Action.VIEW, unit)
    return unit


def _periods(texts: list[str]) -> list:
    periods = []
    for text in texts:
        try:
            periods.append(parse_either(text))
        except ValueError:
            raise HttpError(
                422,
                _("Malformed period: write a DHIS2 period such as 2024, 2024S1, 2024Q3 or 202407."),
            ) from None
    return sorted(set(periods))


@router.get(
    "/dhis2/dataValueSets",
    response=answers(Dhis2DataValueSet, 404, 422),
    url_name="dhis2_data_values",
    exclude_none=True,
    openapi_extra={
        "responses": {
            200: {
                "description": "The dataValueSet, as JSON or as DHIS2's CSV.",
                "content": {
                    "application/json": {
                        "example": {
                            "period": "2024S1",
                            "orgUnit": "109",
                            "dataValues": SET_EXAMPLE["dataValues"],
                        }
                    },
                    CSV: {"schema": {"type": "string"}, "example": CSV_EXAMPLE},
                },
            }
        }
    },
)
def data_values(request, query: Query[Dhis2ExportQuery]):
    """The typed figures of a unit and (``children``) the units below it that you view, for
    one or more periods, as a DHIS2 dataValueSet; for mapped indicators counted from records,
    their non-zero values on the period's tree through the one reading path. A large export
    runs as a job: ``POST /api/v1/dhis2/exports``."""
    periods = _periods(query.period)
    root = _root(request, query, periods)
    options = {"children": query.children, "data_set": query.dataSet or None}
    wants_csv = query.format == "csv" or (
        query.format is None and CSV in request.headers.get("Accept", "")
    )
    if wants_csv:
        response = HttpResponse(
            export.as_csv(request.auth, root, periods, **options),
            content_type=f"{CSV}; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="dataValueSet.csv"'
        return response
    return export.as_json(request.auth, root, periods, **options)


@router.post(
    "/dhis2/dataValueSets",
    response=answers({200: Dhis2ImportSummary, 409: Dhis2ImportSummary}, 400, 422),
    url_name="dhis2_data_values_import",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/Dhis2DataValueSet"},
                    "example": SET_EXAMPLE,
                },
                CSV: {"schema": {"type": "string"}, "example": CSV_EXAMPLE},
            },
        },
        "responses": {
            200: {"content": {"application/json": {"example": SUMMARY_OK}}},
            409: {
                "description": "Conflicts: nothing stored.",
                "content": {"application/json": {"example": SUMMARY_ERROR}},
            },
        },
    },
)
def data_values_import(request, query: Query[Dhis2ImportQuery]):
    """Import a dataValueSet (JSON, or DHIS2's CSV sent as ``text/csv``) into typed figures.
    The whole set is checked first (organisation unit, data element, period, value, your
    right to edit the unit, an indicator typed for the period, then the page's checks): one
    conflict and nothing is stored (409); else all is stored in one transaction (200). With
    ``dryRun=true`` it is checked and counted, nothing stored. At most 50.000 values: a
    larger set goes as a job (``POST /api/v1/dhis2/imports``)."""
    kind = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    try:
        values = imports.read(request.body, csv_format=kind in (CSV, "application/csv"))
    except imports.Unreadable as exc:
        raise HttpError(400, str(exc)) from None
    summary = imports.run(request.auth, values, dry_run=query.dryRun)
    return Status(409 if summary.conflicts else 200, summary.as_dict())


# The same as background jobs ----------------------------------------------------------------


def _is_csv(file: UploadedFile) -> bool:
    kind = (file.content_type or "").split(";")[0].strip().lower()
    return kind in (CSV, "application/csv") or (file.name or "").lower().endswith(".csv")


@router.post(
    "/dhis2/imports",
    response=answers({202: JobOut}, 400),
    url_name="dhis2_import_create",
)
def import_create(request, query: Query[Dhis2ImportQuery], file: File[UploadedFile]):
    """Queue the import of a dataValueSet sent as a file (``file``: JSON, or DHIS2's CSV — a
    ``.csv`` name or ``text/csv``), up to 500.000 values; a file that is not UTF-8 text (for
    JSON: an object) is refused at once (400), any other unreadable set refuses the job. The
    job runs the same import as ``POST /api/v1/dhis2/dataValueSets``, with your rights when
    it runs: the whole set checked, nothing stored on a conflict (the job is ``refused``),
    else all stored in one transaction (``done``); ``dryRun=true`` checks and counts only.
    The DHIS2 import summary is the job's ``result.summary``; poll ``GET /api/v1/jobs/{id}``."""
    csv_format = _is_csv(file)
    file.seek(0)
    try:  # a look at its head: the job reads it whole
        imports.sniff(file.read(1 << 16), csv_format=csv_format)
    except imports.Unreadable as exc:
        raise HttpError(400, str(exc)) from None
    params = {"format": "csv" if csv_format else "json", "dry_run": query.dryRun}
    job = _submit_file(request, background.IMPORT, params, file, ".csv" if csv_format else ".json")
    return Status(202, job)


def _submit_file(request, kind: str, params: dict, file, suffix: str):
    from duan8.core import audit, jobs
    from duan8.core.middleware import client_ip

    unit = background.home_unit(request.auth)
    return jobs.submit(
        kind,
        request.auth,
        unit,
        params,
        upload=file,
        source=audit.SOURCE_API,
        ip=client_ip(request),
        suffix=suffix,
    )


@router.post(
    "/dhis2/exports",
    response=answers({202: JobOut}, 404, 422),
    url_name="dhis2_export_create",
)
def export_create(request, payload: Dhis2ExportQuery):
    """Queue the export of a dataValueSet (the fields of ``GET /api/v1/dhis2/dataValueSets``;
    ``format``: json, the default, or csv). When the job is done, its file
    (``GET /api/v1/jobs/{id}/file``) is the dataValueSet, of the units you view then."""
    periods = _periods(payload.period)
    root = _root(request, payload, periods)
    params = {
        "periods": [period.code for period in periods],
        "children": payload.children,
        "data_set": payload.dataSet or None,
        "format": payload.format or "json",
    }
    return Status(202, _submit(request, background.EXPORT, root, params))


# The mapping --------------------------------------------------------------------------------


class Dhis2ElementRow(Schema):
    id: int
    indicator: int = Field(validation_alias="indicator_id")
    indicator_code: str = Field(validation_alias="indicator.code")
    part: Part
    data_element: str
    category_option_combo: str = Field(description="Empty: the default combo.")
    data_set: str


class Dhis2OrgUnitRow(Schema):
    id: int
    unit: int = Field(validation_alias="unit_id")
    unit_name: str = Field(validation_alias="unit.name")
    org_unit_uid: str
    org_unit_code: str = Field(description="Empty: the unit's official code.")
    identifier: str = Field(description="What exports write as the unit's orgUnit.")


class Dhis2MappingOut(Schema):
    data_elements: list[Dhis2ElementRow]
    org_units: list[Dhis2OrgUnitRow]


class Dhis2ElementIn(InputSchema):
    indicator: Id
    part: Part = Part.TOTAL
    data_element: str = Field(pattern=UID_PATTERN, examples=["fbfJHSPpUQD"])
    category_option_combo: str = Field(
        "", pattern=OPTIONAL_UID, description="Empty: the default combo.", examples=[""]
    )
    data_set: str = Field("", pattern=OPTIONAL_UID, examples=["pBOMPrpg1QX"])


class Dhis2OrgUnitIn(InputSchema):
    unit: Id
    org_unit_uid: str = Field("", pattern=OPTIONAL_UID, examples=["DiszpKrYNg8"])
    org_unit_code: str = Field(
        "", max_length=50, description="Empty: the unit's official code.", examples=[""]
    )


@router.get("/dhis2/mapping", response=answers(Dhis2MappingOut, 403), url_name="dhis2_mapping")
def mapping(request):
    """The mapping: every data element row, and the organisation unit rows of the units you
    view (a unit without a row is its official code). For administrators."""
    return {
        "data_elements": list(actions.elements(request.auth)),
        "org_units": list(actions.org_units(request.auth)),
    }


@router.post(
    "/dhis2/mapping/data-elements",
    response=answers({201: Dhis2ElementRow}, 403, 422),
    url_name="dhis2_element_add",
)
def element_add(request, payload: Dhis2ElementIn):
    """Map an indicator's total or breakdown part to a data element and combo (national
    administrators)."""
    row = actions.add_element(
        request.auth,
        indicator_id=payload.indicator,
        part=payload.part,
        data_element=payload.data_element,
        category_option_combo=payload.category_option_combo,
        data_set=payload.data_set,
    )
    return Status(201, row)


@router.delete(
    "/dhis2/mapping/data-elements/{mapping_id}",
    response=answers({204: None}, 403, 404),
    url_name="dhis2_element_delete",
)
def element_delete(request, mapping_id: Id):
    """Remove a data element row (national administrators)."""
    actions.delete_element(request.auth, mapping_id)
    return Status(204, None)


@router.post(
    "/dhis2/mapping/org-units",
    response=answers({201: Dhis2OrgUnitRow}, 403, 404, 422),
    url_name="dhis2_org_unit_add",
)
def org_unit_add(request, payload: Dhis2OrgUnitIn):
    """Give a unit its DHIS2 organisation unit UID and/or code (the administrators of its
    province)."""
    unit = access.get_unit_or_404(request.auth, payload.unit)
    row = actions.add_org_unit(
        request.auth,
        unit,
        org_unit_uid=payload.org_unit_uid,
        org_unit_code=payload.org_unit_code,
    )
    return Status(201, row)


@router.delete(
    "/dhis2/mapping/org-units/{mapping_id}",
    response=answers({204: None}, 403, 404),
    url_name="dhis2_org_unit_delete",
)
def org_unit_delete(request, mapping_id: Id):
    """Remove a unit's row: it is its official code again (the administrators of its
    province)."""
    actions.delete_org_unit(request.auth, mapping_id)
    return Status(204, None)
