"""The mapping read once per export or import: data elements both ways, organisation units
both ways (a unit without a row is known by its official code, resolved by the one unit
resolver on the period's date)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from duan8.dhis2.models import DataElementMapping, OrgUnitMapping
from duan8.framework.periods import Period

# What DHIS2 writes for the default category (option) combo: nothing, its name, or the UID
# DHIS2 gives it in every instance created since 2.27.
DEFAULT_COMBO_UID = "HllvX50cXC0"
DEFAULT_COMBOS = frozenset({"", "default", DEFAULT_COMBO_UID})


def combo_key(text: str | None) -> str:
    """A category option combo as the mapping stores it: empty for the default one."""
    text = (text or "").strip()
    return "" if text in DEFAULT_COMBOS else text


@dataclass
class Mapping:
    elements: list[DataElementMapping]
    units: dict[int, OrgUnitMapping]
    by_indicator: dict[int, list[DataElementMapping]] = field(default_factory=dict)
    by_element: dict[tuple[str, str], DataElementMapping] = field(default_factory=dict)
    known_elements: set[str] = field(default_factory=set)
    by_org_unit: dict[str, OrgUnitMapping] = field(default_factory=dict)
    _resolvers: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        grouped = defaultdict(list)
        for row in self.elements:
            grouped[row.indicator_id].append(row)
            self.by_element[(row.data_element, row.category_option_combo)] = row
            self.known_elements.add(row.data_element)
        self.by_indicator = dict(grouped)
        for row in self.units.values():
            if row.org_unit_uid:
                self.by_org_unit[row.org_unit_uid] = row
            if row.org_unit_code:
                self.by_org_unit[row.org_unit_code] = row

    # Units ---------------------------------------------------------------------------------

    def org_unit_of(self, unit) -> str:
        """The unit's organisation unit in an export: the row's UID, else its code, else the
        unit's official code ("" for a village without a row: not exported)."""
        row = self.units.get(unit.pk)
        return row.identifier if row is not None else unit.code

    def unit_for(self, text: str, period: Period | None):
        """The unit an organisation unit UID or code names for ``period`` (None: on any
        date), or None."""
        text = (text or "").strip()
        if not text:
            return None
        row = self.by_org_unit.get(text)
        if row is not None:
            return row.unit
        return self._official(text, period)

    def prepare_codes(self, texts) -> None:
        """Load, in one query, the units whose official code is among ``texts``."""
        from duan8.geo.models import AdminUnit
        from duan8.geo.resolver import Resolver

        codes = sorted({t.strip() for t in texts if t and t.strip()} - self.by_org_unit.keys())
        pool = AdminUnit.objects.filter(code__in=codes).select_related("dhis2_org_unit")
        self._resolvers["official"] = Resolver(pool)

    def _official(self, text: str, period: Period | None):
        resolver = self._resolvers.get("official")
        if resolver is None:
            self.prepare_codes([text])
            resolver = self._resolvers["official"]
        # The record's date picks the tree: the period's last day, else its first.
        for day in (period.last_day, period.start) if period is not None else (None,):
            found = resolver.resolve(text, day)
            unit = found.unit
            if unit is None or unit.code != text:
                continue
            row = self.units.get(unit.pk)
            if row is not None and row.org_unit_code and row.org_unit_code != text:
                return None  # the row gives this unit another code
            return unit
        return None

    # Data elements -------------------------------------------------------------------------

    def element_for(self, data_element: str, combo: str | None) -> DataElementMapping | None:
        return self.by_element.get(((data_element or "").strip(), combo_key(combo)))


def load(*, data_set: str | None = None) -> Mapping:
    """The whole mapping (the elements of one data set when ``data_set`` is given)."""
    elements = DataElementMapping.objects.select_related("indicator")
    if data_set:
        elements = elements.filter(data_set=data_set)
    units = {row.unit_id: row for row in OrgUnitMapping.objects.select_related("unit")}
    return Mapping(list(elements), units)
