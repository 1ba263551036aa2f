"""Pages of the reporting cycle: the reports due under a unit and their completeness, one
unit's report for a period with its way up, and the reporting calendar (regimes)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from duan8.core import access
from duan8.core.shell import current_unit
from duan8.framework import periods
from duan8.geo.models import AdminUnit, UnitKind
from duan8.reporting import cycle
from duan8.reporting.forms import RegimeForm
from duan8.reporting.models import Regime, Submission


def _period_arg(request) -> periods.Period | None:
    code = request.GET.get("period") or request.POST.get("period")
    return _reported_period(code) if code else None


def _reported_period(code: str) -> periods.Period:
    """A period a report can be for (not a phase), or 404."""
    try:
        period = periods.parse(code)
    except ValueError:
        raise Http404 from None
    if period.kind == "phase":
        raise Http404
    return period


def _default_period(unit: AdminUnit, regimes: list[Regime]) -> periods.Period:
    """The period with work in it: the one whose deadline is nearest today (passed ones first)
    among those the unit or the units below it report."""
    today = timezone.localdate()
    kinds = [unit.kind, *cycle.CHILD_LEVELS.get(unit.kind, [])]
    candidates = []
    for kind in kinds:
        for regime, period in cycle.due_periods(kind, today, regimes):
            distance = (regime.deadline(period) - today).days
            candidates.append((abs(distance) if distance < 0 else distance * 2, period))
    if not candidates:
        return periods.of("year", today).previous()
    return min(candidates, key=lambda c: (c[0], c[1].kind != "year"))[1]


@login_required
def cycle_page(request):
    """Báo cáo: the reports due under the unit being looked at, who sent them and when."""
    unit = current_unit(request)
    if unit is None:
        raise Http404
    regimes = list(Regime.objects.select_related("scope"))
    period = _period_arg(request) or _default_period(unit, regimes)
    today = timezone.localdate()
    levels = []
    for kind in cycle.levels_below(unit, period, regimes):
        found = cycle.completeness(unit, period, kind, today)
        levels.append({"kind": kind, "label": UnitKind(kind).label, "completeness": found})
    own = cycle.status_of(unit, period, regimes, today)
    choices = _period_choices(regimes, period)
    return render(
        request,
        "reporting/cycle.html",
        {"unit": unit, "period": period, "levels": levels, "own": own, "choices": choices},
    )


def _period_choices(regimes: list[Regime], chosen: periods.Period) -> list[periods.Period]:
    """The reported periods of the last six years, newest first."""
    today = timezone.localdate()
    found = {chosen}
    for regime in regimes:
        for year in range(today.year - 5, today.year + 1):
            for period in periods.parse(str(year)).parts(regime.period_kind):
                if regime.applies_to(period) and period.start <= today:
                    found.add(period)
    return sorted(found, key=lambda p: (p.end, p.kind == "year"), reverse=True)


def _submission_context(request, unit: AdminUnit, period: periods.Period) -> dict:
    status = cycle.status_of(unit, period)
    submission = status.submission if status else cycle.submission_of(unit, period)
    regime = status.regime if status else None
    approver = cycle.approver_unit(unit, regime)
    versions = list(submission.versions.all()) if submission else []
    steps = list(submission.steps.select_related("actor")) if submission else []
    state = submission.state if submission else Submission.State.DRAFT
    may_submit = cycle.may_submit(request.user, unit) and state in (
        Submission.State.DRAFT,
        Submission.State.RETURNED,
    )
    may_decide = submission is not None and cycle.may_check(request.user, approver)
    comparison = None
    if len(versions) >= 2:
        numbers = {v.number: v for v in versions}
        try:
            first = numbers[int(request.GET.get("from", versions[-2].number))]
            second = numbers[int(request.GET.get("to", versions[-1].number))]
        except (KeyError, ValueError):
            raise Http404 from None
        comparison = {"first": first, "second": second, "rows": cycle.compare(first, second)}
    live = state in (Submission.State.DRAFT, Submission.State.RETURNED) or not versions
    figures = cycle.figures_of(unit, period) if live else versions[-1].figures
    return {
        "unit": unit,
        "period": period,
        "submission": submission,
        "state": state,
        "state_label": Submission.State(state).label,
        "regime": regime,
        "deadline": status.deadline if status else None,
        "update_deadline": regime.update_deadline(period) if regime else None,
        "status": status,
        "approver": approver,
        "versions": versions,
        "steps": steps,
        "figures": figures,
        "live": live,
        "comparison": comparison,
        "may_submit": may_submit,
        "may_approve": may_decide and state == Submission.State.SUBMITTED,
        "may_reopen": may_decide and state == Submission.State.APPROVED,
    }


@login_required
def submission_page(request, pk, code):
    """One unit's report for a period: its figures, its versions and its way up."""
    unit = access.get_unit_or_404(request.user, pk)
    period = _reported_period(code)
    if request.method == "POST":
        return _act(request, unit, period)
    return render(request, "reporting/submission.html", _submission_context(request, unit, period))


def _act(request, unit, period):
    action = request.POST.get("action", "")
    comment = request.POST.get("comment", "")[:2000]
    seen = request.POST.get("seen_state") or None
    here = reverse("reporting:submission", args=[unit.pk, period.code])
    submission = cycle.submission_of(unit, period)
    try:
        if action == "submit":
            cycle.submit(request.user, unit, period, comment, seen_state=seen)
            messages.success(request, _("The report was submitted."))
        elif submission is None or action not in ("approve", "return", "reopen"):
            if not access.can(request.user, access.Action.EDIT, unit) and not cycle.may_approve(
                request.user, unit, period
            ):
                raise PermissionDenied
            messages.error(request, _("There is no submitted report to act on."))
        elif action == "approve":
            cycle.approve(request.user, submission, comment, seen_state=seen)
            messages.success(request, _("The report was approved; its period is locked."))
        elif action == "return":
            cycle.send_back(request.user, submission, comment, seen_state=seen)
            messages.success(request, _("The report was returned with your comment."))
        else:
            cycle.reopen(request.user, submission, comment, seen_state=seen)
            messages.success(request, _("The report was reopened."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(here)


# The reporting calendar --------------------------------------------------------------------


@login_required
def regimes(request):
    """Lịch báo cáo: who reports which period to whom by when, and on what legal basis."""
    rows = cycle.visible_regimes(request.user)
    may_add = cycle.may_add_regime(request.user)
    sample = periods.of("year", timezone.localdate()).previous()
    return render(
        request,
        "reporting/regimes.html",
        {
            "rows": [
                {"regime": r, "editable": cycle.may_edit_regime(request.user, r.scope)}
                for r in rows
            ],
            "may_add": may_add,
            "sample": sample,
        },
    )


@login_required
def regime_form(request, pk=None):
    regime = get_object_or_404(Regime, pk=access.clean_pk(pk)) if pk is not None else None
    if regime is not None:
        if regime.scope.parent_id is not None:  # a province's own calendar: in view or 404
            access.require(request.user, access.Action.VIEW, regime.scope)
        if not cycle.may_edit_regime(request.user, regime.scope):
            raise PermissionDenied
    elif not cycle.may_add_regime(request.user):
        raise PermissionDenied
    form = RegimeForm(request.POST or None, instance=regime, user=request.user)
    if request.method == "POST" and form.is_valid() and form.saved():
        messages.success(request, _("The reporting calendar was saved."))
        return redirect("reporting:regimes")
    return render(request, "reporting/regime_form.html", {"form": form, "regime": regime})
