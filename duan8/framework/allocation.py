"""Cutting a unit's target down to the units below it, with the sum checks officers do by hand.

For an indicator and a period the unit's target (revised if revised) is split into a part it
carries out itself (``kept``) and the targets of its children; what is left is "not yet
allocated", and a negative remainder is an over-allocation, which the allocator must confirm
with a reason. The children are those in force at the start of the period: districts in
2024, communes directly under the province after 1/7/2025.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from duan8.core import sheets
from duan8.core.formatting import format_amount, parse_amount
from duan8.framework.models import Aggregation, Indicator, Phase, Target
from duan8.framework.periods import Period
from duan8.geo import resolver
from duan8.geo.models import AdminUnit, UnitKind


def children(unit: AdminUnit, period: Period):
    qs = AdminUnit.objects.filter(parent=unit).valid_on(period.start)
    if unit.kind != UnitKind.COMMUNE:
        qs = qs.exclude(kind=UnitKind.VILLAGE)
    return qs.order_by("short_name", "pk")


@dataclass
class Column:
    indicator: Indicator
    target: Target | None
    allocated: Decimal = Decimal(0)
    additive: bool = True  # a ratio or a non-additive figure has no remainder to check

    @property
    def total(self) -> Decimal | None:
        return self.target.effective if self.target else None

    @property
    def kept(self) -> Decimal:
        return self.target.kept if self.target else Decimal(0)

    @property
    def remainder(self) -> Decimal | None:
        """Not yet allocated (positive) or over-allocated (negative); None without a target
        or for an indicator that does not add up across units."""
        if self.total is None or not self.additive:
            return None
        return self.total - self.kept - self.allocated

    @property
    def over(self) -> bool:
        return self.remainder is not None and self.remainder < 0


@dataclass
class Grid:
    unit: AdminUnit
    period: Period
    indicators: list[Indicator]
    children: list[AdminUnit]
    columns: list[Column]
    cells: dict[tuple[int, int], Target] = field(default_factory=dict)

    def value(self, child: AdminUnit, indicator: Indicator) -> Decimal | None:
        target = self.cells.get((child.pk, indicator.pk))
        return target.effective if target else None

    def rows(self):
        for child in self.children:
            yield child, [(column, self.value(child, column.indicator)) for column in self.columns]

    def form_rows(self, typed=None, refreshed=None):
        """Rows for the grid form: (child, [(column, text, input name, value read)]); what the
        user typed is shown again when the form comes back (errors, an over-allocation to
        confirm), with the value each cell had when the grid was opened — except the cells in
        ``refreshed`` (changed meanwhile by someone else: input name → the value stored now),
        which carry that value."""
        from duan8.core.formatting import format_amount

        typed, refreshed = typed or {}, refreshed or {}
        for child in self.children:
            cells = []
            for column in self.columns:
                name = f"c-{child.pk}-{column.indicator.pk}"
                stored = format_amount(self.value(child, column.indicator))
                read = refreshed[name] if name in refreshed else typed.get(f"o-{name}", stored)
                cells.append((column, typed.get(name, stored), name, read))
            yield child, cells

    def kept_cells(self, typed=None, refreshed=None):
        from duan8.core.formatting import format_amount

        typed, refreshed = typed or {}, refreshed or {}
        for column in self.columns:
            name = f"k-{column.indicator.pk}"
            stored = format_amount(column.kept)
            read = refreshed[name] if name in refreshed else typed.get(f"o-{name}", stored)
            yield column, typed.get(name, stored), name, read

    @property
    def over_columns(self) -> list[Column]:
        return [c for c in self.columns if c.over]

    @property
    def fully_allocated(self) -> bool:
        return all(c.remainder in (None, Decimal(0)) for c in self.columns)


def indicators_of(phase: Phase) -> list[Indicator]:
    return list(Indicator.objects.filter(content_area__phase=phase).select_related("content_area"))


def grid(unit: AdminUnit, phase: Phase, period: Period, indicators=None) -> Grid:
    indicators = indicators if indicators is not None else indicators_of(phase)
    kids = list(children(unit, period))
    own = {t.indicator_id: t for t in Target.objects.for_period(period).filter(unit=unit)}
    cells = {
        (t.unit_id, t.indicator_id): t
        for t in Target.objects.for_period(period).filter(unit__in=kids, indicator__in=indicators)
    }
    columns = []
    for indicator in indicators:
        version = indicator.version_on(period.start)
        additive = version is None or version.aggregation == Aggregation.SUM
        column = Column(indicator, own.get(indicator.pk), additive=additive)
        column.allocated = sum(
            (t.effective for (child, ind), t in cells.items() if ind == indicator.pk), Decimal(0)
        )
        columns.append(column)
    return Grid(unit, period, indicators, kids, columns, cells)


@dataclass
class StaleCell:
    """A cell the officer changed that someone else changed after the grid was opened."""

    name: str  # the cell's input name
    unit: AdminUnit | None  # None for the part kept by the unit itself
    indicator: Indicator
    yours: Decimal | None
    read: Decimal | None
    stored: Decimal | None
    by: str


class StaleCells(Exception):
    def __init__(self, cells: list[StaleCell]):
        super().__init__(", ".join(c.name for c in cells))
        self.cells = cells

    def messages(self) -> list[str]:
        from duan8.core.formatting import format_amount

        return [
            _(
                "%(unit)s, %(code)s: %(who)s saved %(stored)s after you opened the grid "
                "(you read %(read)s, you typed %(yours)s)."
            )
            % {
                "unit": cell.unit.name if cell.unit else _("Carried out at this level"),
                "code": cell.indicator.code,
                "who": cell.by,
                "stored": format_amount(cell.stored) or "∅",
                "read": format_amount(cell.read) or "∅",
                "yours": format_amount(cell.yours) or "∅",
            }
            for cell in self.cells
        ]


def _changed_by(target: Target | None) -> str:
    from duan8.core.models import AuditEvent

    if target is None:  # removed: by whom is in the unit's history
        return _("someone else")
    event = AuditEvent.objects.for_object(target).order_by("-pk").first()
    return event.actor_label if event else _("someone else")


def _stale_cells(unit, period, indicators, children_by_id, values, kept, read, read_kept):
    """The cells changed by the officer whose stored value is no longer the one read."""
    stale = []
    own = {t.indicator_id: t for t in Target.objects.for_period(period).filter(unit=unit)}
    below = {
        (t.unit_id, t.indicator_id): t
        for t in Target.objects.for_period(period).filter(
            unit_id__in=[c for c, _i in read], indicator_id__in=[i for _c, i in read]
        )
    }
    for cell, was in read.items():
        target = below.get(cell)
        stored = target.effective if target is not None else None
        if stored != was:
            child_id, indicator_id = cell
            stale.append(
                StaleCell(
                    f"c-{child_id}-{indicator_id}",
                    children_by_id[child_id],
                    indicators[indicator_id],
                    values.get(cell),
                    was,
                    stored,
                    _changed_by(target),
                )
            )
    for indicator_id, was in read_kept.items():
        target = own.get(indicator_id)
        stored = target.kept if target is not None else None
        if stored != was:
            stale.append(
                StaleCell(
                    f"k-{indicator_id}",
                    None,
                    indicators[indicator_id],
                    kept.get(indicator_id),
                    was,
                    stored,
                    _changed_by(target),
                )
            )
    return stale


class OverAllocation(Exception):
    def __init__(self, columns: list[Column]):
        super().__init__(", ".join(c.indicator.code for c in columns))
        self.columns = columns


@transaction.atomic
def save(
    unit: AdminUnit,
    phase: Phase,
    period: Period,
    values: dict[tuple[int, int], Decimal | None],
    *,
    kept: dict[int, Decimal] | None = None,
    reason: str = "",
    document: dict | None = None,
    read: dict[tuple[int, int], Decimal | None] | None = None,
    read_kept: dict[int, Decimal | None] | None = None,
) -> Grid:
    """Store children's targets (and the kept parts); refuse an unconfirmed over-allocation.

    ``values`` maps (child id, indicator id) to a number, or None to remove the child's
    target. An over-allocation is stored only with a ``reason``, recorded on the unit's target.
    ``read`` (and ``read_kept``) give, for cells changed by the officer, the value they had when
    the grid was opened: if one is stored differently now, someone else changed it meanwhile
    and nothing is stored (``StaleCells``). Everything is written in one transaction, or
    nothing.
    """
    document = document or {}
    allowed_children = {c.pk: c for c in children(unit, period)}
    indicators = {i.pk: i for i in indicators_of(phase)}
    # Writers of the same unit's grid (page, sheet or API) take turns: what is read below
    # stays as read until this transaction ends.
    AdminUnit.objects.select_for_update().filter(pk=unit.pk).first()
    if read or read_kept:
        cells = [*(read or {}), *((None, i) for i in read_kept or {})]
        if any(
            (c is not None and c not in allowed_children) or i not in indicators for c, i in cells
        ):
            raise ValueError("cell outside the grid")
        stale = _stale_cells(
            unit,
            period,
            indicators,
            allowed_children,
            values,
            kept or {},
            read or {},
            read_kept or {},
        )
        if stale:
            raise StaleCells(stale)
    before = {c.indicator.pk: c.remainder for c in grid(unit, phase, period).columns}
    problems = []
    for (child_id, indicator_id), value in values.items():
        if child_id not in allowed_children or indicator_id not in indicators:
            raise ValueError("cell outside the grid")
        existing = (
            Target.objects.for_period(period)
            .filter(unit_id=child_id, indicator_id=indicator_id)
            .first()
        )
        passed_on = _passed_on(allowed_children[child_id], indicator_id, period)
        if passed_on and (value is None or value < passed_on):
            problems.append(
                _(
                    "%(unit)s has already allocated %(n)s of %(code)s to the units below it; "
                    "lower those first."
                )
                % {
                    "unit": allowed_children[child_id].name,
                    "n": format_amount(passed_on),
                    "code": indicators[indicator_id].code,
                }
            )
            continue
        if value is None:
            if existing is not None:
                existing.delete()
            continue
        if existing is None:
            target = Target(indicator_id=indicator_id, unit_id=child_id, value=value, **document)
            target.period = period
            target.save()
        elif existing.effective != value:
            existing.revised_value = value
            existing.save()
    if problems:
        raise AllocationRefused(problems)
    for indicator_id, part in (kept or {}).items():
        target = (
            Target.objects.for_period(period).filter(unit=unit, indicator_id=indicator_id).first()
        )
        if target is not None and target.kept != part:
            target.kept = part
            target.save()
    result = grid(unit, phase, period)
    worse = [
        c
        for c in result.over_columns
        if before.get(c.indicator.pk) is None or c.remainder < before[c.indicator.pk]
    ]
    if worse and not reason.strip():
        raise OverAllocation(worse)
    for column in result.columns:
        target = column.target
        if target is None:
            continue
        wanted = (
            reason.strip()[:300]
            if column in worse
            else (target.over_allocation_reason if column.over else "")
        )
        if target.over_allocation_reason != wanted:
            target.over_allocation_reason = wanted
            target.save()
    return result


class AllocationRefused(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def _passed_on(child: AdminUnit, indicator_id: int, period: Period) -> Decimal:
    """What ``child`` has itself allocated further down for the indicator and period."""
    below = children(child, period)
    targets = Target.objects.for_period(period).filter(unit__in=below, indicator_id=indicator_id)
    return sum((t.effective for t in targets), Decimal(0))


UNIT_HEADER = "Đơn vị"


def export_rows(result: Grid) -> tuple[list[str], list[list]]:
    headers = [UNIT_HEADER, "Mã"] + [i.code for i in result.indicators]
    rows = [
        [child.name, child.code, *[float(v) if v is not None else None for _, v in values]]
        for child, values in result.rows()
    ]
    return headers, rows


def columns(indicators) -> list[sheets.Column]:
    """An allocation sheet's columns: the unit below, its code, one column per indicator."""
    from django.utils.translation import gettext_lazy

    return [
        sheets.Column(
            "unit",
            UNIT_HEADER,
            aliases=("Unit", "Xã", "Huyện"),
            help=gettext_lazy("A unit directly below, by its name (the rows are filled in)."),
        ),
        sheets.Column(
            "code",
            "Mã",
            required=False,
            aliases=("Code",),
            help=gettext_lazy("Optional: its official code, read before the name."),
        ),
        *(
            sheets.Column(
                f"i{i.pk}",
                i.code,
                required=False,
                exact=True,
                help=_("%(name)s: the target, a number of 0 or more with at most two decimals.")
                % {"name": i.name},
            )
            for i in indicators
        ),
    ]


def read_sheet(
    upload, unit: AdminUnit, phase: Phase, period: Period
) -> dict[tuple[int, int], Decimal | None]:
    """Read an allocation sheet whole; raise ImportRefused with every bad cell."""
    indicators = indicators_of(phase)
    rows = sheets.read(upload, columns(indicators))
    kids = list(children(unit, period))
    names = resolver.Resolver(kids)
    errors, values = [], {}
    seen = set()
    for row in rows:
        text = row.text("unit")
        found = names.resolve(row.text("code") or text)
        if found.unit is None and row.text("code") and text:
            found = names.resolve(text)
        child = found.unit
        if child is None:
            if found.status in ("ambiguous", "similar"):
                message = found.message
            else:
                message = _("“%(name)s” is not a unit directly under %(unit)s in this period.") % {
                    "name": text,
                    "unit": unit.name,
                }
            errors.append(sheets.RowError(row.number, UNIT_HEADER, message))
            continue
        if child.pk in seen:
            errors.append(
                sheets.RowError(
                    row.number, UNIT_HEADER, _("%(name)s is listed twice.") % {"name": child.name}
                )
            )
            continue
        seen.add(child.pk)
        for indicator in indicators:
            raw = row.values.get(f"i{indicator.pk}")
            try:
                number = parse_amount(raw)
            except ValueError:
                errors.append(
                    sheets.RowError(
                        row.number,
                        indicator.code,
                        _("“%(text)s” is not a number of 0 or more with at most two decimals.")
                        % {"text": raw},
                    )
                )
                continue
            if number is not None:
                values[(child.pk, indicator.pk)] = number
    if errors:
        raise sheets.ImportRefused(errors)
    return values
