"""The one reading path: every figure the product shows or serves, for a unit, a period and a
tree date.

    facts per unit (one query per source and period)           ← measures registered by apps
      → carried to the units of the tree date (geo.treemap)     ← the 2025 reform, read-time
      → summed up that date's tree                              ← every unit at once
      → kept in the process, patched from the audit trail       ← analytics.facts

Pages, the API, exports and documents call ``read``/``read_many``/``totals``/``targets_of``/
``measure_values`` and nothing else. The tree date defaults to the last day of the period, or
the nearest day on which the unit exists (today's Lai Châu reads 2024 on its first day, when
the former province of the same name had just gone into it). Nothing is written when reading:
a saved record raises its model's change counter in the same transaction, and the next request
brings the facts up to date before it reads. See docs/reading.md.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from duan8.analytics import facts
from duan8.core import audit
from duan8.framework import measures
from duan8.framework.measures import FactSource, Measure
from duan8.framework.periods import Period
from duan8.geo import treemap
from duan8.geo.treemap import TreeMap

ONE_DAY = datetime.timedelta(days=1)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Reading:
    """A figure: the value counted from records, the unit's target, where the records are,
    the tree date it was read on, and the former units whose targets were carried into it."""

    value: Decimal | None
    target: Decimal | None = None
    records_url: str | None = None
    on: datetime.date | None = None
    exists: bool = True
    target_from: tuple[int, ...] = field(default=())

    @property
    def percent(self) -> Decimal | None:
        if self.value is None or not self.target:
            return None
        return (self.value * HUNDRED / self.target).quantize(Decimal("0.1"))


def tree_date(unit, period: Period, on: datetime.date | None = None) -> datetime.date:
    """The tree date to read ``period`` on for ``unit``: ``on`` if given; else the period's
    last day, moved into the unit's life if the unit did not exist that day."""
    if on is not None:
        return on
    day = period.end - ONE_DAY
    if unit.valid_from > day:
        return unit.valid_from
    if unit.valid_until is not None and unit.valid_until <= day:
        return unit.valid_until - ONE_DAY
    return day


def forget() -> None:
    """Drop everything computed and the geography held in memory: for tests, whose rolled-back
    transactions can show the same change counter twice, and for a restored database."""
    facts.forget()
    treemap.forget()


class _Context:
    """The change counters read once for a request's readings."""

    def __init__(self, counters: dict[str, tuple] | None = None) -> None:
        self.counters = audit.counters() if counters is None else counters
        self.geo = treemap.geo_version(self.counters)
        # Under one set of counters the answers do not change: asked once per request.
        self._trees: dict[datetime.date, TreeMap] = {}
        self._facts: dict[tuple, facts.Facts] = {}

    def tree(self, day: datetime.date) -> TreeMap:
        found = self._trees.get(day)
        if found is None:
            found = self._trees[day] = treemap.on(day, self.geo)
        return found

    def facts(self, source: FactSource, period: Period) -> facts.Facts:
        key = (source.name, period)
        found = self._facts.get(key)
        if found is None:
            found = self._facts[key] = facts.current(source, period, self.counters)
        return found


def _roll_up(facts: dict[int, object], tree: TreeMap) -> dict[int, object]:
    """Every unit's total on the tree: each fact onto the unit(s) standing for its unit, then
    each unit's total into its parent's, deepest units first (each unit visited once)."""
    totals: dict[int, object] = defaultdict(int)
    single = tree.single_targets()
    for unit_id, value in facts.items():
        target = single.get(unit_id)
        if target is not None:
            totals[target] += value
            continue
        for target, weight in tree.targets(unit_id):
            totals[target] += value if weight == 1 else value * weight
    parent, depth = tree.units.parent, tree.units.depth
    levels: dict[int, list[int]] = defaultdict(list)
    for pk in totals:
        levels[depth[pk]].append(pk)
    for level in range(max(levels, default=0), 0, -1):
        for pk in levels[level]:
            up = parent[pk]
            if up is None:
                continue
            if up not in totals:
                levels[level - 1].append(up)
            totals[up] += totals[pk]
    return dict(totals)


def _roll_up_once(facts: dict[int, object], tree: TreeMap) -> dict[int, object]:
    """Sums up the tree where a unit's own fact is its total: a unit that has one counts it,
    and what lies below it is not added again; above it, its fact stands for its subtree."""
    own: dict[int, object] = defaultdict(int)
    for unit_id, value in facts.items():
        for target, weight in tree.targets(unit_id):
            own[target] += value if weight == 1 else value * weight
    parent_of: dict[int, int] = {}
    depth_of: dict[int, int] = {}
    chains = tree.units.chains()
    for target in own:
        chain = chains[target]
        for depth, pk in enumerate(chain):
            depth_of[pk] = depth
            if depth:
                parent_of[pk] = chain[depth - 1]
    below: dict[int, object] = defaultdict(int)
    totals: dict[int, object] = {}
    for pk in sorted(depth_of, key=depth_of.get, reverse=True):
        totals[pk] = own[pk] if pk in own else below[pk]
        if pk in parent_of:
            below[parent_of[pk]] += totals[pk]
    return totals


def _own(facts: dict[int, object], tree: TreeMap) -> dict[int, object]:
    """Facts carried onto the units standing for their unit, of the same kind, not summed up
    the tree (targets; indicators that do not add up)."""
    kind = tree.units.kind
    totals: dict[int, object] = defaultdict(int)
    sources: dict[int, list[int]] = defaultdict(list)
    for unit_id, value in facts.items():
        for target, weight in tree.targets(unit_id):
            if kind[target] == kind[unit_id]:
                totals[target] += value if weight == 1 else value * weight
                if target != unit_id:
                    sources[target].append(unit_id)
    return {"values": dict(totals), "sources": dict(sources)}


def _measure_totals(ctx: _Context, measure: Measure, part, period: Period, day) -> dict:
    """The measure's totals for every unit of the tree of ``day``: kept per generation of the
    facts, and patched unit by unit when the facts were (a write moves a few ancestors)."""
    tree = ctx.tree(day)
    current = ctx.facts(measure.source, period)
    key = ("totals", measure.source.name, part, period, ctx.geo, tree.units.epoch(day))
    held = facts.peek(key)
    if held is not None and held[0] == current.generation:
        return held[1]
    with facts.key_lock(key):
        held = facts.peek(key)
        if held is not None and held[0] == current.generation:
            return held[1]
        changes = None
        if held is not None and not measure.source.counted_once:
            changes = current.changes_since(held[0])
        if changes is None:
            roll_up = _roll_up_once if measure.source.counted_once else _roll_up
            totals = roll_up(current.parts.get(part, {}), tree)
        else:
            totals = _patched_totals(held[1], [change.get(part, {}) for change in changes], tree)
        facts.keep(key, (current.generation, totals))
        return totals


def _patched_totals(totals: dict, changes: list[dict], tree: TreeMap) -> dict:
    patched = dict(totals)
    for change in changes:
        for unit_id, delta in change.items():
            for ancestor, weight in tree.carry(unit_id):
                add = delta if weight == 1 else delta * weight
                patched[ancestor] = patched.get(ancestor, 0) + add
    return patched


def _fetch_targets(period: Period, units=None):
    from duan8.framework.models import Target

    found: dict[int, dict[int, Decimal]] = defaultdict(dict)
    rows = Target.objects.for_period(period)
    if units is not None:
        rows = rows.filter(unit_id__in=units)
    for indicator_id, unit_id, value, revised in rows.values_list(
        "indicator_id", "unit_id", "value", "revised_value"
    ):
        found[indicator_id][unit_id] = revised if revised is not None else value
    return found


TARGETS = FactSource("targets", ("framework.target",), _fetch_targets)


def _targets(ctx: _Context, indicator_id: int, period: Period, day) -> dict:
    tree = ctx.tree(day)
    current = ctx.facts(TARGETS, period)
    key = ("targets", indicator_id, period, ctx.geo, tree.units.epoch(day))
    held = facts.peek(key)
    if held is None or held[0] != current.generation:
        held = (current.generation, _own(current.parts.get(indicator_id, {}), tree))
        facts.keep(key, held)
    return held[1]


# Reading indicators ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Definition:
    measure: Measure | None
    aggregation: str
    numerator_id: int | None
    denominator_id: int | None


DEFINITIONS = ("framework.indicatorversion",)


def _definitions(ctx: _Context, day: datetime.date) -> dict[int, _Definition]:
    """How every indicator is measured on ``day``, read in one query and cached under the
    change counter of the definitions."""
    from duan8.framework.models import IndicatorVersion

    def load():
        rows = IndicatorVersion.objects.valid_on(day).values_list(
            "indicator_id", "measure", "aggregation", "numerator_id", "denominator_id"
        )
        return {
            pk: _Definition(measures.get(key) if key else None, aggregation, top, bottom)
            for pk, key, aggregation, top, bottom in rows
        }

    version = tuple(ctx.counters.get(label, 0) for label in DEFINITIONS)
    return facts.cached(("definitions", day, version), load)


def _value(ctx: _Context, indicator_id: int, unit_id: int, period: Period, day, depth: int = 0):
    """The indicator's value for one unit of the tree of ``day``, by its definition at the
    start of the period: summed, a ratio of two indicators (in percent), or not added up."""
    from duan8.framework.models import Aggregation

    definition = _definitions(ctx, period.start).get(indicator_id)
    if definition is None or depth > 3:
        return None
    if definition.aggregation == Aggregation.RATIO:
        top = _value(ctx, definition.numerator_id, unit_id, period, day, depth + 1)
        bottom = _value(ctx, definition.denominator_id, unit_id, period, day, depth + 1)
        if top is None or not bottom:
            return None
        return (Decimal(top) * HUNDRED / Decimal(bottom)).quantize(Decimal("0.01"))
    measure = definition.measure
    if measure is None:
        return None
    part = measure.part_for(indicator_id)
    if definition.aggregation == Aggregation.NONE:
        own = ctx.facts(measure.source, period).parts.get(part, {})
        return _own(own, ctx.tree(day))["values"].get(unit_id)
    return Decimal(_measure_totals(ctx, measure, part, period, day).get(unit_id, 0))


def read_many(
    indicators: Iterable,
    units: Iterable,
    period: Period,
    on: datetime.date | None = None,
    *,
    ctx: _Context | None = None,
    urls: bool = True,
) -> dict[tuple[int, int], Reading]:
    """Readings of every indicator for every unit, keyed by (indicator id, unit id); without
    the addresses of their records when ``urls`` is false (rankings, trends)."""
    ctx = ctx or _Context()
    readings = {}
    units = list(units)
    definitions = _definitions(ctx, period.start)
    for indicator in indicators:
        definition = definitions.get(indicator.pk)
        measure = definition.measure if definition is not None else None
        for unit in units:
            day = tree_date(unit, period, on)
            tree = ctx.tree(day)
            if not tree.exists(unit.pk):
                readings[(indicator.pk, unit.pk)] = Reading(None, on=day, exists=False)
                continue
            value = _value(ctx, indicator.pk, unit.pk, period, day)
            carried = _targets(ctx, indicator.pk, period, day)
            target = carried["values"].get(unit.pk)
            url = None
            if urls and measure is not None and measure.records_url is not None:
                url = measure.records_url(unit, period, indicator, day)
            readings[(indicator.pk, unit.pk)] = Reading(
                value=value,
                target=Decimal(target) if target is not None else None,
                records_url=url,
                on=day,
                target_from=tuple(carried["sources"].get(unit.pk, ())),
            )
    return readings


def read(indicator, unit, period: Period, on: datetime.date | None = None) -> Reading:
    """The indicator's value and target for ``unit`` and ``period`` on the tree of ``on``."""
    return read_many([indicator], [unit], period, on)[(indicator.pk, unit.pk)]


def totals(indicator, period: Period, on: datetime.date, *, ctx=None) -> dict[int, Decimal]:
    """The indicator's value for every unit of the tree of ``on`` that has one."""
    ctx = ctx or _Context()
    definition = _definitions(ctx, period.start).get(indicator.pk)
    measure = definition.measure if definition is not None else None
    if measure is None:
        return {}
    raw = _measure_totals(ctx, measure, measure.part_for(indicator.pk), period, on)
    return {pk: Decimal(value) for pk, value in raw.items()}


def target_values(indicator, period: Period, on: datetime.date, *, ctx=None) -> dict:
    """The indicator's target for ``period`` of every unit of the tree of ``on`` that has one,
    own or carried from the former units that stand for it."""
    ctx = ctx or _Context()
    carried = _targets(ctx, indicator.pk, period, on)["values"]
    return {pk: Decimal(value) for pk, value in carried.items()}


def session() -> _Context:
    """One set of change counters for several reads of one page (pass as ``ctx``)."""
    return _Context()


def targets_of(unit, period: Period, on: datetime.date | None = None) -> dict[int, Reading]:
    """The indicators that have a target for ``unit`` on the tree date, own or carried from
    the former units that stand for it: {indicator id: Reading with target and sources}."""
    ctx = _Context()
    day = tree_date(unit, period, on)
    found = {}
    for indicator_id in ctx.facts(TARGETS, period).parts:
        carried = _targets(ctx, indicator_id, period, day)
        if unit.pk in carried["values"]:
            found[indicator_id] = Reading(
                None,
                target=Decimal(carried["values"][unit.pk]),
                on=day,
                target_from=tuple(carried["sources"].get(unit.pk, ())),
            )
    return found


def reach(unit, on: datetime.date) -> tuple[list[str], list[int]]:
    """Where the records counted under ``unit`` on the tree of ``on`` lie (for lists)."""
    return _Context().tree(on).reach(unit.pk)


def requested_day(request) -> datetime.date | None:
    """The tree date a page or endpoint was asked for (``?on=dd/mm/yyyy`` or ISO), if any;
    404 for one that is not a date."""
    return day_asked(request.GET)


def day_asked(query) -> datetime.date | None:
    """``requested_day`` of a query (a page's, or the one a background export keeps)."""
    from django.http import Http404

    from duan8.core.formatting import parse_date

    text = query.get("on", "").strip()
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError:
        raise Http404 from None


def records_day(unit, period: Period | None, on: datetime.date | None) -> datetime.date | None:
    """The tree date a list of records is read on: the one asked for; else the figure's
    (the period's tree date); else today for a unit that exists today, so that its list
    holds the records of the former units it stands for. None: the unit's own records."""
    if on is not None:
        return on
    if period is not None:
        return tree_date(unit, period)
    if unit.valid_until is None:
        from django.utils import timezone

        return max(timezone.localdate(), unit.valid_from)
    return None


def measure_values(keys: Iterable[str], unit, period: Period, on: datetime.date) -> dict:
    """Registered measures' values for ``unit`` on the tree of ``on`` (by each measure's own
    part, for counts that no indicator names), read under one set of change counters."""
    ctx = _Context()
    values = {}
    for key in keys:
        measure = measures.get(key)
        totals = _measure_totals(ctx, measure, measure.part_for(None), period, on)
        values[key] = totals.get(unit.pk, 0)
    return values


def source_totals(
    source: FactSource, period: Period, on: datetime.date, *, ctx: _Context | None = None
) -> dict:
    """Every part of a source's facts for ``period``, carried to the tree of ``on`` and summed
    up it: {part: {unit id: total}} for every unit that has one (for sources read by many
    parts at once, such as the money of a year by source, level and content area)."""
    ctx = ctx or _Context()
    measure = Measure(f"{source.name}.*", "", source, None)
    return {
        part: _measure_totals(ctx, measure, part, period, on)
        for part in ctx.facts(source, period).parts
    }
