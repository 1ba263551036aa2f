"""Writes of money, each in one transaction through the audited write path: a budget line, a
disbursement (never more than the line still has), and the year-end close that carries what
was not spent into the next year (proposed, then confirmed; reopened with a reason)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from duan8.core.formatting import format_million_dong
from duan8.finance.models import BudgetLine, Disbursement, FundSource, Transfer, YearClose
from duan8.geo import timeline
from duan8.geo.models import AdminUnit, UnitKind


def save_line(line: BudgetLine) -> BudgetLine:
    with transaction.atomic():
        line.full_clean()
        line.save()
    return line


def record_disbursement(disbursement: Disbursement) -> Disbursement:
    """Store a disbursement; refused when the line has not that much left. The line's row is
    locked first, so that two officers spending its last money take turns."""
    with transaction.atomic():
        if disbursement.line_id:
            line = BudgetLine.objects.select_for_update().get(pk=disbursement.line_id)
            disbursement.line = line
        disbursement.full_clean()
        disbursement.save()
    return disbursement


def transfer(
    from_line: BudgetLine,
    to_unit,
    *,
    date: datetime.date,
    amount: int,
    voucher: str,
    decision_number: str = "",
    decision_date: datetime.date | None = None,
    notes: str = "",
) -> Transfer:
    """Hand money of ``from_line`` to ``to_unit``, a unit below the line's unit: the receiver
    gets a budget line of the same year, source and content area holding the amount. Refused
    when the line has not that much left; the giving line's row is locked first, as for a
    disbursement."""
    with transaction.atomic():
        line = BudgetLine.objects.select_for_update().select_related("unit").get(pk=from_line.pk)
        record = Transfer(
            from_line=line,
            date=date,
            amount=amount,
            voucher=(voucher or "").strip(),
            decision_number=(decision_number or "").strip(),
            decision_date=decision_date,
            notes=(notes or "").strip(),
        )
        record.full_clean(exclude=["to_line"])
        received = BudgetLine(
            unit=to_unit,
            fiscal_year=line.fiscal_year,
            source=line.source,
            content_area=line.content_area,
            activity_kind=line.activity_kind,
            original_amount=amount,
            decision_number=record.decision_number or record.voucher[:60],
            decision_date=record.decision_date,
            decision_issuer=line.unit.name[:200],
            notes=(_("Handed over by %(unit)s") % {"unit": line.unit.name})[:300],
        )
        received.full_clean()
        received.save()
        record.to_line = received
        record.full_clean()
        record.save()
    return record


def cancel_transfer(record: Transfer) -> None:
    """Undo a transfer: the receiver's line goes with it, provided the receiver has neither
    spent from it nor handed it further down."""
    with transaction.atomic():
        BudgetLine.objects.select_for_update().filter(pk=record.from_line_id).exists()
        received = BudgetLine.objects.select_for_update().get(pk=record.to_line_id)
        if received.disbursements.exists() or received.transfers_out.exists():
            raise ValidationError(
                _(
                    "%(unit)s has already spent or handed on money of this transfer: it cannot "
                    "be cancelled."
                )
                % {"unit": received.unit.name}
            )
        record.delete()
        received.delete()


# Year-end close ----------------------------------------------------------------------------


@dataclass
class Carry:
    """Unspent money of a line, and the unit that will hold it next year (None: to name)."""

    line: BudgetLine
    unspent: int
    to: object | None

    @property
    def unspent_million(self) -> str:
        return format_million_dong(self.unspent)


@dataclass
class Proposal:
    unit: object
    year: int
    carry: list[Carry] = field(default_factory=list)
    # carried-over money whose spending window ends with the year: it is not carried again
    lapsing: list[Carry] = field(default_factory=list)
    closed: YearClose | None = None

    @property
    def total(self) -> int:
        return sum(item.unspent for item in self.carry)

    @property
    def total_million(self) -> str:
        return format_million_dong(self.total)

    @property
    def unnamed(self) -> list[Carry]:
        return [item for item in self.carry if item.to is None]


def active_close(unit, year: int) -> YearClose | None:
    return YearClose.objects.filter(unit=unit, year=year, reopen_reason="").first()


def _lines(unit, year: int):
    from duan8.finance.summary import tree_day

    return (
        BudgetLine.objects.within(unit, on=tree_day(unit, year))
        .filter(fiscal_year=year)
        .exclude(carried_into__isnull=False)
        .with_disbursed()
        .select_related("unit", "content_area")
        .order_by("unit__path", "source", "pk")
    )


def _key(value) -> int:
    return value if isinstance(value, int) else value.pk


def _receiver(unit, line: BudgetLine, first_day: datetime.date, to_unit: dict):
    """Who holds a line's money next year: the unit named for it; the line's unit while it
    exists; else the unit succeeding it; else the unit being closed (the province that took
    over an abolished district), when it exists then."""
    named = to_unit.get(line.unit_id)
    if named is not None:
        return named
    if line.unit.is_valid_on(first_day):
        return line.unit
    successors = timeline.counterparts_on(line.unit, first_day)
    if len(successors) == 1:
        return successors[0]
    if unit.is_valid_on(first_day):
        return unit
    return None


def receivers(unit, year: int) -> list:
    """The units that may take over money of abolished units: the closing unit and the
    communes (and districts) below it that exist next year (none when the closing unit
    itself ends with the year)."""
    first_day = datetime.date(year + 1, 1, 1)
    if not unit.is_valid_on(first_day):
        return []
    return list(
        AdminUnit.objects.subtree(unit)
        .exclude(kind=UnitKind.VILLAGE)
        .valid_on(first_day)
        .order_by("path")
    )


def propose_close(unit, year: int, to_unit: dict | None = None) -> Proposal:
    """Per line of ``unit``'s subtree with unspent money in ``year``, the carried-over line
    proposed for ``year + 1``. ``to_unit`` names, for lines of abolished units (keyed by the
    unit or its id), the unit that takes their money over."""
    to_unit = {_key(k): v for k, v in (to_unit or {}).items()}
    proposal = Proposal(unit, year, closed=active_close(unit, year))
    first_day = datetime.date(year + 1, 1, 1)
    for line in _lines(unit, year):
        unspent = line.amount - line.disbursed_total - line.transferred_total
        if unspent <= 0:
            continue
        if line.source == FundSource.CARRIED:
            if line.spending_window()[1] < first_day:
                proposal.lapsing.append(Carry(line, unspent, None))
            continue
        proposal.carry.append(Carry(line, unspent, _receiver(unit, line, first_day, to_unit)))
    return proposal


def close(unit, year: int, document: str = "", to_unit: dict | None = None) -> YearClose:
    """Store the proposed carried-over lines and the close of the year, in one transaction;
    a year already closed is refused."""
    with transaction.atomic():
        if active_close(unit, year) is not None:
            raise ValidationError(
                _("%(year)d is already closed for %(unit)s; reopen it first.")
                % {"year": year, "unit": unit.name}
            )
        proposal = propose_close(unit, year, to_unit)
        if proposal.unnamed:
            names = sorted({item.line.unit.name for item in proposal.unnamed})
            raise ValidationError(
                _("Name the unit that takes over the money of %(units)s.")
                % {"units": ", ".join(names)}
            )
        closed = YearClose(unit=unit, year=year, document=document.strip())
        closed.full_clean()
        closed.save()
        for item in proposal.carry:
            _check_receiver(unit, item, year)
            line = item.line
            carried = BudgetLine(
                unit=item.to,
                fiscal_year=year + 1,
                source=FundSource.CARRIED,
                content_area=line.content_area,
                activity_kind=line.activity_kind,
                original_amount=item.unspent,
                carried_from=line,
                year_close=closed,
                decision_number=document.strip()[:60],
                notes=_("Carried over from %(year)d, %(unit)s")
                % {"year": year, "unit": line.unit.name},
            )
            carried.full_clean()
            carried.save()
        return closed


def _check_receiver(unit, item: Carry, year: int) -> None:
    """The unit named must exist next year and lie in the closing unit's tree."""
    first_day = datetime.date(year + 1, 1, 1)
    receiver = item.to
    problem = timeline.validity_error(receiver, first_day)
    if problem is None and unit.is_valid_on(first_day):
        if not receiver.path.startswith(unit.path):
            problem = _("%(to)s is not a unit of %(unit)s.") % {
                "to": receiver.name,
                "unit": unit.name,
            }
    if problem:
        raise ValidationError(problem)


def reopen(unit, year: int, reason: str) -> YearClose:
    """Undo a close: its carried-over lines are removed, provided nothing was spent from them
    yet; the reason is kept on the close (audited)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the year is reopened.")})
    with transaction.atomic():
        closed = active_close(unit, year)
        if closed is None:
            raise ValidationError(
                _("%(year)d is not closed for %(unit)s.") % {"year": year, "unit": unit.name}
            )
        lines = list(closed.carried_lines.select_related("unit"))
        spent = [
            line for line in lines if line.disbursements.exists() or line.transfers_out.exists()
        ]
        if spent:
            raise ValidationError(
                _(
                    "Money has already been spent from the carried-over lines of %(units)s: "
                    "the year cannot be reopened."
                )
                % {"units": ", ".join(sorted({line.unit.name for line in spent}))}
            )
        for line in lines:
            line.delete()
        closed.reopen_reason = reason
        closed.full_clean()
        closed.save()
        return closed
