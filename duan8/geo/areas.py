"""The project area of a year: proposed from the classifications, edited by the province."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction

from duan8.geo.models import (
    AdminUnit,
    Classification,
    ClassificationKind,
    ProjectAreaEntry,
    UnitKind,
)


def reference_day(year: int) -> datetime.date:
    """The tree a year's project area is drawn on: as it stood on 1 January of that year."""
    return datetime.date(year, 1, 1)


def proposal(root: AdminUnit, year: int) -> list[AdminUnit]:
    """Region-III communes and especially disadvantaged villages (with their communes)."""
    day = reference_day(year)
    units = AdminUnit.objects.subtree(root).valid_on(day)
    classified = Classification.objects.valid_on(day).filter(unit__in=units)
    communes = set(
        classified.filter(kind=ClassificationKind.REGION, value="III").values_list(
            "unit_id", flat=True
        )
    )
    villages = set(
        classified.filter(kind=ClassificationKind.DISADVANTAGED_VILLAGE).values_list(
            "unit_id", flat=True
        )
    )
    communes |= set(AdminUnit.objects.filter(pk__in=villages).values_list("parent_id", flat=True))
    return list(AdminUnit.objects.filter(pk__in=communes | villages).in_tree_order())


@transaction.atomic
def propose(root: AdminUnit, year: int) -> int:
    """Add the proposed units not yet listed; entries already there (kept or removed) stay."""
    listed = set(
        ProjectAreaEntry.objects.filter(
            year=year, unit__in=AdminUnit.objects.subtree(root)
        ).values_list("unit_id", flat=True)
    )
    added = 0
    for unit in proposal(root, year):
        if unit.pk not in listed:
            ProjectAreaEntry.objects.create(
                year=year, unit=unit, origin=ProjectAreaEntry.Origin.PROPOSED
            )
            added += 1
    return added


@dataclass
class CommuneLine:
    commune: AdminUnit
    entry: ProjectAreaEntry | None
    villages: list[ProjectAreaEntry] = field(default_factory=list)

    @property
    def included(self) -> bool:
        return bool(self.entry and self.entry.included) or self.village_count > 0

    @property
    def village_count(self) -> int:
        return sum(1 for v in self.villages if v.included)


@dataclass
class AreaSummary:
    year: int
    lines: list[CommuneLine]

    @property
    def commune_count(self) -> int:
        return sum(1 for line in self.lines if line.included)

    @property
    def village_count(self) -> int:
        return sum(line.village_count for line in self.lines)


def summary(root: AdminUnit, year: int) -> AreaSummary:
    """One line per commune of the area, with its villages: "15 communes, 118 villages"."""
    entries = (
        ProjectAreaEntry.objects.filter(year=year, unit__in=AdminUnit.objects.subtree(root))
        .select_related("unit", "unit__parent")
        .order_by("unit__path")
    )
    lines: dict[int, CommuneLine] = {}
    for entry in entries:
        unit = entry.unit
        if unit.kind == UnitKind.VILLAGE:
            line = lines.setdefault(unit.parent_id, CommuneLine(unit.parent, None))
            line.villages.append(entry)
        else:
            line = lines.setdefault(unit.pk, CommuneLine(unit, None))
            line.entry = entry
    ordered = sorted(lines.values(), key=lambda line: (line.commune.path, line.commune.name))
    return AreaSummary(year, ordered)


def status_of(unit: AdminUnit, year: int) -> ProjectAreaEntry | None:
    return ProjectAreaEntry.objects.filter(year=year, unit=unit).first()
