"""Money endpoints: budget lines and disbursements of a unit's subtree, recording them, the
summary of a year (the budget table and the disbursement rates as of a day), spending norms
(those in force for a unit on a day, every version, setting, changing and closing them), and
estimates (dự toán) with their lines, removing lines and the approval into budget lines. Every
write goes through the audited functions the pages use, under the pages' access checks."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from duan8.activities.models import Activity, ActivityKind
from duan8.api.common import VERSION_HELP, Id, Pagination, expect_version
from duan8.api.errors import answers
from duan8.api.schemas import InputSchema, Message
from duan8.core import access, versions
from duan8.finance import actions, estimates, norms, summary
from duan8.finance.models import (
    MAX_AMOUNT,
    BudgetLine,
    Disbursement,
    Estimate,
    EstimateLine,
    FundSource,
    NormKind,
    NormMeasure,
    SpendingLevel,
    SpendingNorm,
    Transfer,
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
    transferred: int = Field(description="Handed to units below so far (đồng).")
    available: int = Field(
        description="Still available to spend or hand down: amount − disbursed − transferred "
        "(đồng)."
    )
    decision_number: str
    decision_date: datetime.date | None
    decision_issuer: str
    carried_from_id: int | None
    estimate_id: int | None = Field(description="The approved estimate the line came from.")

    @staticmethod
    def resolve_disbursed(obj) -> int:
        return obj.disbursed_total

    @staticmethod
    def resolve_transferred(obj) -> int:
        return obj.transferred_total

    @staticmethod
    def resolve_available(obj) -> int:
        return obj.amount - obj.disbursed_total - obj.transferred_total


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
    line.disbursed_total = line.transferred_total = 0
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
    previous_id: int | None = Field(description="The version this one replaced.")
    version: int = Field(description=VERSION_HELP)

    @staticmethod
    def resolve_scope_name(obj) -> str:
        return obj.scope.name

    @staticmethod
    def resolve_version(obj) -> int:
        return versions.of_listed(obj)


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
    decision_issuer: str

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
    budget_lines: list[BudgetLineOut] = Field(
        description="The budget lines the approval made (one per content area); none for a draft."
    )

    @staticmethod
    def resolve_lines(obj) -> list:
        return obj.line_list

    @staticmethod
    def resolve_by_area(obj) -> list:
        return obj.area_totals

    @staticmethod
    def resolve_flagged(obj) -> int:
        return sum(1 for line in obj.line_list if line.above_ceiling)

    @staticmethod
    def resolve_budget_lines(obj) -> list:
        return obj.budget_line_list


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
    return versions.attach(estimates.norms_in_force(unit, query.on or timezone.localdate()))


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
    estimate.budget_line_list = list(estimate.budget_lines.with_disbursed().order_by("pk"))
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


# Setting norms, removing estimate lines, approving estimates ---------------------------------
#
# The pages' own functions and checks: ``norms.get_scope_or_404`` / ``get_norm_or_404`` (who
# sets the norms of a scope), ``norms.get_estimate_or_404`` (editors change a draft, approvers
# approve it), and the audited writes of ``finance.estimates``.


def _examples(**named: tuple[str, dict]) -> dict:
    """An OpenAPI request body's examples: name → (summary, value)."""
    return {
        "requestBody": {
            "content": {
                "application/json": {
                    "examples": {
                        name: {"summary": summary, "value": value}
                        for name, (summary, value) in named.items()
                    }
                }
            }
        }
    }


def _refusals(**by_status: tuple[str, dict]) -> dict:
    """Examples of refusals in the OpenAPI description: ``s422=(summary, body)``…"""
    return {
        "responses": {
            int(status.removeprefix("s")): {
                "content": {"application/json": {"example": body}},
                "description": summary,
            }
            for status, (summary, body) in by_status.items()
        }
    }


def _openapi(*parts: dict) -> dict:
    merged: dict = {}
    for part in parts:
        for key, value in part.items():
            merged.setdefault(key, {}).update(value)
    return merged


_FORBIDDEN = ("Not allowed here", {"detail": "Bạn không có quyền thực hiện thao tác này tại đây."})
_MISSING = ("Not found, or out of your units", {"detail": "Không tìm thấy."})
_STALE = (
    "Changed by someone else since the version sent",
    {
        "detail": "Nguyễn Thị Lan đã lưu bản ghi này lúc 01/12/2025 10:15, sau khi bạn mở biểu "
        "mẫu. Thay đổi của bạn chưa được lưu: …",
        "version": 4312,
        "changes": [
            {
                "field": "valid_until",
                "label": "Hiệu lực đến",
                "yours": "2026-01-01",
                "stored": "2025-12-01",
                "stored_text": "01/12/2025",
                "by": "Nguyễn Thị Lan",
                "at": "2025-12-01T10:15:00+07:00",
            }
        ],
    },
)
_NO_VERSION = (
    "No version sent",
    {
        "detail": 'Hãy gửi phiên bản của bản ghi bạn đã đọc ("version" trong nội dung hoặc '
        "tiêu đề If-Match): nếu không, thay đổi của người khác sau lúc đó có thể bị mất."
    },
)


class NormVersionsQuery(Schema):
    scope: Id | None = Field(
        None, description="Only this scope's norms (the nation or a province)."
    )
    code: str | None = Field(None, max_length=40, description="Only this item code.")


class NormIn(InputSchema):
    scope: Id = Field(
        description="The nation (national administrators) or a province (its administrators)."
    )
    code: str = Field(
        min_length=1,
        max_length=40,
        description="Item code: a province's norm of a code replaces the nation's there.",
    )
    item: str = Field(min_length=1, max_length=300)
    measure: NormMeasure
    amount: int = Field(ge=1, le=MAX_AMOUNT, description="Whole đồng.")
    kind: NormKind = NormKind.CEILING
    valid_from: datetime.date
    valid_until: datetime.date | None = Field(None, description="First day it no longer applies.")
    legal_source: str = Field(
        min_length=1, max_length=300, description="Document number, date and issuer, article."
    )
    content_area: Id | None = None
    activity_kind: ActivityKind | None = None


class NormChangeIn(InputSchema):
    version: int | None = Field(None, ge=0, le=2**62, description=VERSION_HELP)
    valid_from: datetime.date = Field(
        description="First day of the new version; the old one is closed the day before."
    )
    amount: int | None = Field(
        None, ge=1, le=MAX_AMOUNT, description="Whole đồng (default: the old version's)."
    )
    kind: NormKind | None = Field(None, description="Default: the old version's.")
    legal_source: str | None = Field(
        None, min_length=1, max_length=300, description="Default: the old version's."
    )


class NormCloseIn(InputSchema):
    version: int | None = Field(None, ge=0, le=2**62, description=VERSION_HELP)
    valid_until: datetime.date = Field(description="First day the norm no longer applies.")


class ApproveIn(InputSchema):
    source: FundSource = Field(description="Where the money comes from (not carried).")
    decision_number: str = Field(min_length=1, max_length=60)
    decision_date: datetime.date
    decision_issuer: str = Field("", max_length=200)


_ANTENATAL = {
    "scope": 1,
    "code": "di-lai-kham-thai",
    "item": "Hỗ trợ đi lại khám thai",
    "measure": "person_visit",
    "amount": 100_000,
    "kind": "fixed",
    "valid_from": "2023-10-01",
    "legal_source": "Thông tư 55/2023/TT-BTC ngày 15/8/2023 của Bộ Tài chính",
}


@router.get(
    "/finance/norms/versions",
    response=answers(list[NormOut], 422),
    url_name="finance_norm_versions",
)
@paginate(Pagination)
def norm_versions(request, query: Query[NormVersionsQuery]):
    """Every version of the norms you read (the nation's, and those of the provinces you work
    in), as the norms page lists them: by scope, code, newest first, each with its validity,
    legal source and ``version`` (to send when changing or closing it)."""
    rows = norms.readable_norms(request.auth).select_related("scope")
    if query.scope is not None:
        rows = rows.filter(scope_id=query.scope)
    if query.code:
        rows = rows.filter(code__iexact=query.code.strip())
    return versions.annotate(rows.order_by("scope__depth", "scope__name", "code", "-valid_from"))


@router.get(
    "/finance/norms/{norm_id}", response=answers(NormOut, 404, 422), url_name="finance_norm"
)
def norm_detail(request, norm_id: Id):
    """One norm version you read, with its ``version``."""
    found = norms.readable_norms(request.auth).select_related("scope").filter(pk=norm_id).first()
    if found is None:
        raise Http404
    return found


@router.post(
    "/finance/norms",
    response=answers({201: NormOut}, 403, 404, 422),
    url_name="finance_norm_create",
    openapi_extra=_openapi(
        _examples(
            fixed=("A nation-wide fixed norm (the id of the nation's unit as scope)", _ANTENATAL),
            ceiling=(
                "A province's own ceiling (its administrators); replaces the nation's norm of "
                "the same code in the province — the figures are an example",
                {
                    "scope": 12,
                    "code": "hoc-vien",
                    "item": "Hỗ trợ tiền ăn học viên",
                    "measure": "person_day",
                    "amount": 150_000,
                    "kind": "ceiling",
                    "valid_from": "2025-01-01",
                    "legal_source": "Nghị quyết số …/NQ-HĐND của HĐND tỉnh, Điều …",
                    "content_area": 3,
                },
            ),
        ),
        _refusals(
            s403=(
                "The scope is not one you set norms for (a nation-wide norm, for "
                "instance, by a province's administrator)",
                _FORBIDDEN[1],
            ),
            s404=("A province whose norms you do not read", _MISSING[1]),
            s422=(
                "Refused by the rules (here: the code already has a norm on these days)",
                {
                    "detail": "Bản ghi không hợp lệ.",
                    "errors": {
                        "valid_from": [
                            "Ở đây đã có định mức mang mã này áp dụng trong các ngày đó; hãy "
                            "kết thúc nó hoặc thay đổi từ một ngày."
                        ]
                    },
                },
            ),
        ),
    ),
)
def norm_create(request, payload: NormIn):
    """Add a norm as its legal document writes it: national administrators for the nation,
    a province's administrators for their province (the scopes the norms page offers). The
    same code cannot have two norms on the same days in one scope: change or close the one in
    force instead."""
    data = payload.dict()
    scope = norms.get_scope_or_404(request.auth, data.pop("scope"))
    area_id = data.pop("content_area")
    norm = SpendingNorm(
        scope=scope,
        **{**data, "code": data["code"].strip(), "activity_kind": data["activity_kind"] or ""},
    )
    if area_id is not None:
        norm.content_area = ContentArea.objects.filter(pk=area_id).first()
        if norm.content_area is None:
            raise HttpError(422, _("No such content area."))
    return Status(201, estimates.save_norm(norm))


@router.post(
    "/finance/norms/{norm_id}/change",
    response=answers({201: NormOut, 409: dict, 428: Message}, 403, 404, 412, 422),
    url_name="finance_norm_change",
    openapi_extra=_openapi(
        _examples(
            change=(
                "From 1/1/2026 the norm is a new version (example figures); the old one is "
                "closed on 31/12/2025",
                {
                    "version": 4301,
                    "valid_from": "2026-01-01",
                    "amount": 120_000,
                    "legal_source": "Thông tư …/2025/TT-BTC, Điều …",
                },
            ),
        ),
        _refusals(
            s403=_FORBIDDEN,
            s404=_MISSING,
            s409=_STALE,
            s428=_NO_VERSION,
            s422=(
                "Refused by the rules (here: an estimate dated after that day uses the old "
                "version)",
                {
                    "detail": "Bản ghi không hợp lệ.",
                    "errors": {"valid_until": ["Có dự toán lập sau ngày đó dùng định mức này."]},
                },
            ),
        ),
    ),
)
def norm_change(request, norm_id: Id, payload: NormChangeIn):
    """Change a norm from a day: a new version (its amount, kind or legal source; the others
    left out keep the old version's), the old one closed the day before, so estimates made
    earlier keep the version they used. Refused when an estimate dated on or after that day
    uses the old version. Send the ``version`` you read: the old version is changed too."""
    norm = norms.get_norm_or_404(request.auth, norm_id)
    sent = expect_version(request, norm, payload)
    valid_from = sent.pop("valid_from")
    changes = {name: value for name, value in sent.items() if value is not None}
    return Status(201, estimates.change_norm(norm, valid_from, **changes))


@router.post(
    "/finance/norms/{norm_id}/close",
    response=answers({200: NormOut, 409: dict, 428: Message}, 403, 404, 412, 422),
    url_name="finance_norm_close",
    openapi_extra=_openapi(
        _examples(
            close=(
                "No longer applies from 1/1/2026",
                {"version": 4301, "valid_until": "2026-01-01"},
            )
        ),
        _refusals(
            s403=_FORBIDDEN,
            s404=_MISSING,
            s409=_STALE,
            s428=_NO_VERSION,
            s422=(
                "Refused by the rules (here: an estimate dated on or after that day uses it)",
                {
                    "detail": "Bản ghi không hợp lệ.",
                    "errors": {"valid_until": ["Có dự toán lập sau ngày đó dùng định mức này."]},
                },
            ),
        ),
    ),
)
def norm_close(request, norm_id: Id, payload: NormCloseIn):
    """Close a norm: it no longer applies from ``valid_until``. Refused before a day an
    estimate used it. Send the ``version`` you read."""
    norm = norms.get_norm_or_404(request.auth, norm_id)
    expect_version(request, norm, payload)
    return estimates.close_norm(norm, payload.valid_until)


@router.delete(
    "/finance/estimates/{estimate_id}/lines/{line_id}",
    response=answers({204: None}, 403, 404, 422),
    url_name="estimate_line_delete",
    openapi_extra=_refusals(
        s403=_FORBIDDEN,
        s404=_MISSING,
        s422=(
            "The estimate is approved",
            {
                "detail": "Bản ghi không hợp lệ.",
                "errors": {"__all__": ["Dự toán đã được phê duyệt: không thể thay đổi các dòng."]},
            },
        ),
    ),
)
def estimate_line_delete(request, estimate_id: Id, line_id: Id):
    """Remove a line from a draft estimate (its unit's editors); an approved estimate's lines
    cannot change."""
    estimate = norms.get_estimate_or_404(request.auth, estimate_id, access.Action.EDIT)
    estimates.remove_line(norms.get_estimate_line_or_404(estimate, line_id))
    return Status(204, None)


@router.post(
    "/finance/estimates/{estimate_id}/approve",
    response=answers(EstimateDetailOut, 403, 404, 422),
    url_name="estimate_approve",
    openapi_extra=_openapi(
        _examples(
            approve=(
                "Approved by a decision: the central programme budget",
                {
                    "source": "central",
                    "decision_number": "125/QĐ-UBND",
                    "decision_date": "2024-02-01",
                    "decision_issuer": "UBND xã Mồ Sì San",
                },
            )
        ),
        _refusals(
            s403=("Not an approver of the estimate's unit", _FORBIDDEN[1]),
            s404=_MISSING,
            s422=(
                "Refused (here: approved already)",
                {
                    "detail": "Bản ghi không hợp lệ.",
                    "errors": {"__all__": ["Dự toán này đã được phê duyệt."]},
                },
            ),
        ),
    ),
)
def estimate_approve(request, estimate_id: Id, payload: ApproveIn):
    """Approve a draft estimate (the unit's approvers and administrators): one budget line per
    content area (its lines summed, so the budget lines add up to the estimate to the đồng),
    from the source given, with the decision; the estimate is then locked. Approving twice and
    an estimate without lines are refused."""
    estimate = norms.get_estimate_or_404(request.auth, estimate_id, access.Action.APPROVE)
    estimates.approve(
        estimate,
        source=payload.source,
        decision_number=payload.decision_number,
        decision_date=payload.decision_date,
        decision_issuer=payload.decision_issuer,
    )
    estimate.refresh_from_db()
    return _detail(estimate)


# Transfers ---------------------------------------------------------------------------------


class TransferOut(Schema):
    id: int
    from_line_id: int
    from_unit_id: int
    to_line_id: int
    to_unit_id: int
    date: datetime.date
    amount: int = Field(description="Whole đồng.")
    voucher: str
    decision_number: str
    decision_date: datetime.date | None
    notes: str

    @staticmethod
    def resolve_from_unit_id(obj) -> int:
        return obj.from_line.unit_id

    @staticmethod
    def resolve_to_unit_id(obj) -> int:
        return obj.to_line.unit_id


class TransferIn(InputSchema):
    from_line: Id = Field(description="The giving unit's budget line.")
    to_unit: Id = Field(description="A unit below the line's unit, existing on the date.")
    date: datetime.date
    amount: int = Field(ge=1, le=MAX_AMOUNT, description="Whole đồng.")
    voucher: str = Field(min_length=1, max_length=100)
    decision_number: str = Field("", max_length=60)
    decision_date: datetime.date | None = None
    notes: str = Field("", max_length=300)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "from_line": 12,
                    "to_unit": 345,
                    "date": "2024-03-15",
                    "amount": 250000000,
                    "voucher": "UNC-15",
                    "decision_number": "120/QĐ-UBND",
                    "decision_date": "2024-03-10",
                }
            ]
        }
    }


@router.get(
    "/finance/transfers",
    response=answers(list[TransferOut], 404, 422),
    url_name="transfers",
)
@paginate(Pagination)
def transfer_list(request, query: Query[FinanceYearQuery]):
    """Money handed down in a year, from or to the lines counted under a unit on the tree
    date."""
    unit = access.get_unit_or_404(request.auth, query.unit)
    lines = BudgetLine.objects.within(unit, on=summary.tree_day(unit, query.year, query.on))
    lines = access.scope_records(request.auth, lines.filter(fiscal_year=query.year))
    visible = lines.values("pk")
    return (
        Transfer.objects.filter(Q(from_line__in=visible) | Q(to_line__in=visible))
        .select_related("from_line", "to_line")
        .order_by("date", "pk")
    )


@router.post(
    "/finance/transfers",
    response=answers({201: TransferOut}, 403, 404, 422),
    url_name="transfer_create",
)
def transfer_create(request, payload: TransferIn):
    """Hand part of a line to a unit below (the line's editors): the unit below receives a
    budget line of the same year, source and content area. More than the line still has, a
    unit outside the line's unit or a day outside the line's window is refused."""
    line = access.get_or_404(
        request.auth,
        BudgetLine.objects.select_related("unit"),
        access.Action.EDIT,
        pk=payload.from_line,
    )
    receiver = access.get_unit_or_404(request.auth, payload.to_unit)
    data = payload.dict(exclude={"from_line", "to_unit"})
    return Status(201, actions.transfer(line, receiver, **data))


@router.delete(
    "/finance/transfers/{transfer_id}",
    response=answers({204: None}, 403, 404, 422),
    url_name="transfer_delete",
)
def transfer_delete(request, transfer_id: Id):
    """Cancel a transfer (the giving unit's editors) while the unit below has neither spent
    nor handed on any of it: its received line goes with it."""
    record = access.get_or_404(
        request.auth,
        Transfer.objects.select_related("from_line__unit"),
        access.Action.EDIT,
        unit_of=lambda found: found.from_line.unit,
        pk=transfer_id,
    )
    actions.cancel_transfer(record)
    return Status(204, None)


# Disbursement checkpoints ------------------------------------------------------------------


class CheckpointOut(Schema):
    id: int | None = Field(description="Empty for the defaults, in force while none is stored.")
    day: int
    month: int
    threshold: int = Field(description="At least this percent disbursed by the day.")


class CheckpointIn(InputSchema):
    day: int = Field(ge=1, le=31)
    month: int = Field(ge=1, le=12)
    threshold: int = Field(ge=1, le=100, description="Percent.")


@router.get("/finance/checkpoints", response=list[CheckpointOut], url_name="finance_checkpoints")
def checkpoint_list(request):
    """The disbursement checkpoints every unit is measured against (by this day of the year,
    at least this share disbursed): those stored, else the defaults (30% by 30/6, 60% by
    30/9). Read by everyone signed in."""
    return summary.checkpoints()


@router.post(
    "/finance/checkpoints",
    response=answers(CheckpointOut, 403, 422),
    url_name="finance_checkpoint_set",
)
def checkpoint_set(request, payload: CheckpointIn):
    """Set the threshold of a day (national administrators): a checkpoint of the same day is
    changed, another one added. Once one is stored, the stored ones replace the defaults."""
    from duan8.finance.forms import CheckpointForm
    from duan8.finance.models import Checkpoint

    access.require_national_admin(request.auth)
    existing = Checkpoint.objects.filter(month=payload.month, day=payload.day).first()
    form = CheckpointForm(payload.dict(), instance=existing)
    if not form.is_valid():
        raise ValidationError({name: list(problems) for name, problems in form.errors.items()})
    return form.save()


@router.delete(
    "/finance/checkpoints/{checkpoint_id}",
    response=answers({204: None}, 403, 404, 422),
    url_name="finance_checkpoint_delete",
)
def checkpoint_delete(request, checkpoint_id: Id):
    """Remove a stored checkpoint (national administrators)."""
    from duan8.finance.models import Checkpoint

    access.require_national_admin(request.auth)
    found = Checkpoint.objects.filter(pk=checkpoint_id).first()
    if found is None:
        raise Http404
    found.delete()
    return Status(204, None)


# Year-end close ----------------------------------------------------------------------------


class CarryOut(Schema):
    line_id: int = Field(description="The line with money left.")
    unit_id: int = Field(description="The line's unit.")
    unspent: int = Field(description="Whole đồng carried over.")
    to_unit_id: int | None = Field(
        description="The unit that holds the money next year; empty: to be named (`to_units`)."
    )

    @staticmethod
    def resolve_line_id(obj) -> int:
        return obj.line.pk

    @staticmethod
    def resolve_unit_id(obj) -> int:
        return obj.line.unit_id

    @staticmethod
    def resolve_to_unit_id(obj) -> int | None:
        return obj.to.pk if obj.to is not None else None


class YearCloseOut(Schema):
    id: int
    unit_id: int
    year: int
    document: str
    reopen_reason: str
    carried_line_ids: list[int] = Field(description="The carried-over lines of the next year.")

    @staticmethod
    def resolve_carried_line_ids(obj) -> list[int]:
        return list(obj.carried_lines.order_by("pk").values_list("pk", flat=True))


class CloseProposalOut(Schema):
    unit_id: int
    year: int
    closed: YearCloseOut | None = Field(description="The close in force, if the year is closed.")
    carry: list[CarryOut] = Field(description="What closing would carry into the next year.")
    lapsing: list[CarryOut] = Field(
        description="Carried-over money whose spending window ends with the year: not carried "
        "again."
    )
    total: int = Field(description="Whole đồng carried over.")
    receivers: list[int] = Field(
        description="Units that may take over the money of abolished units (`to_units`)."
    )


class CloseQuery(Schema):
    unit: Id
    year: int = Year


class Handover(InputSchema):
    unit: Id = Field(description="An abolished unit whose lines have money left.")
    to: Id = Field(description="The unit that takes its money over (one of `receivers`).")


class CloseIn(InputSchema):
    unit: Id
    year: int = Year
    document: str = Field("", max_length=300, description="The decision that closes the year.")
    to_units: list[Handover] = Field(default_factory=list, max_length=1000)


class ReopenIn(InputSchema):
    unit: Id
    year: int = Year
    reason: str = Field(min_length=1, max_length=2000)


def _closing_unit(request, unit_id: int):
    """The page's rule: a year is closed and reopened by the unit's administrators."""
    return access.get_unit_or_404(request.auth, unit_id, access.Action.ADMINISTER)


def _handovers(unit, year: int, sent: list) -> dict:
    allowed = {receiver.pk: receiver for receiver in actions.receivers(unit, year)}
    to_unit = {}
    for handover in sent:
        receiver = allowed.get(handover.to)
        if receiver is None:
            raise ValidationError(
                {
                    "to_units": [
                        _("Unit %(id)d cannot take over money when %(unit)s closes %(year)d.")
                        % {"id": handover.to, "unit": unit.name, "year": year}
                    ]
                }
            )
        to_unit[handover.unit] = receiver
    return to_unit


def _proposal(unit, year: int, to_unit: dict | None = None) -> dict:
    proposal = actions.propose_close(unit, year, to_unit)
    return {
        "unit_id": unit.pk,
        "year": year,
        "closed": proposal.closed,
        "carry": proposal.carry,
        "lapsing": proposal.lapsing,
        "total": proposal.total,
        "receivers": [receiver.pk for receiver in actions.receivers(unit, year)],
    }


@router.get(
    "/finance/close",
    response=answers(CloseProposalOut, 403, 404, 422),
    url_name="finance_close_proposal",
)
def close_proposal(request, query: Query[CloseQuery]):
    """What closing a unit's year would carry into the next year, line by line, as the close
    page proposes it; nothing is stored. The unit's administrators."""
    unit = _closing_unit(request, query.unit)
    return _proposal(unit, query.year)


@router.post(
    "/finance/close",
    response=answers({201: YearCloseOut}, 403, 404, 422),
    url_name="finance_close",
)
def close_year(request, payload: CloseIn):
    """Close a unit's year (its administrators): the unspent money of every line of its
    subtree is carried into the next year as new lines, in one transaction, through the
    page's write. The money of an abolished unit goes to its successor or the closing unit,
    or to the unit named in ``to_units``. A year closed already is refused."""
    unit = _closing_unit(request, payload.unit)
    to_unit = _handovers(unit, payload.year, payload.to_units)
    return Status(201, actions.close(unit, payload.year, payload.document, to_unit))


@router.post(
    "/finance/close/reopen",
    response=answers(YearCloseOut, 403, 404, 422),
    url_name="finance_reopen",
)
def reopen_year(request, payload: ReopenIn):
    """Reopen a closed year with a reason (the unit's administrators): its carried-over lines
    are removed, provided nothing was spent or handed on from them yet."""
    unit = _closing_unit(request, payload.unit)
    return actions.reopen(unit, payload.year, payload.reason)
