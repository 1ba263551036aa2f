"""Spending next to results: for a unit and a year, per content area, the money disbursed in
the year on the area's lines beside what the area's counted indicators achieved in the year,
and the cost of one result (cost per team maintained, per woman trained).

The money is ``summary.rates`` (the one reading path, ``finance.disbursed``); the results are
the indicators' readings for the year (``analytics.reading``) on the same tree. The whole
area's money is divided by each of its results: an area with two indicators shows two costs
of the same money, not a split of it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from duan8.analytics import reading
from duan8.core.formatting import format_amount, format_million_dong, format_number
from duan8.finance import summary
from duan8.framework import measures

# Trainings counted by programme: the people they trained are the programme's
# ``.participants``.
TRAININGS = "activities.training."
COUNT, TRAINED = ".count", ".participants"


@dataclass
class Result:
    key: str  # the indicator's code; with ".participants" for the people its trainings trained
    code: str
    name: str
    unit_of_measure: str
    achieved: Decimal | None
    disbursed: int  # the area's money disbursed in the year, in đồng

    @property
    def cost(self) -> int | None:
        """Đồng per result, rounded half up; none without money or without results."""
        if not self.disbursed or not self.achieved:
            return None
        value = Decimal(self.disbursed) / Decimal(self.achieved)
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def cost_text(self) -> str:
        return format_number(self.cost) if self.cost is not None else "—"

    @property
    def achieved_text(self) -> str:
        return format_amount(self.achieved) if self.achieved is not None else "—"


@dataclass
class AreaResults:
    code: str
    name: str
    disbursed: int
    results: list[Result] = field(default_factory=list)

    @property
    def disbursed_million(self) -> str:
        return format_million_dong(self.disbursed)


@dataclass
class CostPerResult:
    unit: object
    year: int
    as_of: datetime.date
    on: datetime.date
    rates: summary.Rates
    areas: list[AreaResults]


def _phase_of(year: int):
    from duan8.framework.models import Phase

    first = datetime.date(year, 1, 1)
    return Phase.objects.filter(start__lte=first, end__gt=first).first() or Phase.current()


def _counted(phase, day: datetime.date) -> list[tuple[object, object]]:
    """(indicator, its definition on ``day``) for the phase's indicators counted from records
    (registry, activities) and summed: teams, clubs, trainings, people trained."""
    from duan8.framework.models import Aggregation, IndicatorVersion, Source, UnitOfMeasure

    indicators = list(phase.indicators().select_related("content_area"))
    versions = IndicatorVersion.objects.by_indicator_on(indicators, day)
    not_counts = {UnitOfMeasure.PERCENT, UnitOfMeasure.MILLION_DONG}
    found = []
    for indicator in indicators:
        version = versions.get(indicator.pk)
        if (
            version is not None
            and version.measure
            and version.source in (Source.REGISTRY, Source.ACTIVITIES)
            and version.aggregation == Aggregation.SUM
            and version.unit_of_measure not in not_counts
        ):
            found.append((indicator, version))
    return found


def people_trained_key(measure_key: str) -> str | None:
    """The measure of the people trained in the trainings a measure counts, if registered."""
    if not (measure_key.startswith(TRAININGS) and measure_key.endswith(COUNT)):
        return None
    key = measure_key.removesuffix(COUNT) + TRAINED
    return key if measures.get(key) is not None else None


def _results(unit, counted, period, on, disbursed_by_area) -> dict[int, list[Result]]:
    from duan8.framework.models import UnitOfMeasure

    values = reading.read_many([i for i, _v in counted], [unit], period, on, urls=False)
    trained = {v.measure: people_trained_key(v.measure) for _i, v in counted}
    people = reading.measure_values({k for k in trained.values() if k}, unit, period, on)
    found: dict[int, list[Result]] = {}
    for indicator, version in counted:
        money = disbursed_by_area.get(indicator.content_area_id, 0)
        results = found.setdefault(indicator.content_area_id, [])
        value = values[(indicator.pk, unit.pk)].value
        results.append(
            Result(
                indicator.code,
                indicator.code,
                indicator.name,
                version.get_unit_of_measure_display(),
                value,
                money,
            )
        )
        key = trained[version.measure]
        if key is not None:
            name = _("People trained in these trainings")
            person = str(UnitOfMeasure.PERSON.label)
            code = indicator.code
            results.append(Result(code + TRAINED, code, name, person, Decimal(people[key]), money))
    return found


def _areas(phase, rates: summary.Rates, results: dict) -> list[AreaResults]:
    """The areas the unit has money in for the year: the phase's first, in order, then lines
    of other phases' areas and lines without one."""
    money = rates.by_area
    own = list(phase.content_areas.order_by("order", "code")) if phase is not None else []
    found = [
        AreaResults(area.code, area.name, money[area.pk].disbursed, results.get(area.pk, []))
        for area in own
        if area.pk in money
    ]
    known = {area.pk for area in own}
    if set(money) - known:
        for pk, name in rates.areas_by_id():
            if pk not in known:
                name = name if pk else _("No content area")
                found.append(AreaResults("", name, money[pk].disbursed))
    return found


def build(
    unit,
    year: int,
    day: datetime.date | None = None,
    *,
    as_of: datetime.date | None = None,
    phase=None,
    rates: summary.Rates | None = None,
) -> CostPerResult:
    """Cost per result of ``unit`` in ``year`` on the tree of ``day`` (``summary.tree_day``),
    with the money disbursed by ``as_of`` (default: the year's last day). ``rates`` already
    read for the same unit, year, day and day of reading are used as they are."""
    if rates is None:
        rates = summary.rates(unit, year, as_of or datetime.date(year, 12, 31), day)
    phase = phase or _phase_of(year)
    period = summary.year_period(year)
    counted = _counted(phase, period.start) if phase is not None and rates.by_area else []
    disbursed = {pk: rate.disbursed for pk, rate in rates.by_area.items()}
    counted = [(i, v) for i, v in counted if i.content_area_id in disbursed]
    results = _results(unit, counted, period, rates.on, disbursed) if counted else {}
    return CostPerResult(unit, year, rates.as_of, rates.on, rates, _areas(phase, rates, results))
