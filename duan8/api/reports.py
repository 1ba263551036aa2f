"""The reporting cycle over the API: a unit's report for a period and its way up, and the
completeness of the reports owed under a unit."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import Field

from duan8.api.common import PERIOD_PATTERN, VERSION_HELP, Id, expect_version, parse_period
from duan8.api.errors import answers
from duan8.api.schemas import InputSchema, Message
from duan8.core import access, versions
from duan8.reporting import cycle
from duan8.reporting.models import Regime, Submission

router = Router(tags=["reports"])

ACTIONS = {"submit", "approve", "return", "reopen"}


class ReportQuery(Schema):
    unit: Id
    period: str = Field(..., pattern=PERIOD_PATTERN, examples=["2024", "2024-H1"])


class ReportVersionOut(Schema):
    number: int
    submitted_at: datetime.datetime
    submitted_by: str | None
    comment: str
    figures: list[dict]


class StepOut(Schema):
    action: str
    at: datetime.datetime
    actor: str | None
    comment: str
    version: int | None


class ReportOut(Schema):
    unit_id: int
    unit: str
    period: str
    state: str
    deadline: datetime.date | None
    update_deadline: datetime.date | None
    timeliness: str | None
    days: int | None
    approver_unit_id: int | None
    legal_source: str | None
    versions: list[ReportVersionOut]
    steps: list[StepOut]


class ActionIn(Schema):
    action: str = Field(..., description="submit, approve, return or reopen")
    comment: str = Field("", max_length=2000, description="Required to return and to reopen.")
    seen_state: str | None = Field(
        None,
        description="The state the client last saw: the action is refused if the report has "
        "changed since (another officer acted first).",
    )


def _name(user) -> str | None:
    return user.display_name if user is not None else None


def _report(request, unit, period) -> dict:
    status = cycle.status_of(unit, period)
    submission = status.submission if status else cycle.submission_of(unit, period)
    regime = status.regime if status else None
    approver = cycle.approver_unit(unit, regime)
    versions = list(submission.versions.select_related("submitted_by")) if submission else []
    steps = list(submission.steps.select_related("actor")) if submission else []
    return {
        "unit_id": unit.pk,
        "unit": unit.name,
        "period": period.code,
        "state": submission.state if submission else Submission.State.DRAFT,
        "deadline": status.deadline if status else None,
        "update_deadline": regime.update_deadline(period) if regime else None,
        "timeliness": status.timeliness if status else None,
        "days": status.days if status else None,
        "approver_unit_id": approver.pk if approver else None,
        "legal_source": regime.legal_source if regime else None,
        "versions": [
            {
                "number": v.number,
                "submitted_at": v.submitted_at,
                "submitted_by": _name(v.submitted_by),
                "comment": v.comment,
                "figures": v.figures,
            }
            for v in versions
        ],
        "steps": [
            {
                "action": s.action,
                "at": s.at,
                "actor": _name(s.actor),
                "comment": s.comment,
                "version": s.version,
            }
            for s in steps
        ],
    }


def _period(code: str):
    period = parse_period(code)
    if period.kind == "phase":
        raise Http404
    return period


@router.get("/reports", response=answers(ReportOut, 404, 422), url_name="report")
def report(request, query: Query[ReportQuery]):
    """A unit's report for a period: its state, deadline, versions with the figures submitted,
    and every step of its way up."""
    unit = access.get_unit_or_404(request.auth, query.unit)
    return _report(request, unit, _period(query.period))


@router.post(
    "/reports/{unit_id}/{period}",
    response=answers(ReportOut, 403, 404, 422),
    url_name="report_act",
)
def report_act(request, unit_id: Id, period: str, payload: ActionIn):
    """Submit the unit's report (editors of the unit), or approve, return or reopen it (the
    level that checks it). A return needs a comment and a reopening a reason."""
    unit = access.get_unit_or_404(request.auth, unit_id)
    chosen = _period(period)
    user = request.auth
    if payload.action not in ACTIONS:
        raise ValidationError(_("The action is one of: submit, approve, return, reopen."))
    if payload.action == "submit":
        cycle.submit(user, unit, chosen, payload.comment, seen_state=payload.seen_state)
    else:
        submission = cycle.submission_of(unit, chosen)
        if submission is None:
            if not cycle.may_approve(user, unit, chosen):
                raise PermissionDenied
            raise ValidationError(_("There is no submitted report to act on."))
        decide = {"approve": cycle.approve, "return": cycle.send_back, "reopen": cycle.reopen}
        decide[payload.action](user, submission, payload.comment, seen_state=payload.seen_state)
    return _report(request, unit, chosen)


class CompletenessQuery(Schema):
    unit: Id
    period: str = Field(..., pattern=PERIOD_PATTERN)
    level: str = Field(..., pattern=r"^(province|district|commune)$")


class CompletenessRow(Schema):
    unit_id: int
    unit: str
    state: str
    deadline: datetime.date
    submitted_on: datetime.date | None
    timeliness: str
    days: int


class CompletenessOut(Schema):
    period: str
    level: str
    expected: int
    submitted: int
    on_time: int
    percent: float | None
    units: list[CompletenessRow]


@router.get(
    "/reports/completeness",
    response=answers(CompletenessOut, 404, 422),
    url_name="completeness",
)
def completeness(request, query: Query[CompletenessQuery]):
    """Which units of a level under the unit owed a report for the period (the units of the
    period, before or after the 2025 reform), and whether they sent it on time, late or not."""
    unit = access.get_unit_or_404(request.auth, query.unit)
    period = _period(query.period)
    found = cycle.completeness(unit, period, query.level)
    return {
        "period": period.code,
        "level": query.level,
        "expected": found.expected,
        "submitted": found.submitted,
        "on_time": found.on_time,
        "percent": float(found.percent) if found.percent is not None else None,
        "units": [
            {
                "unit_id": row.unit.pk,
                "unit": row.unit.name,
                "state": row.state,
                "deadline": row.deadline,
                "submitted_on": row.submitted_on,
                "timeliness": row.timeliness,
                "days": row.days,
            }
            for row in found.rows
        ],
    }


# Two submitted versions side by side ------------------------------------------------------


class CompareRow(Schema):
    code: str
    name: str | None
    before: str | None = Field(description="The value in the first version (exact, as text).")
    after: str | None = Field(description="The value in the second version.")
    changed: bool


class CompareOut(Schema):
    unit_id: int
    period: str
    first: int
    second: int
    rows: list[CompareRow]


@router.get(
    "/reports/{unit_id}/{period}/compare",
    response=answers(CompareOut, 404, 422),
    url_name="report_compare",
)
def report_compare(
    request,
    unit_id: Id,
    period: str,
    first: int | None = Query(
        None, alias="from", ge=1, le=10_000, description="Default: the version before last."
    ),
    second: int | None = Query(
        None, alias="to", ge=1, le=10_000, description="Default: the last version."
    ),
):
    """Two submitted versions of a report side by side, indicator by indicator, the changes
    marked (as the report's page compares them)."""
    unit = access.get_unit_or_404(request.auth, unit_id)
    chosen = _period(period)
    submission = cycle.submission_of(unit, chosen)
    found = {v.number: v for v in submission.versions.all()} if submission else {}
    if len(found) < 2:
        raise HttpError(404, _("This report has fewer than two submitted versions."))
    numbers = sorted(found)
    first = numbers[-2] if first is None else first
    second = numbers[-1] if second is None else second
    if first not in found or second not in found:
        raise HttpError(404, _("This report has no such version."))
    return {
        "unit_id": unit.pk,
        "period": chosen.code,
        "first": first,
        "second": second,
        "rows": cycle.compare(found[first], found[second]),
    }


# The reporting calendar ---------------------------------------------------------------------


class RegimeOut(Schema):
    id: int
    scope_id: int
    level: str
    reports_to: str
    period_kind: str
    last_in_annual: bool
    due_months: int
    due_day: int
    update_months: int | None
    update_day: int | None
    valid_from: datetime.date
    valid_until: datetime.date | None
    legal_source: str
    editable: bool = Field(description="Whether you may change this row.")
    version: int = Field(description=VERSION_HELP)

    @staticmethod
    def resolve_editable(obj, context) -> bool:
        return cycle.may_edit_regime(context["request"].auth, obj.scope)

    @staticmethod
    def resolve_version(obj) -> int:
        return versions.of_listed(obj)


Level = Literal["commune", "district", "province"]
Receiver = Literal["district", "province", "nation"]
ReportedKind = Literal["month", "quarter", "half", "year"]


class RegimeIn(InputSchema):
    scope: Id = Field(description="The nation, or a province you administer.")
    level: Level = Field(examples=["commune"])
    reports_to: Receiver = Field(examples=["province"])
    period_kind: ReportedKind = Field(examples=["half"])
    last_in_annual: bool = False
    due_months: int = Field(0, ge=0, le=24)
    due_day: int = Field(ge=1, le=31, examples=[10])
    update_months: int | None = Field(None, ge=0, le=24)
    update_day: int | None = Field(None, ge=1, le=31)
    valid_from: datetime.date = Field(examples=["2025-07-01"])
    valid_until: datetime.date | None = None
    legal_source: str = Field(min_length=1, max_length=300, examples=["Quyết định 552/QĐ-BDTTG"])


class RegimePatch(InputSchema):
    version: int | None = Field(None, ge=0, le=2**62, description=VERSION_HELP)
    level: Level | None = None
    reports_to: Receiver | None = None
    period_kind: ReportedKind | None = None
    last_in_annual: bool | None = None
    due_months: int | None = Field(None, ge=0, le=24)
    due_day: int | None = Field(None, ge=1, le=31)
    update_months: int | None = Field(None, ge=0, le=24)
    update_day: int | None = Field(None, ge=1, le=31)
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    legal_source: str | None = Field(None, min_length=1, max_length=300)


def _regime_saved(request, form):
    """The page's form saved, or its messages as a 422 answer."""
    if not form.is_valid():
        raise ValidationError({name: list(problems) for name, problems in form.errors.items()})
    return form.save()


def _form_data(values: dict) -> dict:
    return {
        name: ("" if value is None else value.isoformat() if hasattr(value, "isoformat") else value)
        for name, value in values.items()
    }


@router.get("/regimes", response=list[RegimeOut], url_name="regimes", tags=["reports"])
def regime_list(request):
    """The reporting calendar: which level reports which periods to whom, by when, on what
    legal basis — the nation's rows and those of the provinces you see (a province's own rows
    win over the nation's for its units)."""
    return versions.attach(cycle.visible_regimes(request.auth))


@router.get(
    "/regimes/{regime_id}", response=answers(RegimeOut, 404), url_name="regime", tags=["reports"]
)
def regime_detail(request, regime_id: Id):
    return _regime(request, regime_id)


def _regime(request, regime_id: int) -> Regime:
    regime = Regime.objects.select_related("scope").filter(pk=regime_id).first()
    if regime is None:
        raise Http404
    if regime.scope.parent_id is not None:  # a province's own calendar: in view or 404
        access.require(request.auth, access.Action.VIEW, regime.scope)
    return regime


@router.post(
    "/regimes",
    response=answers({201: RegimeOut}, 403, 404, 422),
    url_name="regime_create",
    tags=["reports"],
)
def regime_create(request, payload: RegimeIn):
    """Add a row to the calendar: national administrators for the nation, a province's
    administrators for their province."""
    from duan8.reporting.forms import RegimeForm

    if not cycle.may_add_regime(request.auth):
        raise PermissionDenied
    form = RegimeForm(_form_data(payload.dict()), user=request.auth)
    return Status(201, _regime_saved(request, form))


@router.patch(
    "/regimes/{regime_id}",
    response=answers({200: RegimeOut, 409: dict, 428: Message}, 403, 404, 412, 422),
    url_name="regime_update",
    tags=["reports"],
)
def regime_update(request, regime_id: Id, payload: RegimePatch):
    """Change a row of the calendar (the fields sent), by those who keep it."""
    from django.forms.models import model_to_dict

    from duan8.reporting.forms import RegimeForm

    regime = _regime(request, regime_id)
    if not cycle.may_edit_regime(request.auth, regime.scope):
        raise PermissionDenied
    sent = expect_version(request, regime, payload)
    data = {**model_to_dict(regime, fields=RegimeForm.Meta.fields), **sent}
    form = RegimeForm(_form_data(data), instance=regime, user=request.auth)
    return _regime_saved(request, form)


# Figures typed for a period -----------------------------------------------------------------


class TypedRow(Schema):
    indicator_id: int
    code: str
    name: str
    breakdowns: list[str]
    total: Decimal | None
    women: Decimal | None
    ethnic_minority: Decimal | None
    comment: str
    below: Decimal | None = Field(
        description="What the units below typed, counted once on the period's tree."
    )
    version: int = Field(description="The figure's version (0: none typed yet).")


class TypedOut(Schema):
    unit_id: int
    phase_id: int
    period: str
    may_edit: bool
    figures: list[TypedRow]


class TypedQuery(Schema):
    unit: Id
    period: str = Field(..., pattern=PERIOD_PATTERN, examples=["2024-H1", "2024"])
    phase: Id | None = Field(None, description="Default: the phase the period lies in.")


class TypedIn(Schema):
    indicator: Id
    total: Decimal | None = Field(
        None, ge=0, max_digits=16, decimal_places=2, description="Empty: delete the figure."
    )
    women: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    ethnic_minority: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    comment: str = Field("", max_length=500)
    version: int | None = Field(
        None,
        ge=0,
        le=2**62,
        description="The version of the figure you read (0 when none was typed): a figure "
        "changed since answers 409. Required.",
    )


class TypedSave(InputSchema):
    unit: Id
    period: str = Field(pattern=PERIOD_PATTERN, examples=["2024-H1"])
    phase: Id | None = None
    figures: list[TypedIn] = Field(
        min_length=1,
        max_length=200,
        examples=[[{"indicator": 21, "total": 120, "women": 80, "version": 0}]],
    )


def _typed_context(request, unit_id: int, code: str, phase_id: int | None):
    from django.shortcuts import get_object_or_404

    from duan8.framework.models import Phase

    unit = access.get_unit_or_404(request.auth, unit_id)
    period = parse_period(code)
    if phase_id is not None:
        phase = get_object_or_404(Phase, pk=phase_id)
    else:
        phase = cycle.phase_of(period)
        if phase is None:
            raise HttpError(404, _("No phase holds this period."))
    if period.start < phase.start or period.end > phase.end:
        raise HttpError(404, _("The period is not within the phase."))
    return unit, phase, period


def _typed_out(request, unit, phase, period) -> dict:
    from duan8.reporting import figures
    from duan8.reporting.models import Figure
    from duan8.reporting.views import _typed_below

    typed = figures.typed_indicators(phase, period)
    own = {f.indicator_id: f for f in Figure.objects.for_period(period).filter(unit=unit)}
    versions.attach(list(own.values()))
    below = _typed_below(unit, period, [indicator for indicator, _v in typed])
    rows = []
    for indicator, version in typed:
        figure = own.get(indicator.pk)
        rows.append(
            {
                "indicator_id": indicator.pk,
                "code": indicator.code,
                "name": indicator.name,
                "breakdowns": version.breakdowns,
                "total": figure.total if figure else None,
                "women": figure.women if figure else None,
                "ethnic_minority": figure.ethnic_minority if figure else None,
                "comment": figure.comment if figure else "",
                "below": below.get(indicator.pk),
                "version": versions.of_listed(figure) if figure else 0,
            }
        )
    return {
        "unit_id": unit.pk,
        "phase_id": phase.pk,
        "period": period.code,
        "may_edit": access.can(request.auth, access.Action.EDIT, unit),
        "figures": rows,
    }


@router.get(
    "/typed-figures",
    response=answers(TypedOut, 404, 422),
    url_name="typed_figures",
    tags=["figures"],
)
def typed_figures(request, query: Query[TypedQuery]):
    """The figures a unit typed for a period, for the indicators of the phase that no
    registry counts (their definition at the start of the period says "typed"), each with
    its breakdowns, comment, version, and what the units below typed."""
    unit, phase, period = _typed_context(request, query.unit, query.period, query.phase)
    return _typed_out(request, unit, phase, period)


@router.patch(
    "/typed-figures",
    response=answers({200: TypedOut, 409: dict, 428: Message}, 403, 404, 422),
    url_name="typed_figures_save",
    tags=["figures"],
)
def typed_figures_save(request, payload: TypedSave):
    """Type, change or (``total`` empty) delete a unit's figures for a period, by those who
    may edit the unit; the indicators not sent are left as they are. Checked as the page
    checks them (breakdowns not above the total; a figure over three times the previous
    period's needs a comment; an approved period is locked): all stored, or none."""
    from duan8.reporting import figures

    unit, phase, period = _typed_context(request, payload.unit, payload.period, payload.phase)
    if not access.can(request.auth, access.Action.EDIT, unit):
        raise PermissionDenied
    typed = {indicator.pk: indicator for indicator, _v in figures.typed_indicators(phase, period)}
    unknown = sorted({f.indicator for f in payload.figures} - typed.keys())
    if unknown:
        raise ValidationError(
            _("These indicators take no typed figures for this period: %(ids)s.")
            % {"ids": ", ".join(str(pk) for pk in unknown)}
        )
    if any(f.version is None for f in payload.figures):
        raise HttpError(
            428,
            _(
                'Send the version of each figure you read ("version", 0 when none was '
                "typed): a change made since then would otherwise be lost."
            ),
        )
    request.sent_values = {}
    entries = [
        figures.Entry(f.indicator, f.total, f.women, f.ethnic_minority, f.comment)
        for f in payload.figures
    ]
    read = {f.indicator: f.version for f in payload.figures}
    figures.save(unit, period, typed, entries, read=read)
    return _typed_out(request, unit, phase, period)
