"""Estimates (dự toán) from spending norms (định mức chi): which norm applies on a day for a
unit, a norm changed from a day, estimate lines checked against their ceilings, and the
approval that turns an estimate into budget lines. Writes go through the audited models, each
in one transaction.

Norms are data typed by administrators with their legal source; nothing here invents one.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from duan8.core.formatting import format_million_dong
from duan8.finance.models import (
    BudgetLine,
    Estimate,
    EstimateLine,
    EstimateState,
    FundSource,
    SpendingNorm,
)
from duan8.geo.models import AdminUnit


def _scopes(unit: AdminUnit) -> list[AdminUnit]:
    """The scopes whose norms reach ``unit``: the nation and the unit's province (itself or
    an ancestor), broadest first."""
    chain = [*unit.ancestors(), unit]
    return [u for u in chain if u.parent_id is None or u.kind == "province"]


def norms_in_force(unit: AdminUnit, day: datetime.date) -> list[SpendingNorm]:
    """The norms that apply to ``unit`` on ``day``, one per item code: the province's own
    norm over the nation's for the same code."""
    scopes = _scopes(unit)
    depth = {scope.pk: index for index, scope in enumerate(scopes)}
    rows = (
        SpendingNorm.objects.filter(scope__in=scopes, valid_from__lte=day)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=day))
        .select_related("scope", "content_area")
    )
    chosen: dict[str, SpendingNorm] = {}
    for norm in rows:
        key = norm.code.casefold()
        held = chosen.get(key)
        if held is None or depth[norm.scope_id] > depth[held.scope_id]:
            chosen[key] = norm
    return sorted(chosen.values(), key=lambda n: (n.code.casefold(), n.pk))


def norm_for(unit: AdminUnit, code: str, day: datetime.date) -> SpendingNorm | None:
    """The norm of item ``code`` that applies to ``unit`` on ``day``."""
    key = code.strip().casefold()
    return next((n for n in norms_in_force(unit, day) if n.code.casefold() == key), None)


def save_norm(norm: SpendingNorm) -> SpendingNorm:
    with transaction.atomic():
        norm.full_clean()
        norm.save()
    return norm


def change_norm(norm: SpendingNorm, valid_from: datetime.date, **changes) -> SpendingNorm:
    """A new version of ``norm`` from ``valid_from`` (its amount, kind, legal source… changed),
    the old one closed the day before; estimates that used the old one keep it. A change that
    carries the version it read (``norm.expected_version``, the API) is refused (``Stale``)
    when the old one changed since."""
    with transaction.atomic():
        old = SpendingNorm.objects.select_for_update().get(pk=norm.pk)
        old.expected_version = getattr(norm, "expected_version", None)
        if valid_from <= old.valid_from:
            raise ValidationError(
                {"valid_from": _("A new version starts after the one it replaces.")}
            )
        if old.valid_until is not None and valid_from >= old.valid_until:
            raise ValidationError(
                {"valid_from": _("The norm ended before that day; add a new norm instead.")}
            )
        new = SpendingNorm(
            scope=old.scope,
            code=old.code,
            item=old.item,
            measure=old.measure,
            amount=old.amount,
            kind=old.kind,
            legal_source=old.legal_source,
            content_area=old.content_area,
            activity_kind=old.activity_kind,
            valid_from=valid_from,
            valid_until=old.valid_until,
            previous=old,
        )
        for name, value in changes.items():
            setattr(new, name, value)
        old.valid_until = valid_from
        old.full_clean()
        old.save()
        new.full_clean()
        new.save()
    return new


def close_norm(norm: SpendingNorm, valid_until: datetime.date) -> SpendingNorm:
    """The norm no longer applies from ``valid_until`` (refused as ``change_norm`` is when it
    carries a version older than the stored one)."""
    with transaction.atomic():
        expected = getattr(norm, "expected_version", None)
        norm = SpendingNorm.objects.select_for_update().get(pk=norm.pk)
        norm.expected_version = expected
        norm.valid_until = valid_until
        norm.full_clean()
        norm.save()
    return norm


# Estimates -----------------------------------------------------------------------------


def save_estimate(estimate: Estimate) -> Estimate:
    with transaction.atomic():
        if estimate.pk is not None:
            stored = Estimate.objects.select_for_update().get(pk=estimate.pk)
            if stored.state != EstimateState.DRAFT:
                raise ValidationError(_("The estimate is approved: it cannot change."))
        estimate.full_clean()
        estimate.save()
    return estimate


def add_line(line: EstimateLine) -> EstimateLine:
    """Store a line of a draft estimate. The unit amount of a fixed norm defaults to the
    norm's; a unit amount above a ceiling is stored and flagged, not refused."""
    with transaction.atomic():
        estimate = Estimate.objects.select_for_update().get(pk=line.estimate_id)
        line.estimate = estimate
        line.full_clean()
        line.save()
    return line


def remove_line(line: EstimateLine) -> None:
    with transaction.atomic():
        estimate = Estimate.objects.select_for_update().get(pk=line.estimate_id)
        if estimate.state != EstimateState.DRAFT:
            raise ValidationError(_("The estimate is approved: its lines cannot change."))
        line.delete()


@dataclass
class AreaTotal:
    content_area: object | None
    amount: int

    @property
    def million(self) -> str:
        return format_million_dong(self.amount)


def totals_by_area(estimate: Estimate) -> list[AreaTotal]:
    sums: dict = defaultdict(int)
    areas = {}
    for line in estimate.lines.select_related("content_area"):
        sums[line.content_area_id] += line.amount
        areas[line.content_area_id] = line.content_area
    order = sorted(
        sums,
        key=lambda pk: (pk is None, areas[pk].order if pk else 0, areas[pk].code if pk else ""),
    )
    return [AreaTotal(areas[pk], sums[pk]) for pk in order]


def flagged(estimate: Estimate) -> list[EstimateLine]:
    """The lines whose unit amount exceeds their norm's ceiling."""
    return [line for line in estimate.lines.select_related("norm") if line.above_ceiling]


def approve(
    estimate: Estimate,
    *,
    source: str,
    decision_number: str,
    decision_date: datetime.date | None,
    decision_issuer: str = "",
) -> list[BudgetLine]:
    """Approve a draft estimate: one budget line per content area (its lines summed) from
    ``source``, carrying the approving decision, all in one transaction. Approving twice is
    refused."""
    decision_number = (decision_number or "").strip()
    errors = {}
    if source not in FundSource.values or source == FundSource.CARRIED:
        errors["source"] = _("Choose the source of the money.")
    if not decision_number:
        errors["decision_number"] = _("Give the number of the approving decision.")
    if decision_date is None:
        errors["decision_date"] = _("Give the date of the approving decision.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        estimate = Estimate.objects.select_for_update().select_related("unit").get(pk=estimate.pk)
        if estimate.state != EstimateState.DRAFT:
            raise ValidationError(_("This estimate is already approved."))
        groups = totals_by_area(estimate)
        if not groups:
            raise ValidationError(_("The estimate has no lines."))
        made = []
        for group in groups:
            if group.amount <= 0:
                continue
            line = BudgetLine(
                unit=estimate.unit,
                fiscal_year=estimate.fiscal_year,
                source=source,
                content_area=group.content_area,
                original_amount=group.amount,
                decision_number=decision_number[:60],
                decision_date=decision_date,
                decision_issuer=(decision_issuer or "").strip()[:200],
                notes=(_("From the estimate %(estimate)s") % {"estimate": str(estimate)})[:300],
            )
            line.estimate = estimate
            line.full_clean()
            line.save()
            made.append(line)
        estimate.state = EstimateState.APPROVED
        estimate.source = source
        estimate.decision_number = decision_number[:60]
        estimate.decision_date = decision_date
        estimate.decision_issuer = (decision_issuer or "").strip()[:200]
        estimate.full_clean()
        estimate.save()
    return made
