"""The reporting cycle over the API: a unit's report for a period and its way up, and the
completeness of the reports owed under a unit."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from duan8.api.common import PERIOD_PATTERN, Id, parse_period
from duan8.api.errors import answers
from duan8.core import access
from duan8.reporting import cycle
from duan8.reporting.models import Submission

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
