"""The home page and every unit's dashboard: progress against targets, the units below ranked,
the trend over the phase, the reports due; the same table as a spreadsheet."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from duan8.analytics import dashboard
from duan8.core import access, sheets
from duan8.core.formatting import parse_date
from duan8.core.models import AuditEvent
from duan8.core.shell import current_unit
from duan8.finance import results, summary
from duan8.framework import periods
from duan8.framework.models import Phase
from duan8.geo import paths


def _phase(request) -> Phase | None:
    pk = request.GET.get("phase")
    if pk:
        return get_object_or_404(Phase, pk=access.clean_pk(pk))
    return Phase.current()


def _period(request, phase: Phase, unit) -> periods.Period:
    code = request.GET.get("period")
    if not code:
        return dashboard.working_period(phase, unit)
    try:
        period = periods.parse(code)
    except ValueError:
        raise Http404 from None
    if (
        period.start < phase.start
        or period.end > phase.end
        or period.kind
        not in (
            "year",
            "half",
            "phase",
        )
    ):
        raise Http404
    return period


def _board_context(request, unit, regimes=None) -> dict:
    phase = _phase(request)
    on = None
    if request.GET.get("on"):
        try:
            on = parse_date(request.GET["on"])
        except ValueError:
            on = None
    if phase is None:
        return {"unit": unit, **_money(request.user, unit, None, None, on)}
    period = _period(request, phase, unit)
    board = dashboard.board_for(unit, phase, period, on)
    visible = [c for c in board.children if access.can(request.user, access.Action.VIEW, c.unit)]
    board.children = visible
    choices = [p for p in phase.periods() if p.start <= timezone.localdate()]
    return {
        "unit": unit,
        "board": board,
        "phase": phase,
        "period": period,
        "choices": choices,
        "chart": _chart(board),
        "reports": _reports(unit, period, regimes),
        **_money(request.user, unit, period, phase, on),
    }


def _money(user, unit, period, phase, on) -> dict:
    """The board's money, read once: the slow-disbursement warning and the cost per result
    of the year of its period (else of today's year), as of today or the year's end."""
    year = dashboard.money_year(period)
    rates = summary.rates(unit, year, dashboard.money_as_of(year), on)
    if not rates.total.available:
        return {"slow": None, "costs": None}
    return {
        "slow": dashboard.slow_disbursement(user, rates),
        "costs": results.build(unit, year, phase=phase, rates=rates),
    }


def _chart(board: dashboard.Dashboard) -> dict:
    """What the trend chart draws (the page's table shows the same numbers)."""
    trend = board.trend
    return {
        "labels": trend.labels,
        "elapsed": [float(v) for v in trend.elapsed],
        "series": [
            {
                "label": indicator.name,
                "code": indicator.code,
                "values": [float(v) if v is not None else None for v in values],
            }
            for indicator, values in trend.series
        ],
    }


def _reports(unit, period, regimes=None) -> dict | None:
    """The unit's own report for the period and the completeness of those below it."""
    from duan8.reporting import cycle
    from duan8.reporting.models import Regime

    if period.kind not in ("year", "half"):
        return None
    if regimes is None:
        regimes = list(Regime.objects.select_related("scope"))
    today = timezone.localdate()
    own = cycle.status_of(unit, period, regimes, today)
    levels = [
        (kind, cycle.completeness(unit, period, kind, today, regimes))
        for kind in cycle.levels_below(unit, period, regimes)
    ]
    if own is None and not levels:
        return None
    return {"own": own, "levels": levels}


KIND_ORDER = ["province", "district", "commune", "village"]


def _counts_below(user, unit, day) -> list[dict]:
    """How many units of each kind lie below the unit on ``day``: from the geography held in
    memory when the user sees the whole subtree, else counted within her view."""
    if access.sees_whole_subtree(user, unit):
        from duan8.geo import treemap

        found = treemap.on(day).kind_counts(unit.pk)
    else:
        below = access.scope_units(user).subtree(unit, include_self=False).valid_on(day)
        found = dict(below.values_list("kind").annotate(n=Count("pk")).order_by())
    return [{"kind": k, "n": found[k]} for k in KIND_ORDER if found.get(k)]


@login_required
def home(request):
    """Tổng quan: the dashboard of the unit being looked at, and what the officer must do."""
    from duan8.reporting import cycle
    from duan8.reporting.models import Regime

    unit = current_unit(request)
    context = {"unit": unit}
    if unit is not None:
        regimes = list(Regime.objects.select_related("scope"))
        context.update(_board_context(request, unit, regimes))
        context["reminders"] = cycle.reminders(request.user, limit=100, regimes=regimes)
        day = unit.reference_day()
        context["day"] = day
        context["counts"] = _counts_below(request.user, unit, day)
        if access.can(request.user, access.Action.ADMINISTER, unit):
            # The nation's feed is every event of a unit: no prefix to test (a scan of all).
            events = AuditEvent.objects.filter(unit_path__isnull=False)
            if unit.parent_id is not None:
                events = events.filter(paths.prefix_q("unit_path", unit.path))
            context["recent"] = events.newest_first().select_related("content_type", "unit")[:10]
    return render(request, "analytics/home.html", context)


@login_required
def unit_dashboard(request, pk):
    """The dashboard of any unit in view (click-through from the units ranked below)."""
    unit = access.get_unit_or_404(request.user, pk)
    return render(request, "analytics/dashboard.html", _board_context(request, unit))


@login_required
def dashboard_export(request, pk):
    """The dashboard's tables as a spreadsheet, numbers as numbers."""
    unit = access.get_unit_or_404(request.user, pk)
    context = _board_context(request, unit)
    board = context.get("board")
    if board is None:
        raise Http404
    headers = [
        "Mã",
        "Chỉ tiêu",
        "Đơn vị tính",
        f"Kết quả {board.period.label}",
        f"Chỉ tiêu {board.period.label}",
        "Tỷ lệ (%)",
        f"Lũy kế {board.to_date.code}",
        "Chỉ tiêu giai đoạn",
        "Tỷ lệ giai đoạn (%)",
    ]
    rows = []
    for row in board.rows:
        rows.append(
            [
                row.indicator.code,
                row.indicator.name,
                row.unit_of_measure,
                _num(row.period.value),
                _num(row.period.target),
                _num(row.period_percent),
                _num(row.to_date.value),
                _num(row.phase_target),
                _num(row.phase_percent),
            ]
        )
    rows.append([])
    rows.append(["", "Đơn vị cấp dưới", "", "Tiến độ bình quân (%)", "Chậm tiến độ"])
    for child in board.children:
        rows.append(["", child.unit.name, "", _num(child.progress), "x" if child.lagging else ""])
    rows += _cost_rows(context["costs"])
    name = f"bang-dieu-khien-{unit.code or unit.pk}-{board.period.code}.xlsx"
    return sheets.xlsx_response(headers, rows, name)


def _cost_rows(costs) -> list[list]:
    """The cost per result below the board's tables: money in đồng, costs in whole đồng."""
    if costs is None:
        return []
    rows = [
        [],
        ["", f"Chi phí trên kết quả năm {costs.year}"],
        [
            "Nội dung",
            "Kết quả",
            "Đơn vị tính",
            "Kinh phí đã giải ngân (đồng)",
            "Kết quả đạt được",
            "Chi phí trên một kết quả (đồng)",
        ],
    ]
    for area in costs.areas:
        rows.append([area.code, area.name, "", area.disbursed])
        for result in area.results:
            rows.append(
                [
                    result.code,
                    result.name,
                    result.unit_of_measure,
                    result.disbursed,
                    _num(result.achieved),
                    result.cost,
                ]
            )
    return rows


def _num(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
