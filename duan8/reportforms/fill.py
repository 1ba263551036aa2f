"""Filling a report form for a unit, a period and a tree date, from the one reading path.

Every number comes from ``analytics.reading`` — ``read_many`` for an indicator's result and its
target for the period, the same for the phase to the period's end, ``target_values`` for the
phase's target, ``measure_values`` for one part of a measure — the way the dashboard reads
them (``analytics.dashboard``): nothing is counted here. Percents are the dashboard's (result
over target, one decimal).

A row names its indicator by code; the indicator is the one of the phase that holds the
period read (or overlaps it most), so a form outlives a phase whose codes carry over. A column
of units reads the units directly below the unit on the tree date (those the reader views); a
column of periods reads the unit itself for that period, every period on the same tree date.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from duan8.analytics import reading
from duan8.analytics.dashboard import percent
from duan8.core import access
from duan8.framework import measures, periods
from duan8.framework.periods import Period
from duan8.reportforms.models import (
    FIRST_YEAR,
    LAST_YEAR,
    CellKind,
    ColumnsKind,
    ReportForm,
    RowKind,
    span_error,
)

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


class NoPeriod(ValueError):
    """No period to fill the form for (the form names none and none was asked for), or one
    outside the years forms are read for."""


@dataclass
class Column:
    header: str
    unit: object
    period: Period
    total: bool = False  # the unit the form is filled for, before the units below it


@dataclass
class Figures:
    """What one row reads for one column, before the form picks the cells it shows."""

    value: Decimal | None = None
    target: Decimal | None = None
    to_date: Decimal | None = None
    phase_target: Decimal | None = None

    def cell(self, kind: str) -> Decimal | None:
        if kind == CellKind.VALUE:
            return self.value
        if kind == CellKind.TARGET:
            return self.target
        if kind == CellKind.PERCENT:
            return percent(self.value, self.target)
        if kind == CellKind.TO_DATE:
            return self.to_date
        if kind == CellKind.PHASE_TARGET:
            return self.phase_target
        if kind == CellKind.PHASE_PERCENT:
            return percent(self.to_date, self.phase_target)
        raise ValueError(kind)


@dataclass
class Line:
    kind: str
    number: str
    label: str
    code: str = ""
    part: str = ""
    unit_of_measure: str = ""  # as the framework writes it: tổ, CLB, người, %
    unit_label: str = ""  # the same in the page's language
    figures: list[Figures] = field(default_factory=list)  # one per column
    missing: bool = False  # the code names no indicator of the period's phase
    cells: list[list[Decimal | None]] = field(default_factory=list)


@dataclass
class Filled:
    form: ReportForm
    unit: object
    period: Period
    day: datetime.date
    kinds: list[str]
    columns: list[Column]
    lines: list[Line]
    read_at: datetime.datetime

    @property
    def width(self) -> int:
        return len(self.columns) * len(self.kinds)

    def as_json(self) -> dict:
        return {
            "form_id": self.form.pk,
            "title": self.form.title,
            "code": self.form.code,
            "legal_basis": self.form.legal_basis,
            "unit_id": self.unit.pk,
            "unit_name": self.unit.name,
            "period": self.period.code,
            "period_label": self.period.label,
            "on": self.day,
            "cells": list(self.kinds),
            "columns": [
                {
                    "header": column.header,
                    "unit_id": column.unit.pk,
                    "unit_name": column.unit.name,
                    "period": column.period.code,
                    "total": column.total,
                }
                for column in self.columns
            ],
            "rows": [
                {
                    "kind": line.kind,
                    "number": line.number,
                    "label": line.label,
                    "code": line.code,
                    "part": line.part,
                    "unit_of_measure": line.unit_of_measure,
                    "missing": line.missing,
                    "values": [[_plain(v) for v in cells] for cells in line.cells],
                }
                for line in self.lines
            ],
        }


def _plain(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# Which period, which day, which columns ------------------------------------------------------


def period_of(form: ReportForm, asked: Period | None) -> Period:
    """The period a form is filled for: the one asked, else the form's, else (columns of
    periods) its last column's."""
    if asked is not None:
        return asked
    if form.default_period is not None:
        return form.default_period
    if form.columns == ColumnsKind.PERIODS:
        codes = [c.period for c in form.period_columns.all()]
        for code in reversed(codes):
            try:
                return periods.parse(code)
            except ValueError:
                continue
    raise NoPeriod(_("Choose the period to fill the form for."))


def tree_day(form: ReportForm, unit, period: Period, on: datetime.date | None):
    """The day whose units are read: the one asked, else the form's, else the period's last
    day (moved into the unit's life)."""
    return reading.tree_date(unit, period, on or form.tree_date)


def _columns(form: ReportForm, unit, period: Period, day, user) -> list[Column]:
    if form.columns == ColumnsKind.PERIODS:
        found = []
        for column in form.period_columns.all():
            try:
                own = periods.parse(column.period)
            except ValueError:
                continue
            found.append(Column(column.header or own.label, unit, own))
        return found
    columns = [Column(unit.name, unit, period, total=True)] if form.with_total else []
    below = unit.children.valid_on(day).order_by("code", "name", "pk")
    for child in below:
        if user is not None and not access.can(user, access.Action.VIEW, child):
            continue
        columns.append(Column(child.name, child, period))
    return columns


# Rows: indicators by code in the phase of the period ------------------------------------------


def _overlap(phase, period: Period) -> int:
    return max(0, (min(phase.end, period.end) - max(phase.start, period.start)).days)


class _Framework:
    """The indicators and content areas the form's rows name, by code, each resolved in the
    phase of a period."""

    def __init__(self, rows) -> None:
        from duan8.framework.models import ContentArea, Indicator

        indicator_codes = {r.code for r in rows if r.kind == RowKind.INDICATOR and r.code}
        area_codes = {r.code for r in rows if r.kind == RowKind.HEADING and r.code}
        self.indicators = defaultdict(list)
        for indicator in Indicator.objects.filter(code__in=indicator_codes).select_related(
            "content_area__phase"
        ):
            self.indicators[indicator.code].append(indicator)
        self.areas = defaultdict(list)
        for area in ContentArea.objects.filter(code__in=area_codes).select_related("phase"):
            self.areas[area.code].append(area)

    @staticmethod
    def _best(candidates, phase_of, period: Period):
        best, best_overlap = None, 0
        for candidate in candidates:
            phase = phase_of(candidate)
            if phase.start <= period.start and period.end <= phase.end:
                return candidate
            overlap = _overlap(phase, period)
            if overlap > best_overlap:
                best, best_overlap = candidate, overlap
        return best

    def indicator(self, code: str, period: Period):
        return self._best(self.indicators.get(code, []), lambda i: i.content_area.phase, period)

    def area(self, code: str, period: Period):
        return self._best(self.areas.get(code, []), lambda a: a.phase, period)

    def any_indicator(self, code: str):
        found = self.indicators.get(code)
        return max(found, key=lambda i: i.content_area.phase.start) if found else None

    def any_area(self, code: str):
        found = self.areas.get(code)
        return max(found, key=lambda a: a.phase.start) if found else None


def _to_date(phase, period: Period) -> Period | None:
    """The phase from its start to the end of ``period`` (the dashboard's "to date"); None
    when the period ends before the phase starts."""
    if period.end <= phase.start:
        return None
    return periods.to_date(phase.period, period)


# Filling -----------------------------------------------------------------------------------------


def fill(
    form: ReportForm,
    unit,
    period: Period | None = None,
    on: datetime.date | None = None,
    *,
    user=None,
) -> Filled:
    """``form`` filled for ``unit`` and ``period`` (default: the form's) on the tree of ``on``
    (default: the form's tree date, else the period's last day). With ``user``, the columns
    of units are those below ``unit`` that the user views. ``NoPeriod`` (a ValueError) when
    no period is known or it lies outside the years forms are read for."""
    period = period_of(form, period)
    problem = span_error(period)
    if problem is None and on is not None and not FIRST_YEAR <= on.year <= LAST_YEAR:
        problem = _("Choose a tree date between %(first)d and %(last)d.") % {
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
        }
    if problem:
        raise NoPeriod(problem)
    day = tree_day(form, unit, period, on)
    kinds = form.cell_kinds or [CellKind.VALUE]
    rows = list(form.rows.all())
    columns = _columns(form, unit, period, day, user)
    framework = _Framework(rows)
    ctx = reading.session()

    # The indicator of each indicator row, per column period.
    column_periods = list(dict.fromkeys(column.period for column in columns)) or [period]
    resolved: dict[tuple[int, Period], object] = {}
    for row in rows:
        if row.kind == RowKind.INDICATOR:
            for p in column_periods:
                resolved[(row.pk, p)] = framework.indicator(row.code, p)

    # Every reading the rows need, in as few calls of the reading path as it takes.
    units_of = defaultdict(dict)
    for column in columns:
        units_of[column.period][column.unit.pk] = column.unit
    in_period, so_far, phase_targets, parts = {}, {}, {}, {}
    for p in column_periods:
        units = list(units_of[p].values())
        wanted = {ind.pk: ind for (pk, q), ind in resolved.items() if q == p and ind is not None}
        indicators = list(wanted.values())
        in_period[p] = reading.read_many(indicators, units, p, day, ctx=ctx, urls=False)
        by_span = defaultdict(list)
        for indicator in indicators:
            phase = indicator.content_area.phase
            span = _to_date(phase, p)
            if span is not None:
                by_span[span].append(indicator)
            key = (indicator.pk, phase.pk)
            if key not in phase_targets:
                phase_targets[key] = reading.target_values(indicator, phase.period, day, ctx=ctx)
        so_far[p] = {}
        for span, group in by_span.items():
            found = reading.read_many(group, units, span, day, ctx=ctx, urls=False)
            for (indicator_pk, unit_pk), value in found.items():
                so_far[p][(indicator_pk, unit_pk)] = value
        keys = {r.part for r in rows if r.kind == RowKind.INDICATOR and r.part}
        keys = [key for key in keys if measures.get(key) is not None]
        if keys:
            for unit in units:
                parts[(p, unit.pk)] = reading.measure_values(keys, unit, p, day)
                for indicator in {ind.content_area.phase.pk: ind for ind in indicators}.values():
                    span = _to_date(indicator.content_area.phase, p)
                    if span is not None:
                        parts[(span, p, unit.pk)] = reading.measure_values(keys, unit, span, day)

    definitions = _definitions([ind for ind in resolved.values() if ind is not None], period)

    lines: list[Line] = []
    section: list[Line] = []
    headings = items = 0
    for row in rows:
        if row.kind == RowKind.HEADING:
            headings += 1
            items = 0
            area = framework.area(row.code, period) if row.code else None
            area = area or (framework.any_area(row.code) if row.code else None)
            label = row.label or (area.name if area is not None else row.code)
            number = row.number or (ROMAN[headings - 1] if headings <= len(ROMAN) else "")
            line = Line(RowKind.HEADING, number, label, code=row.code)
            line.figures = [Figures() for _column in columns]
            lines.append(line)
            section = []
            continue
        if row.kind == RowKind.SUBTOTAL:
            line = Line(RowKind.SUBTOTAL, row.number, row.label or _("Subtotal"))
            line.figures = [_sum([s.figures[i] for s in section]) for i in range(len(columns))]
            lines.append(line)
            continue
        items += 1
        line = _indicator_line(row, columns, resolved, framework, definitions, period)
        line.number = row.number or str(items)
        for column in columns:
            indicator = resolved.get((row.pk, column.period))
            if indicator is None:
                line.figures.append(Figures())
                continue
            line.figures.append(
                _figures(row, indicator, column, in_period, so_far, phase_targets, parts)
            )
        lines.append(line)
        section.append(line)
    for line in lines:
        if line.kind == RowKind.HEADING:
            line.cells = [[None] * len(kinds) for _column in columns]
        else:
            line.cells = [[f.cell(kind) for kind in kinds] for f in line.figures]
    return Filled(form, unit, period, day, kinds, columns, lines, timezone.now())


def _definitions(indicators, period: Period) -> dict:
    """{indicator id: its definition in force at the start of the period, or of its phase
    when the period starts before it} (one query)."""
    from duan8.framework.models import IndicatorVersion

    wanted = {ind.pk: max(period.start, ind.content_area.phase.start) for ind in indicators}
    found = {}
    for version in IndicatorVersion.objects.filter(indicator_id__in=wanted).order_by("valid_from"):
        day = wanted[version.indicator_id]
        if version.valid_from <= day and (version.valid_until is None or day < version.valid_until):
            found[version.indicator_id] = version
    return found


def _indicator_line(row, columns, resolved, framework, definitions, period) -> Line:
    indicator = resolved.get((row.pk, period))
    if indicator is None:
        indicator = next(
            (resolved[(row.pk, c.period)] for c in columns if resolved.get((row.pk, c.period))),
            None,
        )
    missing = all(resolved.get((row.pk, c.period)) is None for c in columns) if columns else True
    shown = indicator or framework.any_indicator(row.code)
    label = row.label
    if not label:
        label = shown.name if shown is not None else row.code
        measure = measures.get(row.part) if row.part else None
        if measure is not None:
            label = f"{label} ({measure.label})"
    line = Line(RowKind.INDICATOR, "", label, code=row.code, part=row.part, missing=missing)
    version = definitions.get(indicator.pk) if indicator is not None else None
    if version is not None and not row.part:
        line.unit_of_measure = version.unit_of_measure
        line.unit_label = version.get_unit_of_measure_display()
    return line


def _figures(row, indicator, column, in_period, so_far, phase_targets, parts) -> Figures:
    p, unit = column.period, column.unit
    found = in_period[p].get((indicator.pk, unit.pk))
    if found is None or not found.exists:
        return Figures()
    phase = indicator.content_area.phase
    span = _to_date(phase, p)
    if row.part:
        value = parts.get((p, unit.pk), {}).get(row.part)
        to_date = parts.get((span, p, unit.pk), {}).get(row.part) if span else None
        return Figures(
            value=Decimal(value) if value is not None else None,
            to_date=Decimal(to_date) if to_date is not None else None,
        )
    before = so_far[p].get((indicator.pk, unit.pk))
    return Figures(
        value=found.value,
        target=found.target,
        to_date=before.value if before is not None else None,
        phase_target=phase_targets[(indicator.pk, phase.pk)].get(unit.pk),
    )


def _sum(items: list[Figures]) -> Figures:
    """A subtotal: results and targets summed; its percents are the results of the rows that
    have a target over those targets (a row without a target adds nothing to them)."""

    def total(values):
        known = [v for v in values if v is not None]
        return sum(known, Decimal(0)) if known else None

    result = Figures(
        value=total(f.value for f in items),
        target=total(f.target for f in items),
        to_date=total(f.to_date for f in items),
        phase_target=total(f.phase_target for f in items),
    )
    return _Subtotal(
        result.value,
        result.target,
        result.to_date,
        result.phase_target,
        with_target=total(f.value for f in items if f.target is not None),
        to_date_with_target=total(f.to_date for f in items if f.phase_target is not None),
    )


@dataclass
class _Subtotal(Figures):
    with_target: Decimal | None = None
    to_date_with_target: Decimal | None = None

    def cell(self, kind: str) -> Decimal | None:
        if kind == CellKind.PERCENT:
            return percent(self.with_target, self.target)
        if kind == CellKind.PHASE_PERCENT:
            return percent(self.to_date_with_target, self.phase_target)
        return super().cell(kind)
