"""Report-form endpoints: forms listed and read (the nation's by everyone signed in, a
province's by those who work in it), created and changed by their administrators (a PATCH
carries the version it read, as every PATCH does: docs/concurrency.md), and a form filled for a
unit, a period and a tree date — as JSON cells or as the Excel workbook the pages download.
Every number comes from the one reading path (``reportforms.fill``)."""

import datetime

from django.http import HttpResponse
from django.utils import translation
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from duan8.api.common import (
    PERIOD_PATTERN,
    VERSION_HELP,
    Id,
    Pagination,
    expect_version,
    parse_period,
)
from duan8.api.errors import answers
from duan8.api.schemas import InputSchema, Message
from duan8.core import versions
from duan8.core.sheets import XLSX
from duan8.reportforms import actions, fill, rules, workbook
from duan8.reportforms.models import CellKind, ColumnsKind, ReportForm, RowKind

router = Router(tags=["report forms"])

PeriodCode = Field(
    pattern=PERIOD_PATTERN, examples=["2024", "2024-H1", "2024-Q3", "2024-05", "2021-2025"]
)


class RowIO(Schema):
    kind: RowKind = RowKind.INDICATOR
    code: str = Field(
        "", max_length=30, description="An indicator's code; a heading's content area code."
    )
    part: str = Field(
        "",
        max_length=80,
        description="Optional: a measure of the same records as the indicator's (a breakdown).",
    )
    number: str = Field("", max_length=10, description="As printed; empty: numbered in order.")
    label: str = Field("", max_length=400, description="Printed instead of the name.")


class ColumnIO(Schema):
    period: str = PeriodCode
    header: str = Field("", max_length=200, description="Empty: the period's name.")


class FormOut(Schema):
    id: int
    scope_id: int | None = Field(description="Empty: the nation's form; else its province.")
    scope_name: str | None
    code: str
    title: str
    legal_basis: str
    period: str = Field(description="The period it is usually filled for; empty: chosen.")
    tree_date: datetime.date | None = Field(description="Units as of; empty: period's end.")
    columns: ColumnsKind
    with_total: bool
    cells: list[CellKind]
    notes: str
    builtin: str = Field(description="Set on the forms duan8 ships.")
    rows: list[RowIO]
    period_columns: list[ColumnIO]
    version: int = Field(description=VERSION_HELP)

    @staticmethod
    def resolve_scope_name(obj) -> str | None:
        return obj.scope.name if obj.scope_id else None

    @staticmethod
    def resolve_cells(obj) -> list[str]:
        return obj.cell_kinds

    @staticmethod
    def resolve_rows(obj) -> list:
        return list(obj.rows.all())

    @staticmethod
    def resolve_period_columns(obj) -> list:
        return list(obj.period_columns.all())

    @staticmethod
    def resolve_version(obj) -> int:
        return versions.of_listed(obj)


class FormSummaryOut(Schema):
    id: int
    scope_id: int | None
    code: str
    title: str
    period: str
    columns: ColumnsKind
    version: int = Field(description=VERSION_HELP)

    @staticmethod
    def resolve_version(obj) -> int:
        return versions.of_listed(obj)


class FormIn(InputSchema):
    scope: Id | None = Field(
        None, description="Empty or the nation's unit: the nation's form; else a province."
    )
    code: str = Field("", max_length=40)
    title: str = Field(min_length=1, max_length=300)
    legal_basis: str = Field("", max_length=500)
    period: str = Field("", max_length=20, description="2024, 2024-H1, 2021-2025; or empty.")
    tree_date: datetime.date | None = None
    columns: ColumnsKind = ColumnsKind.UNITS
    with_total: bool = True
    cells: list[CellKind] = Field(min_length=1, max_length=6)
    notes: str = Field("", max_length=2000)
    rows: list[RowIO] = Field([], max_length=200)
    period_columns: list[ColumnIO] = Field([], max_length=100)


class FormPatch(InputSchema):
    version: int | None = Field(None, ge=0, le=2**62, description=VERSION_HELP)
    code: str | None = Field(None, max_length=40)
    title: str | None = Field(None, min_length=1, max_length=300)
    legal_basis: str | None = Field(None, max_length=500)
    period: str | None = Field(None, max_length=20)
    tree_date: datetime.date | None = None
    columns: ColumnsKind | None = None
    with_total: bool | None = None
    cells: list[CellKind] | None = Field(None, min_length=1, max_length=6)
    notes: str | None = Field(None, max_length=2000)
    rows: list[RowIO] | None = Field(
        None, max_length=200, description="When sent, the form's rows become these."
    )
    period_columns: list[ColumnIO] | None = Field(
        None, max_length=100, description="When sent, the form's period columns become these."
    )


class FillQuery(Schema):
    unit: Id
    period: str | None = Field(
        None,
        pattern=PERIOD_PATTERN,
        description="Default: the form's period (columns of periods: the last one's).",
    )
    on: datetime.date | None = Field(
        None, description="Tree date. Default: the form's, else the period's last day."
    )


class FilledColumn(Schema):
    header: str
    unit_id: int
    unit_name: str
    period: str
    total: bool = Field(description="The unit the form is filled for (columns of units).")


class FilledRow(Schema):
    kind: RowKind
    number: str
    label: str
    code: str
    part: str
    unit_of_measure: str
    missing: bool = Field(description="No indicator of the period's phase has this code.")
    values: list[list[float | None]] = Field(
        description="Per column, one value per cell kind (``cells``), in the columns' order."
    )


class FilledOut(Schema):
    form_id: int
    title: str
    code: str
    legal_basis: str
    unit_id: int
    unit_name: str
    period: str
    period_label: str
    on: datetime.date
    cells: list[CellKind]
    columns: list[FilledColumn]
    rows: list[FilledRow]


def _rows(items) -> list[dict] | None:
    return None if items is None else [item.dict() for item in items]


@router.get("/report-forms", response=answers(list[FormSummaryOut], 422), url_name="report_forms")
@paginate(Pagination)
def form_list(request):
    """The forms one reads: the nation's and those of the provinces one works in."""
    return versions.annotate(
        rules.readable_forms(request.auth).order_by("scope__path", "code", "pk")
    )


@router.get("/report-forms/{form_id}", response=answers(FormOut, 404), url_name="report_form")
def form_detail(request, form_id: Id):
    """A form's definition: its fields, rows and period columns, with its version."""
    return rules.get_form_or_404(request.auth, form_id)


@router.post(
    "/report-forms",
    response=answers({201: FormOut}, 403, 404, 422),
    url_name="report_form_create",
)
def form_create(request, payload: FormIn):
    """A new form: the nation's (national administrators) or a province's (its
    administrators)."""
    data = payload.dict()
    scope = rules.get_scope_or_404(request.auth, data.pop("scope"))
    rows, columns = data.pop("rows"), data.pop("period_columns")
    data["cells"] = [CellKind(kind).value for kind in data["cells"]]
    report = ReportForm(scope=scope, **data)
    return Status(201, actions.save(report, rows, columns))


@router.patch(
    "/report-forms/{form_id}",
    response=answers({200: FormOut, 409: dict, 428: Message}, 403, 404, 412, 422),
    url_name="report_form_update",
)
def form_update(request, form_id: Id, payload: FormPatch):
    """Change a form (the fields sent; ``rows`` and ``period_columns``, when sent, replace
    the form's). Sends the version it read: 428 without one, 409 over a newer one."""
    report = rules.get_form_or_404(request.auth, form_id, change=True)
    sent = expect_version(request, report, payload)
    rows, columns = sent.pop("rows", None), sent.pop("period_columns", None)
    for name, value in sent.items():
        if value is None and name != "tree_date":
            continue
        if name == "cells":
            value = [CellKind(kind).value for kind in value]
        setattr(report, name, value)
    return actions.save(report, rows, columns)


def _filled(request, form_id: int, query: FillQuery):
    report = rules.get_form_or_404(request.auth, form_id)
    unit = rules.get_unit_or_404(request.auth, query.unit)
    period = parse_period(query.period) if query.period else None
    try:
        return fill.fill(report, unit, period, query.on, user=request.auth)
    except fill.NoPeriod as exc:
        raise HttpError(422, str(exc)) from None


@router.get(
    "/report-forms/{form_id}/fill",
    response=answers(FilledOut, 404, 422),
    url_name="report_form_fill",
)
def form_fill(request, form_id: Id, query: Query[FillQuery]):
    """The form filled for a unit (with the units below it one views), a period and a tree
    date: per row, per column, one value per cell kind."""
    return _filled(request, form_id, query).as_json()


@router.get(
    "/report-forms/{form_id}/fill.xlsx",
    response=answers({200: None}, 404, 422),
    url_name="report_form_fill_xlsx",
    openapi_extra={
        "responses": {
            200: {
                "description": "The filled form as an Excel workbook, in Vietnamese.",
                "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def form_fill_xlsx(request, form_id: Id, query: Query[FillQuery]):
    """The same as ``fill``, as the Excel workbook the pages download."""
    with translation.override("vi"):
        filled = _filled(request, form_id, query)
        content = workbook.workbook(filled)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{workbook.filename(filled)}"'
    return response
