"""Framework endpoints: indicators with their dated definitions, targets, allocation."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from duan8.api.common import PERIOD_PATTERN, Id, parse_period
from duan8.api.errors import answers
from duan8.api.schemas import InputSchema
from duan8.core import access
from duan8.core.formatting import format_amount
from duan8.framework import actions, allocation, periods
from duan8.framework.models import (
    Aggregation,
    ContentArea,
    Indicator,
    Phase,
    Project,
    Source,
    Target,
    UnitOfMeasure,
)

router = Router(tags=["framework"])


class VersionOut(Schema):
    valid_from: datetime.date
    valid_until: datetime.date | None
    unit_of_measure: str
    aggregation: str
    numerator_id: int | None
    denominator_id: int | None
    source: str
    breakdowns: list[str]
    definition: str
    measure: str


class IndicatorOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    content_area: str
    versions: list[VersionOut]

    @staticmethod
    def resolve_content_area(obj) -> str:
        return obj.content_area.code

    @staticmethod
    def resolve_versions(obj):
        return list(obj.versions.all())


class PhaseOut(Schema):
    id: int
    project: str
    code: str
    name: str
    start: datetime.date
    end: datetime.date
    indicators: list[IndicatorOut]

    @staticmethod
    def resolve_project(obj) -> str:
        return obj.project.code

    @staticmethod
    def resolve_indicators(obj):
        return list(obj.indicators().select_related("content_area").prefetch_related("versions"))


class VersionIn(InputSchema):
    valid_from: datetime.date
    unit_of_measure: UnitOfMeasure | None = None
    aggregation: Aggregation | None = None
    numerator: Id | None = None
    denominator: Id | None = None
    source: Source | None = None
    breakdowns: list[str] | None = None
    definition: str | None = Field(None, max_length=4000)
    measure: str | None = Field(None, max_length=80)


class ContentAreaIn(InputSchema):
    code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=400)
    name_en: str = Field("", max_length=400)
    order: int = Field(0, ge=0, le=1000)


class ContentAreaOut(Schema):
    id: int
    code: str
    name: str
    name_en: str


class IndicatorIn(InputSchema):
    code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=400)
    name_en: str = Field("", max_length=400)
    order: int = Field(0, ge=0, le=1000)
    unit_of_measure: UnitOfMeasure
    aggregation: Aggregation = Aggregation.SUM
    numerator: Id | None = None
    denominator: Id | None = None
    source: Source
    breakdowns: list[str] = []
    definition: str = Field("", max_length=4000)
    measure: str = Field("", max_length=80)


class PhaseIn(InputSchema):
    project: Id
    code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=200)
    start: datetime.date
    end: datetime.date


class TargetOut(Schema):
    id: int
    indicator: str
    unit_id: int
    period: str
    value: Decimal
    revised_value: Decimal | None
    kept: Decimal
    document: str
    over_allocation_reason: str

    @staticmethod
    def resolve_indicator(obj) -> str:
        return obj.indicator.code

    @staticmethod
    def resolve_period(obj) -> str:
        return obj.period.code

    @staticmethod
    def resolve_document(obj) -> str:
        return obj.document_label


class TargetIn(InputSchema):
    indicator: Id
    unit: Id
    period: str = Field(pattern=PERIOD_PATTERN)
    value: Decimal = Field(ge=0, max_digits=16, decimal_places=2)
    revise: bool = False
    doc_number: str = Field("", max_length=60)
    doc_date: datetime.date | None = None
    doc_issuer: str = Field("", max_length=200)


class ColumnOut(Schema):
    indicator: str
    target: Decimal | None
    kept: Decimal
    allocated: Decimal
    remainder: Decimal | None
    over: bool


class CellOut(Schema):
    unit_id: int
    unit: str
    indicator: str
    value: Decimal | None


class GridOut(Schema):
    unit_id: int
    period: str
    fully_allocated: bool
    columns: list[ColumnOut]
    cells: list[CellOut]


READ_HELP = (
    "The value the client read before changing it (empty for none): when it is sent and the "
    "stored value differs, someone changed the cell meanwhile and the whole save answers 409."
)


class CellIn(Schema):
    unit: Id
    indicator: Id
    value: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    read: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2, description=READ_HELP)


class KeptIn(Schema):
    indicator: Id
    value: Decimal = Field(ge=0, max_digits=16, decimal_places=2)
    read: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2, description=READ_HELP)


class AllocationIn(InputSchema):
    unit: Id
    phase: Id
    period: str = Field(pattern=PERIOD_PATTERN)
    cells: list[CellIn] = []
    kept: list[KeptIn] = []
    reason: str = Field("", max_length=300)


class AllocationQuery(Schema):
    unit: Id
    phase: Id
    period: str = Field(pattern=PERIOD_PATTERN)


def _parse(code: str) -> periods.Period:
    return parse_period(code)


def _period_of(phase: Phase, code: str) -> periods.Period:
    period = _parse(code)
    if period.start < phase.start or period.end > phase.end:
        raise Http404
    return period


def _grid_out(grid) -> dict:
    return {
        "unit_id": grid.unit.pk,
        "period": grid.period.code,
        "fully_allocated": grid.fully_allocated,
        "columns": [
            {
                "indicator": c.indicator.code,
                "target": c.total,
                "kept": c.kept,
                "allocated": c.allocated,
                "remainder": c.remainder,
                "over": c.over,
            }
            for c in grid.columns
        ],
        "cells": [
            {
                "unit_id": child.pk,
                "unit": child.name,
                "indicator": column.indicator.code,
                "value": value,
            }
            for child, values in grid.rows()
            for column, value in values
        ],
    }


@router.get("/phases", response=list[PhaseOut], url_name="phases")
def phase_list(request):
    """Every phase with its indicators and their dated definitions."""
    return Phase.objects.select_related("project")


@router.post("/phases", response=answers({201: PhaseOut}, 403, 404, 422), url_name="phase_create")
def phase_create(request, payload: PhaseIn):
    access.require_national_admin(request.auth)
    project = get_object_or_404(Project, pk=payload.project)
    phase = actions.add_phase(project, payload.code, payload.name, payload.start, payload.end)
    return Status(201, phase)


@router.post(
    "/phases/{phase_id}/areas",
    response=answers({201: ContentAreaOut}, 403, 404, 422),
    url_name="content_area_create",
)
def content_area_create(request, phase_id: Id, payload: ContentAreaIn):
    access.require_national_admin(request.auth)
    phase = get_object_or_404(Phase, pk=phase_id)
    area = ContentArea(phase=phase, **payload.dict())
    area.full_clean()
    area.save()
    return Status(201, area)


@router.post(
    "/areas/{area_id}/indicators",
    response=answers({201: IndicatorOut}, 403, 404, 422),
    url_name="indicator_create",
)
def indicator_create(request, area_id: Id, payload: IndicatorIn):
    """A new indicator, measured as given from the start of its phase."""
    access.require_national_admin(request.auth)
    area = get_object_or_404(ContentArea.objects.select_related("phase"), pk=area_id)
    data = payload.dict()
    for name in ("numerator", "denominator"):
        if data.get(name) is not None:
            data[name] = get_object_or_404(Indicator, pk=data[name])
    return Status(201, actions.add_indicator(area, **data))


@router.get("/indicators/{indicator_id}", response=answers(IndicatorOut, 404), url_name="indicator")
def indicator(request, indicator_id: Id):
    return get_object_or_404(Indicator.objects.select_related("content_area"), pk=indicator_id)


@router.post(
    "/indicators/{indicator_id}/versions",
    response=answers({201: VersionOut}, 403, 404, 422),
    url_name="indicator_version_create",
)
def version_create(request, indicator_id: Id, payload: VersionIn):
    """Measure the indicator differently from ``valid_from``; earlier periods are untouched."""
    access.require_national_admin(request.auth)
    item = get_object_or_404(Indicator, pk=indicator_id)
    # A field left out, or sent empty, is measured as before (only a ratio's parts may be
    # emptied).
    fields = {
        name: value
        for name, value in payload.dict(exclude_unset=True, exclude={"valid_from"}).items()
        if value is not None or name in ("numerator", "denominator")
    }
    for name in ("numerator", "denominator"):
        if fields.get(name) is not None:
            fields[name] = get_object_or_404(Indicator, pk=fields[name])
    return Status(201, actions.change_definition(item, payload.valid_from, **fields))


@router.get("/targets", response=answers(list[TargetOut], 404, 422), url_name="targets")
def target_list(request, unit: Id, period: str = Query(..., pattern=r"^\d{4}(-H[12]|-\d{4})?$")):
    owner = access.get_unit_or_404(request.auth, unit)
    return Target.objects.for_period(_parse(period)).filter(unit=owner).select_related("indicator")


@router.post("/targets", response=answers(TargetOut, 403, 404, 422), url_name="target_set")
def target_set(request, payload: TargetIn):
    """Set (or, with ``revise``, revise) a unit's own target; done by the unit above it."""
    unit = access.get_unit_or_404(request.auth, payload.unit)
    if not access.can_set_target(request.auth, unit):
        raise PermissionDenied
    item = get_object_or_404(Indicator, pk=payload.indicator)
    return actions.set_target(
        item,
        unit,
        _parse(payload.period),
        payload.value,
        revise=payload.revise,
        doc_number=payload.doc_number,
        doc_date=payload.doc_date,
        doc_issuer=payload.doc_issuer,
    )


@router.get("/allocation", response=answers(GridOut, 404, 422), url_name="allocation")
def allocation_read(request, query: Query[AllocationQuery]):
    unit = access.get_unit_or_404(request.auth, query.unit)
    phase = get_object_or_404(Phase, pk=query.phase)
    return _grid_out(allocation.grid(unit, phase, _period_of(phase, query.period)))


def _over_allocated(unit, columns) -> dict:
    """The 409 answer to an unconfirmed over-allocation: by how much, for each indicator."""
    excess = [
        {
            "unit_id": unit.pk,
            "unit": unit.name,
            "indicator": c.indicator.code,
            "target": c.total,
            "kept": c.kept,
            "allocated": c.allocated,
            "excess": -c.remainder,
        }
        for c in columns
    ]
    lines = [
        _(
            "%(unit)s, %(indicator)s: %(excess)s over the target set by the level above "
            "(%(target)s); %(allocated)s allocated to the units below, %(kept)s kept."
        )
        % {
            name: format_amount(value) if isinstance(value, Decimal) else value
            for name, value in item.items()
        }
        for item in excess
    ]
    detail = _("Over-allocated; send a reason to confirm.")
    return {
        "detail": " ".join([detail, *lines]),
        "over": [e["indicator"] for e in excess],
        "excess": excess,
    }


@router.put(
    "/allocation",
    response=answers({200: GridOut, 409: dict}, 403, 404, 422),
    url_name="allocation_save",
)
def allocation_save(request, payload: AllocationIn):
    """Store children's targets; an over-allocation answers 409 unless a reason is given."""
    unit = access.get_unit_or_404(request.auth, payload.unit, access.Action.EDIT)
    phase = get_object_or_404(Phase, pk=payload.phase)
    period = _period_of(phase, payload.period)
    values = {(c.unit, c.indicator): c.value for c in payload.cells}
    kept = {k.indicator: k.value for k in payload.kept}
    sent = payload.dict(exclude_unset=True)
    read = {
        (c.unit, c.indicator): c.read
        for c, raw in zip(payload.cells, sent.get("cells", []), strict=True)
        if "read" in raw
    }
    read_kept = {
        k.indicator: k.read
        for k, raw in zip(payload.kept, sent.get("kept", []), strict=True)
        if "read" in raw
    }
    try:
        grid = allocation.save(
            unit,
            phase,
            period,
            values,
            kept=kept,
            reason=payload.reason,
            read=read,
            read_kept=read_kept,
        )
    except allocation.StaleCells as exc:
        return Status(
            409,
            {
                "detail": "; ".join(exc.messages()),
                "stale": [
                    {
                        "unit": cell.unit.pk if cell.unit else None,
                        "indicator": cell.indicator.pk,
                        "yours": cell.yours,
                        "read": cell.read,
                        "stored": cell.stored,
                        "by": cell.by,
                    }
                    for cell in exc.cells
                ],
            },
        )
    except allocation.OverAllocation as exc:
        return Status(409, _over_allocated(unit, exc.columns))
    except allocation.AllocationRefused as exc:
        return Status(422, {"detail": "; ".join(exc.messages)})
    except ValueError:
        return Status(422, {"detail": _("A cell names a unit or indicator outside this grid.")})
    return _grid_out(grid)
