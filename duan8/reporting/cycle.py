"""The reporting cycle: which unit reports which period to whom by when, the way a report goes
up (draft → submitted → approved, or returned and submitted again; reopened with a reason),
the lock an approval puts on the period's records, and completeness against the units that
existed in the period.

Every step is a write on the audited path; each transition re-reads the submission's state
inside its transaction, so of two approvers acting on the same stale page one wins and the
other is told what happened.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from duan8.core import access
from duan8.framework import periods
from duan8.framework.periods import Period
from duan8.geo import paths
from duan8.geo.models import AdminUnit
from duan8.reporting.models import Regime, Step, Submission, SubmissionVersion

LEVELS = ["village", "commune", "district", "province", "nation"]
# The reporting levels that may lie below a unit of each kind.
CHILD_LEVELS = {
    "nation": ["province"],
    "province": ["district", "commune"],
    "district": ["commune"],
    "commune": [],
}


# Regimes ---------------------------------------------------------------------------------


def _scope_covers(scope: AdminUnit, unit: AdminUnit) -> bool:
    if scope.parent_id is None:
        return True
    if unit.path.startswith(scope.path):
        return True
    # A province that continues a former one (today's Lai Châu) sets the calendar of the
    # former province's units too.
    from duan8.analytics import reading

    prefixes, singles = reading.reach(scope, timezone.localdate())
    return unit.pk in singles or any(unit.path.startswith(p) for p in prefixes)


def visible_regimes(user) -> list[Regime]:
    """The rows of the reporting calendar ``user`` reads: the nation's and those of the
    provinces she sees."""
    return [
        r
        for r in Regime.objects.select_related("scope")
        if access.can(user, access.Action.VIEW, r.scope) or r.scope.parent_id is None
    ]


def may_edit_regime(user, scope: AdminUnit) -> bool:
    """The nation's calendar is kept by national administrators, a province's by its own."""
    if scope.parent_id is None:
        return access.is_national_admin(user)
    return access.can(user, access.Action.ADMINISTER, scope)


def may_add_regime(user) -> bool:
    if access.is_national_admin(user):
        return True
    return access.scope_units(user, access.Action.ADMINISTER).filter(kind="province").exists()


def regime_of(
    unit: AdminUnit, period: Period, regimes: list[Regime] | None = None
) -> Regime | None:
    """The regime under which ``unit`` reports ``period``: the narrowest scope wins."""
    if regimes is None:
        regimes = list(Regime.objects.filter(level=unit.kind).select_related("scope"))
    found = [
        r
        for r in regimes
        if r.level == unit.kind and r.applies_to(period) and _scope_covers(r.scope, unit)
    ]
    return max(found, key=lambda r: r.scope.depth, default=None)


def levels_below(unit: AdminUnit, period: Period, regimes: list[Regime]) -> list[str]:
    """The reporting levels under ``unit`` owing a report for ``period`` (districts until the
    reform, communes; the provinces for the nation)."""
    kinds = CHILD_LEVELS.get(unit.kind, [])
    return [k for k in kinds if any(r.level == k and r.applies_to(period) for r in regimes)]


def due_periods(
    kind: str, day: datetime.date, regimes: list[Regime]
) -> list[tuple[Regime, Period]]:
    """For units of ``kind``, the periods reported under these regimes whose deadline is
    nearest to ``day``: the one in progress (due after it ends) and the last two before it."""
    from duan8.framework import periods

    found = []
    for regime in regimes:
        if regime.level != kind:
            continue
        period, mine = periods.of(regime.period_kind, day), 0
        for _step in range(14):
            if period is None or period.end.year < day.year - 2 or mine >= 3:
                break
            if regime.applies_to(period):
                found.append((regime, period))
                mine += 1
            period = period.previous()
    return found


def approver_unit(
    unit: AdminUnit, regime: Regime | None, ancestors: list[AdminUnit] | None = None
) -> AdminUnit | None:
    """The unit that checks ``unit``'s report: its ancestor of the level the regime names, or,
    where that unit has ended (the districts, the merged provinces), the unit that stands for
    it today, or the next level up that still exists. ``ancestors`` may be given when loaded
    for many units at once."""
    today = timezone.localdate()
    ancestors = {a.kind: a for a in (unit.ancestors() if ancestors is None else ancestors)}
    start = LEVELS.index(regime.reports_to) if regime else LEVELS.index(unit.kind) + 1
    from duan8.geo import timeline

    for kind in LEVELS[start:]:
        above = ancestors.get(kind)
        if above is None:
            continue
        if above.is_valid_on(today):
            return above
        standing = [u for u in timeline.counterparts_on(above, today) if u.kind != "village"]
        if standing:
            return standing[0]
    return None


# Submissions -----------------------------------------------------------------------------


def submission_of(unit: AdminUnit, period: Period) -> Submission | None:
    return Submission.objects.for_period(period).filter(unit=unit).first()


def may_submit(user, unit: AdminUnit) -> bool:
    return access.can(user, access.Action.EDIT, unit)


def may_approve(user, unit: AdminUnit, period: Period) -> bool:
    return may_check(user, approver_unit(unit, regime_of(unit, period)))


def may_check(user, above: AdminUnit | None) -> bool:
    """Whether ``user`` acts for the unit that checks a report (``approver_unit``)."""
    if above is None:
        return access.is_national_admin(user)
    return access.can(user, access.Action.APPROVE, above)


def phase_of(period: Period):
    from duan8.framework.models import Phase

    return (
        Phase.objects.filter(start__lte=period.start, end__gte=period.end)
        .order_by("-start")
        .first()
    )


def figures_of(unit: AdminUnit, period: Period) -> list[dict]:
    """The unit's figures for the period as they stand (measured and typed), read through the
    one reading path: what a submission keeps."""
    from duan8.analytics import reading

    phase = phase_of(period)
    if phase is None:
        return []
    indicators = list(phase.indicators().select_related("content_area"))
    from duan8.framework.models import IndicatorVersion

    readings = reading.read_many(indicators, [unit], period)
    versions = IndicatorVersion.objects.by_indicator_on(indicators, period.start)
    rows = []
    for indicator in indicators:
        found = readings[(indicator.pk, unit.pk)]
        version = versions.get(indicator.pk)
        rows.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "unit": version.get_unit_of_measure_display() if version is not None else "",
                "source": version.source if version is not None else "",
                "value": _plain(found.value),
                "target": _plain(found.target),
                "percent": _plain(found.percent),
            }
        )
    return rows


def _plain(value: Decimal | None) -> str | None:
    """A JSON-safe exact number ("12", "12.5") or None."""
    if value is None:
        return None
    value = Decimal(value)
    return format(
        value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize(), "f"
    )


def _locked_submission(submission: Submission) -> Submission:
    """The submission as stored now, its row held until the transaction ends (PostgreSQL);
    SQLite serialises writers on its own."""
    return Submission.objects.select_for_update().get(pk=submission.pk)


def refuse(message: str) -> None:
    raise ValidationError(message)


def _step(
    submission: Submission, user, action: str, comment: str = "", version=None, at=None
) -> Step:
    step = Step(
        submission=submission,
        action=action,
        actor=user if getattr(user, "is_authenticated", False) else None,
        at=at or timezone.now(),
        comment=comment,
        version=version,
    )
    step.save()
    return step


def _expect(submission: Submission, seen_state: str | None, allowed: tuple[str, ...]) -> None:
    if seen_state is not None and submission.state != seen_state:
        refuse(
            _(
                "This report changed while you were reading it: it is now %(state)s. "
                "Reload the page to see what changed."
            )
            % {"state": submission.get_state_display().lower()}
        )
    if submission.state not in allowed:
        refuse(
            _("This cannot be done to a report that is %(state)s.")
            % {"state": submission.get_state_display().lower()}
        )


def submit(
    user, unit: AdminUnit, period: Period, comment: str = "", seen_state=None, *, at=None
) -> Submission:
    """Send the unit's figures for the period up: a new version with a snapshot of them.
    ``at`` dates a step recorded after the fact (the demo's history); default: now."""
    if not may_submit(user, unit):
        raise PermissionDenied
    if problem := _period_problem(unit, period):
        refuse(problem)
    with transaction.atomic():
        submission = submission_of(unit, period)
        if submission is None:
            submission = Submission(unit=unit)
            submission.period = period
            submission.save()
        submission = _locked_submission(submission)
        _expect(
            submission,
            seen_state,
            (Submission.State.DRAFT, Submission.State.RETURNED),
        )
        now = at or timezone.now()
        number = submission.versions.count() + 1
        SubmissionVersion(
            submission=submission,
            number=number,
            figures=figures_of(unit, period),
            comment=comment.strip(),
            submitted_by=user if getattr(user, "is_authenticated", False) else None,
            submitted_at=now,
        ).save()
        submission.state = Submission.State.SUBMITTED
        submission.first_submitted_at = submission.first_submitted_at or now
        submission.save()
        _step(submission, user, Step.Action.SUBMIT, comment.strip(), number, at=now)
    return submission


def _period_problem(unit: AdminUnit, period: Period) -> str | None:
    if not unit.is_valid_on(period.last_day) and not unit.is_valid_on(period.start):
        return _("%(unit)s did not exist in %(period)s: it has no report for that period.") % {
            "unit": unit.name,
            "period": period.label.lower(),
        }
    if period.start > timezone.localdate():
        return _("A period that has not started cannot be reported.")
    return None


def _decide(
    user, submission: Submission, action: str, comment: str, seen_state, at=None
) -> Submission:
    if not may_approve(user, submission.unit, submission.period):
        raise PermissionDenied
    with transaction.atomic():
        submission = _locked_submission(submission)
        if action == Step.Action.REOPEN:
            _expect(submission, seen_state, (Submission.State.APPROVED,))
            if not comment.strip():
                refuse(_("Say why the approved report is reopened."))
            submission.state = Submission.State.RETURNED
            submission.approved_at = None
        elif action == Step.Action.RETURN:
            _expect(submission, seen_state, (Submission.State.SUBMITTED,))
            if not comment.strip():
                refuse(_("Say what must be fixed before the report can be approved."))
            submission.state = Submission.State.RETURNED
        else:
            _expect(submission, seen_state, (Submission.State.SUBMITTED,))
            submission.state = Submission.State.APPROVED
            submission.approved_at = at or timezone.now()
        submission.save()
        number = submission.versions.count() or None
        _step(submission, user, action, comment.strip(), number, at=at)
    return submission


def approve(user, submission: Submission, comment: str = "", seen_state=None, *, at=None):
    return _decide(user, submission, Step.Action.APPROVE, comment, seen_state, at)


def send_back(user, submission: Submission, comment: str, seen_state=None, *, at=None):
    return _decide(user, submission, Step.Action.RETURN, comment, seen_state, at)


def reopen(user, submission: Submission, reason: str, seen_state=None, *, at=None):
    return _decide(user, submission, Step.Action.REOPEN, reason, seen_state, at)


def compare(first: SubmissionVersion, second: SubmissionVersion) -> list[dict]:
    """Two submitted versions side by side, indicator by indicator, changes marked."""
    before = {row["code"]: row for row in first.figures}
    after = {row["code"]: row for row in second.figures}
    rows = []
    for code in list(before) + [c for c in after if c not in before]:
        old, new = before.get(code, {}), after.get(code, {})
        rows.append(
            {
                "code": code,
                "name": new.get("name") or old.get("name"),
                "before": old.get("value"),
                "after": new.get("value"),
                "changed": old.get("value") != new.get("value"),
            }
        )
    return rows


# Locks -----------------------------------------------------------------------------------


_APPROVED: dict = {"key": object(), "by_unit": {}}


def forget() -> None:
    """Drop the approved periods held in memory (tests, a restored database)."""
    _APPROVED.update(key=object(), by_unit={})


def _approved_periods() -> dict[int, list[tuple]]:
    """Approved periods by unit id, kept in the process until a submission changes (its change
    counter, read once per request): an import of thousands of rows asks once."""
    from duan8.core import audit

    key = audit.counters().get(Submission._meta.label_lower)
    if _APPROVED["key"] != key:
        by_unit: dict[int, list[tuple]] = {}
        rows = Submission.objects.filter(state=Submission.State.APPROVED).values_list(
            "unit_id", "period_kind", "period_start", "period_end"
        )
        for unit_id, kind, start, end in rows:
            by_unit.setdefault(unit_id, []).append((start, end, kind))
        _APPROVED.update(key=key, by_unit=by_unit)
    return _APPROVED["by_unit"]


def approved_lock(items) -> str | None:
    """The lock checker (``duan8.core.locks``): a record of a unit whose own report, or that
    of a unit above it, is approved for a period the record falls in is refused."""
    approved = _approved_periods()
    if not approved:
        return None
    for unit, spans in items:
        for unit_id in paths.ids_in(unit.path):
            for start, end, kind in approved.get(unit_id, ()):
                if any(a < end and b > start for a, b in spans):
                    above = AdminUnit.objects.get(pk=unit_id)
                    return _(
                        "The report of %(unit)s for %(period)s is approved: records of that "
                        "period cannot be changed. Ask the approver to reopen the report, with "
                        "a reason."
                    ) % {"unit": above.name, "period": Period(kind, start, end).label.lower()}
    return None


# Completeness ----------------------------------------------------------------------------


@dataclass
class Status:
    unit: AdminUnit
    regime: Regime
    period: Period
    deadline: datetime.date
    submission: Submission | None
    today: datetime.date

    @property
    def state(self) -> str:
        return self.submission.state if self.submission else "missing"

    @property
    def submitted_on(self) -> datetime.date | None:
        if self.submission is None or self.submission.first_submitted_at is None:
            return None
        return timezone.localtime(self.submission.first_submitted_at).date()

    @property
    def timeliness(self) -> str:
        """on_time, late (submitted after the deadline), overdue (not yet, deadline passed)
        or due (not yet, deadline ahead)."""
        if self.submitted_on is not None:
            return "on_time" if self.submitted_on <= self.deadline else "late"
        return "overdue" if self.today > self.deadline else "due"

    @property
    def days(self) -> int:
        """Days left (due), days late (late, overdue), 0 when on time."""
        if self.timeliness == "due":
            return (self.deadline - self.today).days
        if self.timeliness == "late":
            return (self.submitted_on - self.deadline).days
        if self.timeliness == "overdue":
            return (self.today - self.deadline).days
        return 0


def status_of(
    unit: AdminUnit, period: Period, regimes: list | None = None, today=None
) -> Status | None:
    """The unit's report for the period against its deadline; None when no regime asks it."""
    regime = regime_of(unit, period, regimes)
    if regime is None:
        return None
    today = today or timezone.localdate()
    deadline = regime.deadline(period)
    return Status(unit, regime, period, deadline, submission_of(unit, period), today)


@dataclass
class Completeness:
    period: Period
    rows: list[Status] = field(default_factory=list)

    def count(self, **wanted) -> int:
        return sum(1 for row in self.rows if all(getattr(row, k) == v for k, v in wanted.items()))

    @property
    def expected(self) -> int:
        return len(self.rows)

    @property
    def submitted(self) -> int:
        return sum(1 for row in self.rows if row.submitted_on is not None)

    @property
    def on_time(self) -> int:
        return self.count(timeliness="on_time")

    @property
    def percent(self) -> Decimal | None:
        if not self.rows:
            return None
        return (Decimal(self.submitted) * 100 / len(self.rows)).quantize(Decimal("0.1"))


def expected_units(scope: AdminUnit, kind: str, day: datetime.date):
    """Units of ``kind`` that existed on ``day`` and count under ``scope`` on that day's tree
    (today's Lai Châu expects the communes of the former Lai Châu for 2024)."""
    from duan8.analytics import reading

    units = AdminUnit.objects.filter(kind=kind).valid_on(day)
    if scope.parent_id is None:
        return units
    # Read on the scope's own tree nearest that day: a province formed in 2025 reaches the
    # former units it continues.
    on = day if scope.is_valid_on(day) else reading.tree_date(scope, periods.of("year", day))
    prefixes, singles = reading.reach(scope, on)
    return units.filter(paths.any_prefix_q("path", prefixes) | Q(pk__in=singles))


def completeness(
    scope: AdminUnit, period: Period, kind: str, today=None, regimes: list | None = None
) -> Completeness:
    """Which units of ``kind`` under ``scope`` owed a report for ``period`` (the units of the
    period, not today's), and whether they sent it on time, late or not yet."""
    today = today or timezone.localdate()
    result = Completeness(period)
    if regimes is None:
        regimes = list(Regime.objects.select_related("scope"))
    regimes = [r for r in regimes if r.level == kind]
    if not any(r.applies_to(period) for r in regimes):
        return result
    units = list(expected_units(scope, kind, period.last_day).order_by("path"))
    submissions = {
        s.unit_id: s
        for s in Submission.objects.for_period(period).filter(unit_id__in=[u.pk for u in units])
    }
    national = [r for r in regimes if r.scope.parent_id is None and r.applies_to(period)]
    provincial = [r for r in regimes if r.scope.parent_id is not None and r.applies_to(period)]
    for unit in units:
        regime = None
        if provincial:
            regime = regime_of(unit, period, provincial)
        regime = regime or max(national, key=lambda r: r.valid_from, default=None)
        if regime is None:
            continue
        result.rows.append(
            Status(unit, regime, period, regime.deadline(period), submissions.get(unit.pk), today)
        )
    return result


# Reminders ---------------------------------------------------------------------------------

REMIND_AHEAD = 30  # days before a deadline the report shows on the home page
REMIND_BEHIND = 400  # an overdue report is shown for about a year


@dataclass
class Reminder:
    kind: str  # due, overdue, returned, to_approve
    unit: AdminUnit
    period: Period
    deadline: datetime.date | None = None
    days: int = 0
    comment: str = ""


def reminders(
    user, today: datetime.date | None = None, limit: int = 20, regimes: list | None = None
) -> list[Reminder]:
    """What the user must act on: reports of their units due soon or overdue, reports returned
    to them, and reports of the units below waiting for their approval."""
    from duan8.accounts.models import ROLE_RANK, Membership

    today = today or timezone.localdate()
    found: list[Reminder] = []
    if regimes is None:
        regimes = list(Regime.objects.select_related("scope"))
    held = Membership.objects.filter(user=user).select_related("unit")
    own_units = [
        m.unit
        for m in held
        if ROLE_RANK[m.role] >= access.Action.EDIT and m.unit.is_valid_on(today)
    ]
    for unit in own_units:
        for regime, period in due_periods(unit.kind, today, regimes):
            if regime_of(unit, period, regimes) is not regime:
                continue
            deadline = regime.deadline(period)
            days = (deadline - today).days
            if days > REMIND_AHEAD or -days > REMIND_BEHIND:
                continue
            submission = submission_of(unit, period)
            if submission is not None and submission.state != Submission.State.DRAFT:
                continue
            kind = "due" if days >= 0 else "overdue"
            found.append(Reminder(kind, unit, period, deadline, abs(days)))
    returned = Submission.objects.filter(
        state=Submission.State.RETURNED, unit__in=own_units
    ).select_related("unit")
    for submission in returned:
        last = submission.steps.order_by("-at", "-pk").first()
        found.append(
            Reminder(
                "returned",
                submission.unit,
                submission.period,
                comment=last.comment if last else "",
            )
        )
    # Reports waiting for this officer: those whose checking unit is one she holds a role
    # on (the nation for national administrators), not every report she could approve.
    checking = {m.unit_id for m in held if ROLE_RANK[m.role] >= access.Action.APPROVE}
    if access.is_national_admin(user):
        checking.add(
            AdminUnit.objects.filter(parent__isnull=True).values_list("pk", flat=True).first()
        )
    waiting = access.scope_records(
        user,
        Submission.objects.filter(state=Submission.State.SUBMITTED).select_related("unit"),
        access.Action.APPROVE,
    )
    waiting = list(waiting.order_by("first_submitted_at")[: limit * 5])
    above_ids = {pk for s in waiting for pk in paths.ids_in(s.unit.path)[:-1]}
    loaded = AdminUnit.objects.in_bulk(above_ids)
    for submission in waiting:
        regime = regime_of(submission.unit, submission.period, regimes)
        chain = [loaded[pk] for pk in paths.ids_in(submission.unit.path)[:-1] if pk in loaded]
        above = approver_unit(submission.unit, regime, chain)
        if above is not None and above.pk in checking:
            found.append(Reminder("to_approve", submission.unit, submission.period))
    order = {"overdue": 0, "returned": 1, "to_approve": 2, "due": 3}
    found.sort(key=lambda r: (order[r.kind], r.deadline or today))
    return found[:limit]
