"""Figures of money, read through the one reading path (``analytics.reading``): the budget
table of a unit for a year, the disbursement rate as of a day next to the share of the year
elapsed, and the units below that lag behind the last checkpoint passed.

Every total is summed in whole đồng and converted to triệu đồng once, when shown: rounding
never loses a đồng.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from duan8.analytics import reading
from duan8.core.formatting import format_million_dong, format_percent
from duan8.finance.measures import AVAILABLE, DISBURSED
from duan8.finance.models import Checkpoint, FundSource, SpendingLevel
from duan8.framework import periods

ONE_DAY = datetime.timedelta(days=1)
# A year's money is read at most this many years after it (carried-over money included).
LATEST_YEARS_AFTER = 10


@dataclass
class Money:
    """An amount in whole đồng, shown in triệu đồng with two decimals (7.588,63)."""

    dong: int = 0

    @property
    def million(self) -> str:
        return format_million_dong(self.dong)

    def __add__(self, other: Money) -> Money:
        return Money(self.dong + other.dong)


@dataclass
class Rate:
    disbursed: int = 0
    available: int = 0

    @property
    def rate(self) -> Decimal | None:
        """Disbursed over available, in percent with two decimals (36,38)."""
        if not self.available:
            return None
        value = Decimal(self.disbursed) * 100 / Decimal(self.available)
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def rate_text(self) -> str:
        return format_percent(self.rate, 2) if self.rate is not None else "—"

    @property
    def remaining(self) -> int:
        return self.available - self.disbursed

    def add(self, disbursed: int = 0, available: int = 0) -> None:
        self.disbursed += disbursed
        self.available += available


def year_period(year: int) -> periods.Period:
    return periods.of("year", datetime.date(year, 1, 1))


def tree_day(unit, year: int, day: datetime.date | None = None) -> datetime.date:
    """The tree the year's money is read on: ``day``, else the year's last day (moved into
    the unit's life: today's province reads 2024 on its first day)."""
    return reading.tree_date(unit, year_period(year), day)


def _spent_span(year: int, as_of: datetime.date) -> periods.Period | None:
    start = datetime.date(year, 1, 1)
    last = min(as_of, datetime.date(year + LATEST_YEARS_AFTER, 12, 31))
    if last < start:
        return None
    return periods.of_phase(start, last + ONE_DAY)


def _of_year(totals: dict, year: int) -> dict:
    return {part: values for part, values in totals.items() if part[0] == year}


def _read(year: int, as_of: datetime.date | None, day: datetime.date, ctx=None):
    ctx = ctx or reading.session()
    available = _of_year(reading.source_totals(AVAILABLE, year_period(year), day, ctx=ctx), year)
    disbursed = {}
    if as_of is not None:
        span = _spent_span(year, as_of)
        if span is not None:
            disbursed = _of_year(reading.source_totals(DISBURSED, span, day, ctx=ctx), year)
    return available, disbursed


@dataclass
class Rates:
    unit: object
    year: int
    as_of: datetime.date
    on: datetime.date
    total: Rate
    elapsed: Decimal
    by_source: dict[str, Rate] = field(default_factory=dict)
    by_level: dict[str, Rate] = field(default_factory=dict)
    by_area: dict[int, Rate] = field(default_factory=dict)

    @property
    def elapsed_text(self) -> str:
        return format_percent(self.elapsed, 2)

    def sources(self) -> list[tuple[str, Rate]]:
        return [(s.label, self.by_source[s]) for s in FundSource if s in self.by_source]

    def levels(self) -> list[tuple[str, Rate]]:
        return [(s.label, self.by_level[s]) for s in SpendingLevel if s in self.by_level]

    def areas_by_id(self) -> list[tuple[int, str]]:
        """(content area id, its name) for each area with money; 0: lines without one."""
        from duan8.framework.models import ContentArea

        names = {a.pk: str(a) for a in ContentArea.objects.filter(pk__in=self.by_area)}
        keys = sorted(self.by_area, key=lambda pk: (pk == 0, pk))
        return [(pk, names.get(pk, "—")) for pk in keys]

    def areas(self) -> list[tuple[str, Rate]]:
        return [(name, self.by_area[pk]) for pk, name in self.areas_by_id()]


def _rates_of(unit_id: int, available: dict, disbursed: dict) -> tuple[Rate, dict, dict, dict]:
    total = Rate()
    by_source, by_level, by_area = defaultdict(Rate), defaultdict(Rate), defaultdict(Rate)
    for facts, kind in ((available, "available"), (disbursed, "disbursed")):
        for (_year, source, level, area), values in facts.items():
            value = int(values.get(unit_id, 0))
            if not value:
                continue
            amounts = {kind: value}
            total.add(**amounts)
            by_source[source].add(**amounts)
            by_level[level].add(**amounts)
            by_area[area].add(**amounts)
    return total, dict(by_source), dict(by_level), dict(by_area)


def rates(unit, year: int, as_of: datetime.date, day: datetime.date | None = None) -> Rates:
    """Disbursed as of ``as_of`` over available (allocated for ``year`` and carried over
    into it), for ``unit`` on the tree of ``day``, with the share of the year elapsed."""
    on = tree_day(unit, year, day)
    available, disbursed = _read(year, as_of, on)
    total, by_source, by_level, by_area = _rates_of(unit.pk, available, disbursed)
    elapsed = Decimal(str(year_period(year).elapsed_share(as_of) * 100)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return Rates(unit, year, as_of, on, total, elapsed, by_source, by_level, by_area)


@dataclass
class TableRow:
    key: str
    label: str
    new: Money
    carried: Money

    @property
    def total(self) -> Money:
        return self.new + self.carried


@dataclass
class BudgetTable:
    """The budget table of a plan: total, new and carried-over money, by spending level."""

    unit: object
    year: int
    on: datetime.date
    total: TableRow
    levels: list[TableRow]
    by_source: list[tuple[str, Money]]


def table(unit, year: int, day: datetime.date | None = None) -> BudgetTable:
    on = tree_day(unit, year, day)
    available, _ = _read(year, None, on)
    new, carried = defaultdict(int), defaultdict(int)
    by_source = defaultdict(int)
    for (_year, source, level, _area), values in available.items():
        value = int(values.get(unit.pk, 0))
        if not value:
            continue
        (carried if source == FundSource.CARRIED else new)[level] += value
        by_source[source] += value
    levels = [
        TableRow(level.value, str(level.label), Money(new[level]), Money(carried[level]))
        for level in SpendingLevel
        if new[level] or carried[level]
    ]
    total = TableRow("total", "", Money(sum(new.values())), Money(sum(carried.values())))
    sources = [(str(s.label), Money(by_source[s])) for s in FundSource if by_source[s]]
    return BudgetTable(unit, year, on, total, levels, sources)


# Used while no checkpoint is stored (the rows a migration ships may have been removed).
DEFAULT_CHECKPOINTS = [(6, 30, 30), (9, 30, 60)]


def checkpoints() -> list[Checkpoint]:
    stored = list(Checkpoint.objects.all())
    if stored:
        return stored
    return [Checkpoint(month=m, day=d, threshold=t) for m, d, t in DEFAULT_CHECKPOINTS]


def last_checkpoint(year: int, as_of: datetime.date) -> tuple[datetime.date, int] | None:
    """The last checkpoint of ``year`` passed on ``as_of`` (its day and threshold)."""
    passed = []
    for checkpoint in checkpoints():
        when = checkpoint.on(year)
        if when is not None and when <= as_of:
            passed.append((when, checkpoint.threshold))
    return max(passed) if passed else None


@dataclass
class Lagging:
    unit: object
    rate: Rate
    threshold: int
    checkpoint: datetime.date


def lagging(unit, year: int, as_of: datetime.date, day: datetime.date | None = None):
    """The units directly below ``unit`` on the tree of ``day`` that hold money for ``year``
    and had disbursed less than the last checkpoint passed on ``as_of`` asks."""
    from duan8.geo.models import AdminUnit, UnitKind

    passed = last_checkpoint(year, as_of)
    if passed is None:
        return []
    checkpoint, threshold = passed
    on = tree_day(unit, year, day)
    available, disbursed = _read(year, as_of, on)
    below = (
        AdminUnit.objects.filter(parent=unit)
        .exclude(kind=UnitKind.VILLAGE)
        .valid_on(on)
        .order_by("name")
    )
    found = []
    for child in below:
        rate = _rates_of(child.pk, available, disbursed)[0]
        if rate.available and rate.rate < threshold:
            found.append(Lagging(child, rate, threshold, checkpoint))
    return found
