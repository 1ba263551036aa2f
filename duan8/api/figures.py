"""Figures from the one reading path: value, target, percent and the records behind them."""

import dataclasses
import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from pydantic import Field

from duan8.analytics import reading
from duan8.api.common import PERIOD_PATTERN, Id, parse_period
from duan8.api.errors import answers
from duan8.core import access
from duan8.framework.models import Indicator

router = Router(tags=["figures"])


class FigureQuery(Schema):
    indicator: Id
    unit: Id
    period: str = Field(
        ...,
        pattern=PERIOD_PATTERN,
        examples=["2024", "2024-H1", "2024-Q3", "2024-05", "2021-2025"],
    )
    on: datetime.date | None = Field(
        None,
        description="Tree date: the units whose figures are read. Default: the period's last "
        "day, or the nearest day on which the unit exists.",
    )
    children: bool = Field(False, description="Also the figure of every unit below it.")
    target_period: str | None = Field(
        None,
        pattern=PERIOD_PATTERN,
        description="Compare the value with the target of another period: the phase "
        "(2021-2025) for what was achieved by the end of ``period`` (2021-2023), as the "
        "dashboard's “phase to date” column does. Default: ``period``'s own target.",
        examples=["2021-2025"],
    )


class FigureOut(Schema):
    unit_id: int
    unit: str
    value: float | None
    target: float | None
    percent: float | None
    records: str | None
    exists: bool


class FiguresOut(Schema):
    indicator: str
    period: str
    target_period: str
    on: datetime.date
    figure: FigureOut
    children: list[FigureOut]


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _out(unit, found: reading.Reading, targets: dict | None = None) -> dict:
    if targets is not None:  # the target of another period, read on the same tree
        target = targets.get(unit.pk)
        found = dataclasses.replace(found, target=Decimal(target) if target is not None else None)
    return {
        "unit_id": unit.pk,
        "unit": unit.name,
        "value": _number(found.value),
        "target": _number(found.target),
        "percent": _number(found.percent),
        "records": found.records_url,
        "exists": found.exists,
    }


@router.get("/figures", response=answers(FiguresOut, 404, 422), url_name="figures")
def figures(request, query: Query[FigureQuery]):
    """The indicator's value for the unit and period on the tree of ``on`` (records of units
    that no longer exist that day counted under the units that stand for them), its target
    (own or carried from former units; with ``target_period``, that period's), the percent
    achieved and the address of the records it counts; with ``children=true``, the same for
    every unit below it on that day's tree — the numbers of the targets page and the
    dashboard, from the same reading path."""
    unit = access.get_unit_or_404(request.auth, query.unit)
    indicator = get_object_or_404(Indicator, pk=query.indicator)
    period = parse_period(query.period)
    day = reading.tree_date(unit, period, query.on)
    children = []
    if query.children:
        children = list(unit.children.valid_on(day).order_by("short_name", "pk"))
    ctx = reading.session()
    found = reading.read_many([indicator], [unit, *children], period, day, ctx=ctx)
    targets, compared = None, period
    if query.target_period:
        compared = parse_period(query.target_period)
        targets = reading.target_values(indicator, compared, day, ctx=ctx)
    return {
        "indicator": indicator.code,
        "period": period.code,
        "target_period": compared.code,
        "on": day,
        "figure": _out(unit, found[(indicator.pk, unit.pk)], targets),
        "children": [_out(child, found[(indicator.pk, child.pk)], targets) for child in children],
    }
