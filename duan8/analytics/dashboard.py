"""A unit's dashboard: each indicator achieved against its target for a period and for the
phase to the end of that period, the units below ranked by progress (those behind the share of
time elapsed flagged), the trend over the phase's years, and the reports due. Every number is
read through the one reading path (``analytics.reading``)."""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from duan8.analytics import facts, reading
from duan8.core import access, audit, formatting
from duan8.framework import periods
from duan8.framework.periods import Period

HUNDRED = Decimal(100)
ONE_PLACE = Decimal("0.1")


def percent(value: Decimal | None, target: Decimal | None) -> Decimal | None:
    if value is None or not target:
        return None
    return (Decimal(value) * HUNDRED / Decimal(target)).quantize(ONE_PLACE)


def working_period(phase, unit, today: datetime.date | None = None) -> Period:
    """The period a page opens on: the latest year or half of the phase that has begun and
    holds targets for the unit (own or carried from former units); else the phase if it holds
    some; else the latest year that has begun."""
    today = today or timezone.localdate()
    started = [p for p in phase.periods() if p.kind != "phase" and p.start <= today]
    started.sort(key=lambda p: (p.end, p.kind == "year"), reverse=True)
    for period in [*started, phase.period]:
        if reading.targets_of(unit, period):
            return period
    years = [p for p in started if p.kind == "year"]
    return years[0] if years else phase.period


@dataclass
class IndicatorRow:
    indicator: object
    unit_of_measure: str
    period: reading.Reading
    to_date: reading.Reading
    phase_target: Decimal | None

    @property
    def period_percent(self) -> Decimal | None:
        return percent(self.period.value, self.period.target)

    @property
    def phase_percent(self) -> Decimal | None:
        return percent(self.to_date.value, self.phase_target)

    @property
    def exceeded(self) -> bool:
        return self.phase_percent is not None and self.phase_percent > HUNDRED


@dataclass
class ChildRow:
    unit: object
    cells: list[Decimal | None]  # percent of the phase target, per ranked indicator
    progress: Decimal | None  # the mean of the indicators' percents of the phase target
    lagging: bool

    @cached_property
    def cells_html(self) -> str:
        """The row's percent cells as HTML, made here: a national board ranks 63 provinces on
        a dozen indicators, and a template loop per cell is most of its rendering time."""
        return _percent_cells(self.cells)


def _percent_cells(values) -> str:
    """``<td class="num">84,7%</td>`` per value (numbers only: nothing to escape)."""
    return mark_safe(
        "".join(f'<td class="num">{formatting.format_percent(v, 1)}</td>' for v in values)
    )


@dataclass
class Trend:
    labels: list[str]
    # (indicator, [percent of the phase target achieved by the end of each year])
    series: list[tuple[object, list[Decimal | None]]]
    elapsed: list[Decimal]

    @cached_property
    def rows_html(self) -> list[tuple[object, str]]:
        return [(indicator, _percent_cells(values)) for indicator, values in self.series]

    @cached_property
    def elapsed_html(self) -> str:
        return _percent_cells(self.elapsed)


@dataclass
class Dashboard:
    unit: object
    phase: object
    period: Period
    to_date: Period
    day: datetime.date
    elapsed: Decimal
    rows: list[IndicatorRow] = field(default_factory=list)
    columns: list = field(default_factory=list)  # indicators the units below are ranked on
    children: list[ChildRow] = field(default_factory=list)
    trend: Trend | None = None

    @property
    def lagging(self) -> list[ChildRow]:
        return [c for c in self.children if c.lagging]


def elapsed_share(phase, period: Period) -> Decimal:
    """The share of the phase's time gone by the end of the period, in percent."""
    whole = (phase.end - phase.start).days
    gone = (min(period.end, phase.end) - phase.start).days
    return (Decimal(gone) * HUNDRED / Decimal(whole)).quantize(ONE_PLACE)


def board_for(unit, phase, period: Period, on: datetime.date | None = None) -> Dashboard:
    """``build``'s board, kept in the process cache for the page (unit, phase, period, tree
    date, language of its labels) under the change counters of this request: any audited
    write moves a counter, so a figure saved is on the next board read; until then the pages
    reuse the board instead of reading a thousand values again. One board is kept per page;
    the caller gets its own copy of the lists it may filter (the units below it may see)."""
    key = ("dashboard", unit.pk, phase.pk, period.code, on, translation.get_language())
    version = tuple(sorted(audit.counters().items()))
    held = facts.peek(key)
    if held is None or held[0] != version:
        with facts.key_lock(key):
            held = facts.peek(key)
            if held is None or held[0] != version:
                held = (version, build(unit, phase, period, on))
                facts.keep(key, held)
    board = held[1]
    return dataclasses.replace(board, rows=list(board.rows), children=list(board.children))


def build(unit, phase, period: Period, on: datetime.date | None = None, *, children=True):
    """The dashboard of ``unit`` for ``period`` read on the tree of ``on`` (default: the
    period's last day, moved into the unit's life)."""
    ctx = reading.session()
    day = reading.tree_date(unit, period, on)
    to_date = periods.to_date(phase.period, period)
    board = Dashboard(unit, phase, period, to_date, day, elapsed_share(phase, period))
    indicators = list(phase.indicators().select_related("content_area"))
    below = list(unit.children.valid_on(day).order_by("name", "pk")) if children else []
    in_period = reading.read_many(indicators, [unit], period, day, ctx=ctx)
    so_far = reading.read_many(indicators, [unit], to_date, day, ctx=ctx)
    phase_targets = {
        indicator.pk: reading.target_values(indicator, phase.period, day, ctx=ctx)
        for indicator in indicators
    }
    # The units below are ranked on the indicators some of them have a phase target for:
    # values only (no record addresses).
    below_ids = {child.pk for child in below}
    board.columns = [i for i in indicators if below_ids & phase_targets[i.pk].keys()]
    so_far.update(reading.read_many(board.columns, below, to_date, day, ctx=ctx, urls=False))
    from duan8.framework.models import IndicatorVersion

    versions = IndicatorVersion.objects.by_indicator_on(indicators, period.start)
    for indicator in indicators:
        version = versions.get(indicator.pk)
        board.rows.append(
            IndicatorRow(
                indicator,
                version.get_unit_of_measure_display() if version else "",
                in_period[(indicator.pk, unit.pk)],
                so_far[(indicator.pk, unit.pk)],
                phase_targets[indicator.pk].get(unit.pk),
            )
        )
    for child in below:
        cells = [
            percent(so_far[(i.pk, child.pk)].value, phase_targets[i.pk].get(child.pk))
            for i in board.columns
        ]
        known = [min(p, HUNDRED) for p in cells if p is not None]
        progress = (sum(known) / len(known)).quantize(ONE_PLACE) if known else None
        board.children.append(
            ChildRow(child, cells, progress, progress is not None and progress < board.elapsed)
        )
    board.children.sort(key=lambda c: (c.progress is None, -(c.progress or 0), c.unit.name))
    board.trend = _trend(ctx, board, indicators, phase_targets)
    return board


def _trend(ctx, board: Dashboard, indicators, phase_targets) -> Trend:
    """For each indicator with a phase target: the share of it achieved by the end of each
    year of the phase up to the period, beside the share of time elapsed."""
    with_targets = [i for i in indicators if phase_targets[i.pk].get(board.unit.pk)]
    years = [
        periods.parse(str(year))
        for year in range(board.phase.start.year, board.period.end.year + 1)
        if datetime.date(year, 1, 1) < board.period.end
    ]
    labels, series, elapsed = [], {i.pk: [] for i in with_targets}, []
    for year in years:
        span = periods.to_date(
            board.phase.period, year if year.end <= board.period.end else board.period
        )
        labels.append(span.last_day.strftime("%d/%m/%Y"))
        elapsed.append(elapsed_share(board.phase, span))
        found = reading.read_many(with_targets, [board.unit], span, board.day, ctx=ctx, urls=False)
        for indicator in with_targets:
            series[indicator.pk].append(
                percent(
                    found[(indicator.pk, board.unit.pk)].value,
                    phase_targets[indicator.pk][board.unit.pk],
                )
            )
    return Trend(labels, [(i, series[i.pk]) for i in with_targets], elapsed)


# Money warnings -----------------------------------------------------------------------------


def money_year(period: Period | None, today: datetime.date | None = None) -> int:
    """The year a board's money is read for: its period's when it shows a year or a half,
    else today's."""
    if period is not None and period.kind in ("year", "half"):
        return period.start.year
    return (today or timezone.localdate()).year


def money_as_of(year: int, today: datetime.date | None = None) -> datetime.date:
    """Money of ``year`` is read as of today, or the year's last day once it is over."""
    return min(today or timezone.localdate(), datetime.date(year, 12, 31))


@dataclass
class SlowDisbursement:
    """A unit's disbursement of a year beside the share of the year elapsed, the last
    checkpoint passed and the units directly below under it (those the reader may view)."""

    rates: object  # finance.summary.Rates
    checkpoint: datetime.date | None
    threshold: int | None
    lagging: list

    @property
    def below(self) -> bool:
        """Whether the unit itself is under the checkpoint."""
        rate = self.rates.total.rate
        return self.threshold is not None and rate is not None and rate < self.threshold


def slow_disbursement(user, rates) -> SlowDisbursement | None:
    """The "slow disbursement" block of the unit ``rates`` were read for; none when it has no
    money for the year."""
    from duan8.finance import summary

    if not rates.total.available:
        return None
    passed = summary.last_checkpoint(rates.year, rates.as_of)
    if passed is None:
        return SlowDisbursement(rates, None, None, [])
    found = summary.lagging(rates.unit, rates.year, rates.as_of, rates.on)
    visible = [item for item in found if access.can(user, access.Action.VIEW, item.unit)]
    return SlowDisbursement(rates, passed[0], passed[1], visible)
