"""How indicators are measured, registered by the apps that own the records.

A source app registers a ``FactSource``: one query that returns, for a period, its facts per
unit for every measure it offers (``{part: {unit_id: number}}``), and the models whose change
counters version those facts. Each ``Measure`` names its source and the part it reads
(``community.communication_team.maintained`` reads the part ``("communication_team",
"maintained")`` of the source ``community``). A source whose facts add up over time declares
which parts are states (``stock``); the facts of a span of years are then composed from the
years' facts (``analytics.facts``). The facts are per unit the record was made on,
for the whole country: carrying them across the reform and summing them up a tree is done in
one place, ``duan8.analytics.reading``, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from decimal import Decimal

from duan8.framework.periods import Period

Number = int | Decimal
Facts = dict[Hashable, dict[int, Number]]


@dataclass(frozen=True)
class FactSource:
    name: str
    # the models (``app_label.model``) whose writes change these facts
    models: tuple[str, ...]
    # (period, unit ids or None) → {part: {unit_id: number}} for those units, or the whole
    # country (None)
    fetch: Callable[[Period, list[int] | None], Facts]
    # a unit's own fact is its total: what lies below it is already in it (typed figures)
    counted_once: bool = False
    # When set, the facts of a span (a phase, a phase to date) are composed from those of its
    # years (and the half, quarter or month that ends it) instead of fetched whole: a part for
    # which ``stock(part)`` holds is a state at the period's end (models maintained), taken
    # from the last piece; every other part counts events (models established, activities
    # held) and is summed over the pieces. The pieces are the periods pages read anyway.
    stock: Callable[[Hashable], bool] | None = None
    # For each model whose records count from a date on (``{"activities.activity":
    # "start_on"}``): a record dated ``d`` changes no fact of a period that ends on or before
    # ``d``. Facts kept in memory for such periods then stay as they are after a write,
    # without a query (``analytics.facts``).
    dated_by: dict[str, str] = field(default_factory=dict)

    @property
    def composed(self) -> bool:
        return self.stock is not None


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    source: FactSource
    # the part of the source's facts this measure reads; a callable receives the indicator id
    part: Hashable | Callable[[int], Hashable]
    # (unit, period, indicator, tree date) → the address of the list of records behind it
    records_url: Callable[..., str] | None = None

    def part_for(self, indicator_id: int | None) -> Hashable:
        return self.part(indicator_id) if callable(self.part) else self.part


_registry: dict[str, Measure] = {}


def register(measure: Measure) -> Measure:
    _registry[measure.key] = measure
    return measure


def get(key: str) -> Measure | None:
    return _registry.get(key)


def choices() -> list[tuple[str, str]]:
    return [("", "—")] + sorted((m.key, str(m.label)) for m in _registry.values())
