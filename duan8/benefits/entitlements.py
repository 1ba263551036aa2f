"""What an eligible birth is entitled to, and its payment.

A birth whose latest eligibility decision is "met" is entitled, for every item of the packages
that reach its province (the province its village lay in on the birth's date), to the amount
in force there on that date: the province's own, else that of the province it continues (the
province of before the 2025 reform), else the nation's. An item without one is
"not configured" and proposes nothing. For an item paid per occasion the officer enters the
number of occasions (antenatal visits made), paid up to the amount's maximum.

Entitlements move proposed → approved → paid, or are rejected with a reason; each step is one
transaction through the audited write path, and a step that does not follow is refused with
the reason. Paying from a budget line records the disbursement on it in the same transaction
(refused, and nothing stored, when the line has not that much left).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from duan8.benefits import amounts
from duan8.benefits.models import (
    MAX_COUNT,
    Entitlement,
    EntitlementState,
    ItemAmount,
    SupportItem,
)
from duan8.core import access, audit
from duan8.core.formatting import format_number
from duan8.geo import paths, treemap
from duan8.geo.models import AdminUnit, UnitKind
from duan8.maternal.models import Birth, Decision, Outcome

ACTIVE = ~Q(state=EntitlementState.REJECTED)


def latest_decision(birth: Birth) -> Decision | None:
    return birth.decisions.order_by("-decided_at", "-pk").first()


@dataclass
class ItemLine:
    """One item for one birth: the amount version in force (None: not configured), the
    occasions reported and paid, and the amount; or the entitlement already stored."""

    item: SupportItem
    version: ItemAmount | None
    reported: int | None = None
    count: int | None = None
    unit_amount: int | None = None
    total: int | None = None
    existing: Entitlement | None = None

    @property
    def configured(self) -> bool:
        return self.version is not None

    @property
    def capped(self) -> bool:
        return self.reported is not None and self.count is not None and self.reported > self.count


@dataclass
class Preview:
    birth: Birth
    decision: Decision | None
    province: AdminUnit | None
    lines: list[ItemLine] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return self.decision is not None and self.decision.eligible

    @property
    def total(self) -> int:
        return sum(line.total or 0 for line in self.lines if line.existing is None)

    @property
    def not_configured(self) -> list[ItemLine]:
        return [line for line in self.lines if not line.configured]


def _line(item: SupportItem, version: ItemAmount | None, birth: Birth, reported) -> ItemLine:
    line = ItemLine(item, version, reported=reported)
    if version is None:
        return line
    line.unit_amount = version.unit_amount(birth.delivery)
    if item.per_occasion:
        if reported is None:
            return line
        line.count = min(reported, version.max_count or 0)
        line.total = line.count * line.unit_amount
    else:
        line.total = line.unit_amount
    return line


def preview(birth: Birth, counts: dict[int, int | None] | None = None) -> Preview:
    """Every item that reaches the birth's province with the amount in force on the birth's
    date (or none), the entitlement stored for it if any, and what would be proposed with the
    occasions in ``counts`` (by item id)."""
    counts = counts or {}
    provinces = amounts.provinces_of(birth.unit, birth.date)
    result = Preview(birth, latest_decision(birth), provinces[0] if provinces else None)
    stored = {
        e.item_id: e
        for e in birth.entitlements.filter(ACTIVE).select_related("amount_version__scope")
    }
    items = SupportItem.objects.filter(package__in=amounts.packages_for(provinces)).select_related(
        "package__scope"
    )
    for item in items.order_by("package__scope__depth", "package__order", "order", "code", "pk"):
        existing = stored.get(item.pk)
        if existing is not None:
            line = ItemLine(
                item,
                existing.amount_version,
                reported=existing.count_reported,
                count=existing.count,
                unit_amount=existing.unit_amount,
                total=existing.amount,
                existing=existing,
            )
        else:
            version = amounts.amount_in_force(item, provinces, birth.date)
            line = _line(item, version, birth, counts.get(item.pk))
        result.lines.append(line)
    return result


def _refuse_unless_eligible(decision: Decision | None) -> None:
    if decision is None or decision.result != Outcome.MET:
        raise ValidationError(
            _("The latest eligibility decision of this birth is not “met”: it is not entitled.")
        )


def propose(birth: Birth, counts: dict[int, int | None] | None = None) -> list[Entitlement]:
    """Store, as proposed, the entitlements of an eligible birth: every configured item not
    yet proposed (a per-occasion item only with its number of occasions, paid up to the
    maximum), each with the amount version used. Items not configured propose nothing."""
    counts = counts or {}
    for item_id, value in counts.items():
        if value is not None and not 0 <= value <= MAX_COUNT:
            raise ValidationError(
                {f"count_{item_id}": _("Between 0 and %(max)d.") % {"max": MAX_COUNT}}
            )
    with transaction.atomic():
        birth = Birth.objects.select_for_update().select_related("unit", "mother").get(pk=birth.pk)
        found = preview(birth, counts)
        _refuse_unless_eligible(found.decision)
        made = []
        for line in found.lines:
            if line.existing is not None or not line.configured or not line.total:
                continue
            entitlement = Entitlement(
                birth=birth,
                decision=found.decision,
                item=line.item,
                amount_version=line.version,
                count_reported=line.reported if line.item.per_occasion else None,
                count=line.count if line.item.per_occasion else None,
                unit_amount=line.unit_amount,
                amount=line.total,
            )
            entitlement.full_clean()
            entitlement.save()
            made.append(entitlement)
        if not made:
            raise ValidationError(
                _(
                    "Nothing to propose: every configured item is proposed already, or no "
                    "number of occasions was given."
                )
            )
    return made


# The payment steps ------------------------------------------------------------------------


def _locked(entitlement: Entitlement) -> Entitlement:
    return (
        Entitlement.objects.select_for_update()
        .select_related("birth__unit", "birth__mother", "item")
        .get(pk=entitlement.pk)
    )


def _wrong_state(entitlement: Entitlement, message: str) -> ValidationError:
    return ValidationError(message % {"state": entitlement.get_state_display()})


def approve(entitlement: Entitlement) -> Entitlement:
    """A proposed entitlement approved (by the unit's approvers: checked by the caller), while
    the birth's latest decision still says it is eligible."""
    with transaction.atomic():
        entitlement = _locked(entitlement)
        if entitlement.state != EntitlementState.PROPOSED:
            raise _wrong_state(
                entitlement,
                _("Only a proposed entitlement can be approved; this one is “%(state)s”."),
            )
        _refuse_unless_eligible(latest_decision(entitlement.birth))
        entitlement.state = EntitlementState.APPROVED
        entitlement.approved_by = audit.current().actor()
        entitlement.approved_on = timezone.localdate()
        entitlement.save()
    return entitlement


def reject(entitlement: Entitlement, reason: str) -> Entitlement:
    """A proposed or approved entitlement rejected, with the reason; paid ones are not."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the entitlement is rejected.")})
    with transaction.atomic():
        entitlement = _locked(entitlement)
        if entitlement.state not in (EntitlementState.PROPOSED, EntitlementState.APPROVED):
            raise _wrong_state(
                entitlement,
                _(
                    "Only a proposed or approved entitlement can be rejected; this one is "
                    "“%(state)s”."
                ),
            )
        entitlement.state = EntitlementState.REJECTED
        entitlement.reject_reason = reason[:300]
        entitlement.save()
    return entitlement


def line_units(birth: Birth, day: datetime.date) -> set[int]:
    """The units whose budget lines may pay a birth's entitlement on ``day``: its commune and
    the units above it, on the birth's own path and on the tree of that day (a commune merged
    away is followed to the one standing for it)."""
    found = set(paths.ids_in(birth.unit.path))
    tree = treemap.on(day)
    found |= {pk for pk, _weight in tree.carry(birth.unit_id)}
    found.discard(birth.unit_id)
    return found


def payable_lines(user, entitlement: Entitlement, years: list[int]):
    """Budget lines ``user`` may spend from that may pay ``entitlement``: of its commune or a
    unit above it, of one of ``years``."""
    from duan8.finance.models import BudgetLine

    birth = entitlement.birth
    units: set[int] = set()
    for year in years:
        units |= line_units(birth, min(datetime.date(year, 12, 31), timezone.localdate()))
    lines = BudgetLine.objects.filter(unit_id__in=units, fiscal_year__in=years)
    return access.scope(user, lines, access.Action.EDIT).select_related("unit")


def _line_problem(entitlement: Entitlement, line, day: datetime.date) -> str | None:
    if line.unit_id not in line_units(entitlement.birth, day) or line.unit.kind not in (
        UnitKind.PROVINCE,
        UnitKind.DISTRICT,
        UnitKind.COMMUNE,
    ):
        return _("This budget line is not one of the birth's commune or of a unit above it.")
    if line.fiscal_year != day.year:
        return _("Pay from a budget line of %(year)d, the year of the payment.") % {
            "year": day.year
        }
    return None


def pay(
    entitlement: Entitlement,
    *,
    paid_on: datetime.date | None,
    payer: str,
    voucher: str,
    line=None,
) -> Entitlement:
    """An approved entitlement paid on ``paid_on`` by ``payer`` with ``voucher``. From a budget
    line (of the birth's commune or above, of the payment's year): the disbursement of the
    amount is recorded on it in the same transaction, refused with what the line still has
    when that is less — and then nothing is stored."""
    from duan8.finance import actions
    from duan8.finance.models import Disbursement

    payer, voucher = (payer or "").strip(), (voucher or "").strip()
    errors = {}
    if paid_on is None:
        errors["paid_on"] = _("Give the date of the payment.")
    elif paid_on > timezone.localdate():
        errors["paid_on"] = _("The payment cannot be dated after today.")
    if not payer:
        errors["payer"] = _("Say who paid.")
    if not voucher:
        errors["voucher"] = _("Give the voucher reference.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        entitlement = _locked(entitlement)
        if entitlement.state != EntitlementState.APPROVED:
            raise _wrong_state(
                entitlement,
                _("Only an approved entitlement can be paid; this one is “%(state)s”."),
            )
        if paid_on < entitlement.birth.date:
            raise ValidationError({"paid_on": _("The payment cannot be dated before the birth.")})
        if line is not None:
            problem = _line_problem(entitlement, line, paid_on)
            if problem:
                raise ValidationError({"budget_line": problem})
            disbursement = Disbursement(
                line=line,
                date=paid_on,
                amount=entitlement.amount,
                voucher=voucher[:100],
                notes=(
                    _("Support to %(mother)s: %(item)s")
                    % {"mother": entitlement.birth.mother.full_name, "item": entitlement.item.name}
                )[:300],
            )
            try:
                actions.record_disbursement(disbursement)
            except ValidationError as exc:
                raise ValidationError({"budget_line": exc.messages}) from None
            entitlement.budget_line = line
            entitlement.disbursement = disbursement
        entitlement.state = EntitlementState.PAID
        entitlement.paid_on = paid_on
        entitlement.payer = payer[:120]
        entitlement.voucher = voucher[:100]
        entitlement.save()
    return entitlement


# Lists -------------------------------------------------------------------------------------


def births_of(user, unit: AdminUnit, day: datetime.date | None):
    """The births counted under ``unit`` on the tree of ``day`` that ``user`` sees."""
    return access.scope_records(user, Birth.objects.within(unit, on=day))


def entitlements_of(user, unit: AdminUnit, day: datetime.date | None):
    births = births_of(user, unit, day)
    return Entitlement.objects.filter(birth__in=births.values("pk")).select_related(
        "birth__mother", "birth__unit__parent", "item__package", "amount_version__scope"
    )


def awaiting_proposal(user, unit: AdminUnit, day: datetime.date | None):
    """Births whose latest decision is "met" with no entitlement proposed yet."""
    latest = Decision.objects.filter(birth=OuterRef("pk")).order_by("-decided_at", "-pk")
    active = Entitlement.objects.filter(ACTIVE, birth=OuterRef("pk"))
    return (
        births_of(user, unit, day)
        .annotate(latest_result=Subquery(latest.values("result")[:1]))
        .filter(latest_result=Outcome.MET)
        .exclude(Exists(active))
        .select_related("mother", "unit__parent")
        .order_by("-date", "pk")
    )


def payment_list(user, unit: AdminUnit, period, day, state: str | None = None):
    """The payment list (danh sách chi trả) of ``unit`` for ``period``: the entitlements paid
    in the period (by the payment date) and those approved and awaiting payment; ``state``
    keeps one of the two."""
    paid = Q(state=EntitlementState.PAID, paid_on__gte=period.start, paid_on__lt=period.end)
    waiting = Q(state=EntitlementState.APPROVED)
    wanted = {EntitlementState.PAID: paid, EntitlementState.APPROVED: waiting}.get(
        state, paid | waiting
    )
    return (
        entitlements_of(user, unit, day)
        .filter(wanted)
        .select_related("birth__mother__ethnic_group")
        .order_by("birth__unit__path", "birth__mother__full_name", "birth__date", "pk")
    )


def total_text(value: int) -> str:
    return f"{format_number(value)} đồng"
