"""The tree as of a date, and facts carried across the reform without being rewritten.

A fact stays on the unit it was recorded for. Reading "as of" a date maps each unit to the
unit(s) that stood for it on that date: forward through successions (a 2024 commune to the
2026 commune that absorbed it), backward through them (a 2026 commune to the 2024 communes it
came from), and up the tree as of that date for the totals.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

from duan8.geo import treemap
from duan8.geo.models import AdminUnit, Succession


def map_to_date(
    units: Iterable[AdminUnit], day: datetime.date
) -> dict[int, list[tuple[AdminUnit, Decimal]]]:
    """For each unit, the unit(s) that stand for it on ``day``, with weights adding up to 1
    (the rule is ``geo.treemap``'s; a unit with no link to ``day`` maps to nothing)."""
    tree = treemap.on(day)
    found = {unit.pk: tree.targets(unit.pk) for unit in units}
    everyone = AdminUnit.objects.in_bulk({pk for parts in found.values() for pk, _ in parts})
    return {
        origin: [(everyone[pk], Decimal(weight)) for pk, weight in parts]
        for origin, parts in found.items()
        if parts
    }


def rollup(facts: Mapping[int, int | Decimal], day: datetime.date) -> dict[int, Decimal]:
    """Totals per unit of the tree as of ``day``: each fact counted under the unit that stands
    for its unit on that day and under every ancestor of that unit."""
    tree = treemap.on(day)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for origin, value in facts.items():
        for pk, weight in tree.carry(origin):
            totals[pk] += Decimal(value) * weight
    return dict(totals)


def successors(unit: AdminUnit) -> list[Succession]:
    return list(
        unit.successor_links.select_related("successor").order_by("-is_default", "successor__name")
    )


def predecessors(unit: AdminUnit) -> list[Succession]:
    return list(unit.predecessor_links.select_related("predecessor").order_by("predecessor__name"))


# Records stay in time: a record dated outside its unit's life is refused -----------------


def counterparts_on(unit: AdminUnit, day: datetime.date) -> list[AdminUnit]:
    """The unit(s) on which to record, for ``day``, what ``unit`` would have held.

    The unit itself if it exists that day; for a day after it ended, its successors (the
    default one first); for a day before it began, its predecessors (of its own kind where it
    has any); chains of successions are followed. A village without links of its own follows
    its commune. Empty when no succession leads to ``day``.
    """
    if unit.is_valid_on(day):
        return [unit]
    later = unit.valid_until is not None and day >= unit.valid_until
    frontier, seen = [unit], {unit.pk}
    for _ in range(5):  # successions chain at most a few times
        reached: list[AdminUnit] = []
        for current in frontier:
            if later:
                reached += [link.successor for link in successors(current)]
            else:
                links = [link.predecessor for link in predecessors(current)]
                reached += [u for u in links if u.kind == current.kind] or links
        reached = list({u.pk: u for u in reached if u.pk not in seen}.values())
        seen.update(u.pk for u in reached)
        found = [u for u in reached if u.is_valid_on(day)]
        if found:
            return found
        frontier = [
            u
            for u in reached
            if (later and u.valid_until is not None and day >= u.valid_until)
            or (not later and day < u.valid_from)
        ]
        if not frontier:
            break
    if unit.kind == "village" and unit.parent_id and not unit.successor_links.exists():
        return counterparts_on(unit.parent, day)
    return []


def _named(unit: AdminUnit) -> str:
    """A unit's name, with its commune for a village (villages of merged communes share names)."""
    if unit.kind == "village" and unit.parent_id:
        return f"{unit.name}, {unit.parent.name}"
    return unit.name


def validity_error(unit: AdminUnit, day: datetime.date) -> str | None:
    """Why a record of ``unit`` may not be dated ``day``, in the user's language; None if it
    may. The one rule every dated record follows: the unit must exist on that day, and the
    message names the unit(s) that stand for it then."""
    from django.utils.translation import gettext as _

    if unit.is_valid_on(day):
        return None
    instead = counterparts_on(unit, day)
    values = {
        "unit": _named(unit),
        "day": f"{day:%d/%m/%Y}",
        "instead": ", ".join(map(_named, instead)),
    }
    if unit.valid_until is not None and day >= unit.valid_until:
        values["end"] = f"{unit.valid_until:%d/%m/%Y}"
        if len(instead) == 1:
            text = _(
                "%(unit)s no longer exists from %(end)s; for %(day)s record it on "
                "%(instead)s (successor unit)."
            )
        elif instead:
            text = _(
                "%(unit)s no longer exists from %(end)s; for %(day)s record it on one of its "
                "successor units: %(instead)s."
            )
        else:
            text = _(
                "%(unit)s no longer exists from %(end)s; choose a unit that exists on %(day)s."
            )
    else:
        values["start"] = f"{unit.valid_from:%d/%m/%Y}"
        if len(instead) == 1:
            text = _(
                "%(unit)s exists only from %(start)s; for %(day)s record it on %(instead)s "
                "(the unit before the reorganisation)."
            )
        elif instead:
            text = _(
                "%(unit)s exists only from %(start)s; for %(day)s record it on one of the units "
                "it was formed from: %(instead)s."
            )
        else:
            text = _("%(unit)s exists only from %(start)s; choose a unit that exists on %(day)s.")
    return text % values


def span_validity_error(unit: AdminUnit, start: datetime.date, end: datetime.date) -> str | None:
    """Like ``validity_error`` for a record of a span of days [start, end), such as a figure
    typed for a period: the unit must exist on at least one of those days."""
    if unit.valid_from < end and (unit.valid_until is None or unit.valid_until > start):
        return None
    if unit.valid_until is not None and unit.valid_until <= start:
        return validity_error(unit, start)
    return validity_error(unit, end - datetime.timedelta(days=1))
