"""How indicators are measured, registered by the apps that own the records.

A source app registers a ``Measure`` under a key (``community.communication_team.maintained``);
an indicator's definition names the key; the framework asks the measure for a value for a
unit's subtree and a period without knowing any of the app's tables, and for the address of
the list of records behind the figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from duan8.framework.periods import Period


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    # (unit, period, indicator) → the value over the unit's subtree
    value: Callable[[object, Period, object], Decimal]
    records_url: Callable[[object, Period, object], str] | None = None


_registry: dict[str, Measure] = {}


def register(measure: Measure) -> Measure:
    _registry[measure.key] = measure
    return measure


def get(key: str) -> Measure | None:
    return _registry.get(key)


def choices() -> list[tuple[str, str]]:
    return [("", "—")] + sorted((m.key, str(m.label)) for m in _registry.values())


@dataclass(frozen=True)
class Reading:
    value: Decimal | None
    records_url: str | None


def read(indicator, unit, period: Period) -> Reading:
    """The indicator's value for ``unit`` (its subtree) and ``period``, by the definition in
    force at the start of the period; an empty reading when no measure is registered."""
    version = indicator.version_on(period.start)
    measure = get(version.measure) if version is not None and version.measure else None
    if measure is None:
        return Reading(None, None)
    url = measure.records_url(unit, period, indicator) if measure.records_url else None
    return Reading(measure.value(unit, period, indicator), url)
