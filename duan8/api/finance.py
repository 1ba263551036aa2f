"""Money endpoints: budget lines and disbursements of a unit's subtree, recording them, the
summary of a year (the budget table and the disbursement rates as of a day), the spending norms
in force for a unit on a day, and estimates (dự toán) with their lines."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from duan8.activities.models import Activity, ActivityKind
from duan8.api.common import Id, Pagination
from duan8.api.errors import answers
from duan8.api.schemas import InputSchema
from duan8.core import access
from duan8.finance import actions, estimates, norms, summary
from duan8.finance.models import (
    MAX_AMOUNT,
    BudgetLine,
    Disbursement,
    Estimate,
    EstimateLine,
    FundSource,
    SpendingLevel,
)
from duan8.framework.models import ContentArea

router = Router(tags=["finance"])

Year = Field(ge=2021, le=2100, description="Fiscal year.")
Amount = Field(ge=0, le=MAX_AMOUNT, description="Whole đồng.")


class BudgetLineOut(Schema):
    id: int
    unit_id: int
    fiscal_year: int
    source: str
    level: str
    content_area_id: int | None
    activity_kind: str
    original_amount: int = Field(description="Whole đồng.")
    revised_amount: int | None = Field(description="Whole đồng.")
    amount: int = Field(description="The effective amount: revised, else original (đồng).")
    disbursed: int = Field(description="Disbursed so far (đồng).")
    available: int = Field(description="Still available on the line (đồng).")
    decision_number: str
    decision_date: datetime.date | None
    decision_issuer: str
    carried_from_id: int | None

    @staticmethod
    def resolve_disbursed(obj) -> int:
        return obj.disbursed_total

    @staticmethod
    def resolve_available(obj) -> int:
        return obj.amount - obj.disbursed_total


class BudgetLineIn(InputSchema):
    unit: Id
    fiscal_year: int = Year
    source: FundSource
    content_area: Id | None = None
    activity_kind: ActivityKind | None = None
    original_amount: int = Amount
    revised_amount: int | None = Field(None, ge=0, le=MAX_AMOUNT)
    decision_number: str = Field("", max_length=60)
    decision_date: datetime.date | None = None
    decision_issuer: str = Field("", max_length=200)
    carried_from: Id | None = None
    notes: str = Field("", max_length=300)


class DisbursementOut(Schema):
    id: int
    line_id: int
    unit_id: int
    date: datetime.date
    amount: int = Field(description="Whole đồng.")
    voucher: str
    activity_id: int | None

    @staticmethod
    def resolve_unit_id(obj) -> int:
        return obj.line.unit_id


class DisbursementIn(InputSchema):
    line: Id
    date: datetime.date
    amount: int = Field(ge=1, le=MAX_AMOUNT, description="Whole đồng.")
    voucher: str = Field(min_length=1, max_length=100)
    activity: Id | None = None
    notes: str = Field("", max_length=300)


class FinanceYearQuery(Schema):
    unit: Id
    year: int = Year
    on: datetime.date | None = Field(None, description="Tree date (default: the year's end).")


class FinanceSummaryQuery(FinanceYearQuery):
    as_of: datetime.date | None = Field(
        None, description="Disbursed by this day (default: today, at most the year's end)."
    )


class FinanceRateOut(Schema):
    key: str
    label: str
    disbursed: int
    available: int
    rate: float | None = Field(description="Percent, two decimals.")


class BudgetTableRowOut(Schema):
    key: str
    label: str
    total: int
    new: int
    carried: int
    total_million: str = Field(description="Triệu đồng, Vietnamese separators (7.588,63).")
    new_million: str
    carried_million: str


class LaggingUnitOut(Schema):
    unit_id: int
    unit_name: str
    rate: float | None
    threshold: int
    checkpoint: datetime.date


class FinanceSummaryOut(Schema):
    unit_id: int
    year: int
    as_of: datetime.date
    on: datetime.date
    disbursed: int
    available: int
    rate: float | None
    elapsed: float = Field(description="Share of the year elapsed on as_of, percent.")
    table: list[BudgetTableRowOut]
    by_source: list[FinanceRateOut]
    by_level: list[FinanceRateOut]
    by_area: list[FinanceRateOut]
    lagging: list[LaggingUnitOut]


@router.get(
    "/finance/lines", response=answers(list[BudgetLineOut], 404, 422), url_name="budget_lines"
)
@paginate(Pagination)
def line_list(request, query: Query[FinanceYearQuery]):
    """Budget lines of a year counted under a unit on the tree date, with what is disbursed."""
    unit = access.get_unit_or_404(request.auth, query.unit)
    lines = BudgetLine.objects.within(unit, on=summary.tree_day(unit, query.year, query.on))
    lines = access.scope_records(request.auth, lines.filter(fiscal_year=query.year))
    return lines.with_disbursed().order_by("unit__path", "source", "pk")


@router.post(
    "/finance/lines",
    response=answers({201: BudgetLineOut}, 403, 404, 422),
    url_name="budget_line_create",
)
def line_create(request, payload: BudgetLineIn):
    data = payload.dict()
    unit = access.get_unit_or_404(request.auth, data.pop("unit"), access.Action.EDIT)
    area_id = data.pop("content_area")
    carried_id = data.pop("carried_from")
    line = BudgetLine(unit=unit, **{**data, "activity_kind": data["activity_kind"] or ""})
    if area_id is not None:
        line.content_area = ContentArea.objects.filter(pk=area_id).first()
        if line.content_area is None:
            raise HttpError(422, _("No such content area."))
    if carried_id is not None:
        line.carried_from = access.get_or_404(request.auth, BudgetLine.objects, pk=carried_id)
    actions.save_line(line)
    line.disbursed_total = 0
    return Status(201, line)


@router.get(
    "/finance/disbursements",
    response=answers(list[DisbursementOut], 404, 422),
    url_name="disbursements",
)
@paginate(Pagination)
def disbursement_list(request, query: Query[FinanceYearQuery]):
    """Disbursements against the lines of a year counted under a unit on the tree date."""
    unit = access.get_unit_or_404(request.auth, query.unit)
    lines = BudgetLine.objects.within(unit, on=summary.tree_day(unit, query.year, query.on))
    lines = access.scope_records(request.auth, lines.filter(fiscal_year=query.year))
    return (
        Disbursement.objects.filter(line__in=lines.values("pk"))
        .select_related("line")
        .order_by("date", "pk")
    )


@router.post(
    "/finance/disbursements",
    response=answers({201: DisbursementOut}, 403, 404, 422),
    url_name="disbursement_create",
)
def disbursement_create(request, payload: DisbursementIn):
    """Record money spent; more than the line still has is refused with the amount left."""
    line = access.get_or_404(
        request.auth,
        BudgetLine.objects.select_related("unit"),
        access.Action.EDIT,
        pk=payload.line,
    )
    activity = None
    if payload.activity is not None:
        activity = access.get_or_404(request.auth, Activity.objects, pk=payload.activity)
    disbursement = Disbursement(
        line=line,
        date=payload.date,
        amount=payload.amount,
        voucher=payload.voucher,
        activity=activity,
        notes=payload.notes,
    )
    return Status(201, actions.record_disbursement(disbursement))


def _rate_rows(pairs) -> list[dict]:
    return [
        {
            "key": str(key),
            "label": str(label),
            "disbursed": rate.disbursed,
            "available": rate.available,
            "rate": float(rate.rate) if rate.rate is not None else None,
        }
        for key, label, rate in pairs
    ]


def _table_row(row) -> dict:
    return {
        "key": row.key,
        "label": row.label,
        "total": row.total.dong,
        "new": row.new.dong,
        "carried": row.carried.dong,
        "total_million": row.total.million,
        "new_million": row.new.million,
        "carried_million": row.carried.million,
    }


@router.get(
    "/finance/summary", response=answers(FinanceSummaryOut, 404, 422), url_name="finance_summary"
)
def finance_summary(request, query: Query[FinanceSummaryQuery]):
    """The budget table of a year (total, new and carried over, by level) and the
    disbursement rate as of a day, by source, level and content area, with the units below
    the last checkpoint passed."""
    from django.utils import timezone

    unit = access.get_unit_or_404(request.auth, query.unit)
    year = query.year
    as_of = query.as_of or min(timezone.localdate(), datetime.date(year, 12, 31))
    day = summary.tree_day(unit, year, query.on)
    rates = summary.rates(unit, year, as_of, day)
    table = summary.table(unit, year, day)
    areas = dict(rates.areas_by_id())
    return {
        "unit_id": unit.pk,
        "year": year,
        "as_of": as_of,
        "on": day,
        "disbursed": rates.total.disbursed,
        "available": rates.total.available,
        "rate": float(rates.total.rate) if rates.total.rate is not None else None,
        "elapsed": float(rates.elapsed),
        "table": [_table_row(table.total)] + [_table_row(row) for row in table.levels],
        "by_source": _rate_rows(
            (s.value, s.label, rates.by_source[s]) for s in FundSource if s in rates.by_source
        ),
        "by_level": _rate_rows(
            (s.value, s.label, rates.by_level[s]) for s in SpendingLevel if s in rates.by_level
        ),
        "by_area": _rate_rows((pk, areas[pk], rate) for pk, rate in rates.by_area.items()),
        "lagging": [
            {
                "unit_id": item.unit.pk,
                "unit_name": item.unit.name,
                "rate": float(item.rate.rate) if item.rate.rate is not None else None,
                "threshold": item.threshold,
                "checkpoint": item.checkpoint,
            }
            for item in summary.lagging(unit, year, as_of, day)
        ],
    }


# Spending norms and estimates --------------------------------------------------------------


class NormsQuery(Schema):
    unit: Id
    on: datetime.date | None = Field(None, description="The day (default: today).")


class NormOut(Schema):
    id: int
    scope_id: int = Field(description="The nation, or the province whose own norm this is.")
    scope_name: str
    code: str = Field(description="Item code: a province's norm of a code replaces the nation's.")
    item: str
    measure: str
    amount: int = Field(description="Whole đồng.")
    kind: str = Field(description="fixed, or ceiling (at most).")
    valid_from: datetime.date
    valid_until: datetime.date | None = Field(description="First day it no longer applies.")
    legal_source: str
    content_area_id: int | None
    activity_kind: str

    @staticmethod
    def resolve_scope_name(obj) -> str:
        return obj.scope.name


class EstimateListQuery(Schema):
    unit: Id
    year: int = Year


class EstimateOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    fiscal_year: int
    title: str
    reference_date: datetime.date = Field(description="The norms in force on this day apply.")
    state: str = Field(description="draft or approved.")
    total: int = Field(description="Sum of the lines (đồng).")
    source: str
    decision_number: str
    decision_date: datetime.date | None

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_total(obj) -> int:
        found = getattr(obj, "lines_total", None)
        return obj.total if found is None else found


class EstimateLineOut(Schema):
    id: int
    estimate_id: int
    content_area_id: int | None
    activity: str
    norm_id: int
    norm_code: str
    norm_kind: str
    norm_amount: int = Field(description="The norm's amount (đồng): the ceiling or fixed amount.")
    quantity: Decimal
    unit_amount: int = Field(description="Whole đồng.")
    amount: int = Field(description="Quantity × unit amount, rounded half up (đồng).")
    above_ceiling: bool = Field(description="The unit amount exceeds the norm's ceiling.")
    off_fixed: bool = Field(description="The unit amount differs from a fixed norm's.")

    @staticmethod
    def resolve_norm_code(obj) -> str:
        return obj.norm.code

    @staticmethod
    def resolve_norm_kind(obj) -> str:
        return obj.norm.kind

    @staticmethod
    def resolve_norm_amount(obj) -> int:
        return obj.norm.amount


class AreaTotalOut(Schema):
    content_area_id: int | None
    amount: int = Field(description="Whole đồng.")


class EstimateDetailOut(EstimateOut):
    lines: list[EstimateLineOut]
    by_area: list[AreaTotalOut] = Field(description="Totals by content area (đồng).")
    flagged: int = Field(description="Lines whose unit amount exceeds their ceiling.")

    @staticmethod
    def resolve_lines(obj) -> list:
        return obj.line_list

    @staticmethod
    def resolve_by_area(obj) -> list:
        return obj.area_totals

    @staticmethod
    def resolve_flagged(obj) -> int:
        return sum(1 for line in obj.line_list if line.above_ceiling)


class EstimateIn(InputSchema):
    unit: Id
    fiscal_year: int = Year
    title: str = Field("", max_length=200)
    reference_date: datetime.date | None = Field(
        None, description="The norms in force on this day apply (default: today)."
    )


class EstimateLineIn(InputSchema):
    content_area: Id | None = None
    activity: str = Field(min_length=1, max_length=300, description="The activity or item.")
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    norm: Id = Field(description="A norm in force for the unit on the estimate's day.")
    unit_amount: int | None = Field(
        None,
        ge=0,
        le=MAX_AMOUNT,
        description="Whole đồng: required for a ceiling; for a fixed norm, its amount when "
        "left out.",
    )


@router.get("/finance/norms", response=answers(list[NormOut], 404, 422), url_name="finance_norms")
def norm_list(request, query: Query[NormsQuery]):
    """The norms that apply to a unit on a day, one per item code (the province's own over the
    nation's), each with its legal source."""
    unit = access.get_unit_or_404(request.auth, query.unit)
    return estimates.norms_in_force(unit, query.on or timezone.localdate())


@router.get(
    "/finance/estimates", response=answers(list[EstimateOut], 404, 422), url_name="estimates"
)
@paginate(Pagination)
def estimate_list(request, query: Query[EstimateListQuery]):
    """The estimates of a year of a unit and the units below it, with their totals."""
    unit = access.get_unit_or_404(request.auth, query.unit)
    return norms.estimates_of(request.auth, unit, query.year).annotate(
        lines_total=Sum("lines__amount", default=0)
    )


def _detail(estimate: Estimate) -> Estimate:
    """The estimate with its lines and totals read once, for ``EstimateDetailOut``."""
    estimate.line_list = list(estimate.lines.select_related("norm"))
    estimate.lines_total = sum(line.amount for line in estimate.line_list)
    estimate.area_totals = [
        {
            "content_area_id": group.content_area.pk if group.content_area else None,
            "amount": group.amount,
        }
        for group in estimates.totals_by_area(estimate)
    ]
    return estimate


@router.get(
    "/finance/estimates/{estimate_id}",
    response=answers(EstimateDetailOut, 404, 422),
    url_name="estimate",
)
def estimate_detail(request, estimate_id: Id):
    """An estimate with its lines, its totals by content area and its lines above a ceiling."""
    return _detail(norms.get_estimate_or_404(request.auth, estimate_id))


@router.post(
    "/finance/estimates",
    response=answers({201: EstimateDetailOut}, 403, 404, 422),
    url_name="estimate_create",
)
def estimate_create(request, payload: EstimateIn):
    """Start a draft estimate of a unit (its editors)."""
    unit = access.get_unit_or_404(request.auth, payload.unit, access.Action.EDIT)
    estimate = Estimate(
        unit=unit,
        fiscal_year=payload.fiscal_year,
        title=payload.title.strip(),
        reference_date=payload.reference_date or timezone.localdate(),
    )
    return Status(201, _detail(estimates.save_estimate(estimate)))


@router.post(
    "/finance/estimates/{estimate_id}/lines",
    response=answers({201: EstimateLineOut}, 403, 404, 422),
    url_name="estimate_line_create",
)
def estimate_line_create(request, estimate_id: Id, payload: EstimateLineIn):
    """Add a line to a draft estimate (its unit's editors). A unit amount above the norm's
    ceiling is stored and flagged (``above_ceiling``), not refused."""
    estimate = norms.get_estimate_or_404(request.auth, estimate_id, access.Action.EDIT)
    in_force = estimates.norms_in_force(estimate.unit, estimate.reference_date)
    norm = next((n for n in in_force if n.pk == payload.norm), None)
    if norm is None:
        raise ValidationError(
            {
                "norm": _("This norm is not in force for %(unit)s on %(day)s.")
                % {"unit": estimate.unit.name, "day": f"{estimate.reference_date:%d/%m/%Y}"}
            }
        )
    area = None
    if payload.content_area is not None:
        area = ContentArea.objects.filter(pk=payload.content_area).first()
        if area is None:
            raise HttpError(422, _("No such content area."))
    line = EstimateLine(
        estimate=estimate,
        content_area=area,
        activity=payload.activity.strip(),
        norm=norm,
        quantity=payload.quantity.quantize(Decimal("0.01")),
        unit_amount=payload.unit_amount,
    )
    return Status(201, estimates.add_line(line))
