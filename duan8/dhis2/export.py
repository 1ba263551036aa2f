"""Figures out as a DHIS2 dataValueSet (JSON, CSV).

For each mapped indicator and period:

- an indicator whose definition at the start of the period says "typed": the figures units
  typed (total and breakdown parts, each where mapped), as they were typed — DHIS2 adds them up
  its own tree, and an import gives back exactly these rows;
- any other mapped indicator: its value for each unit on the period's tree, read through the
  one reading path (``analytics.reading``), where it is not zero (total part only).

Only units the reader views are exported, and only units DHIS2 can name (a row of the
mapping, or an official code).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from duan8.core import access
from duan8.dhis2 import mapping as mappings
from duan8.dhis2.models import Part
from duan8.dhis2.periods import to_dhis2
from duan8.framework.models import IndicatorVersion, Source
from duan8.framework.periods import Period
from duan8.geo import paths

CSV_COLUMNS = (
    "dataelement",
    "period",
    "orgunit",
    "catoptcombo",
    "attroptcombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
)


def number(value: Decimal) -> str:
    """A value as DHIS2 stores it: plain digits, a point, no trailing zeros ("120", "12.5")."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def _last_changes(figure_ids: list[int]) -> dict[int, tuple]:
    """(when, by whom) each figure was last changed, from the audit trail."""
    from duan8.core.models import AuditEvent
    from duan8.reporting.models import Figure

    content_type = ContentType.objects.get_for_model(Figure)
    found: dict[int, tuple] = {}
    for start in range(0, len(figure_ids), 2000):
        chunk = [str(pk) for pk in figure_ids[start : start + 2000]]
        rows = (
            AuditEvent.objects.filter(content_type=content_type, object_id__in=chunk)
            .order_by("at", "pk")
            .values_list("object_id", "at", "actor_label")
        )
        for object_id, at, label in rows:
            found[int(object_id)] = (at, label)
    return found


def _within(queryset, root, children: bool, field: str = "unit__path"):
    if children:
        return queryset.filter(paths.prefix_q(field, root.path))
    return queryset.filter(**{field.replace("path", "id"): root.pk})


def _typed_values(user, root, period: Period, rows: dict, found: mappings.Mapping, children):
    from duan8.reporting.models import Figure

    figures = Figure.objects.for_period(period).filter(indicator_id__in=rows)
    figures = access.scope(user, _within(figures, root, children))
    figures = list(figures.select_related("unit").order_by("unit__path", "indicator_id"))
    changes = _last_changes([f.pk for f in figures])
    code = to_dhis2(period)
    for figure in figures:
        org_unit = found.org_unit_of(figure.unit)
        if not org_unit:
            continue
        at, label = changes.get(figure.pk, (None, ""))
        for row in rows[figure.indicator_id]:
            value = getattr(figure, row.part)
            if value is None:
                continue
            yield {
                "dataElement": row.data_element,
                "period": code,
                "orgUnit": org_unit,
                "categoryOptionCombo": row.category_option_combo,
                "value": number(value),
                "storedBy": label,
                "lastUpdated": at.isoformat(timespec="milliseconds") if at else "",
                "comment": figure.comment if row.part == Part.TOTAL else "",
            }


def _read_values(user, root, period: Period, rows: dict, found: mappings.Mapping, children):
    """Values of the indicators counted from records, through the one reading path."""
    from duan8.analytics import reading
    from duan8.framework.models import Indicator
    from duan8.geo.models import AdminUnit

    day = period.last_day
    units = access.scope_units(
        user, queryset=_within(AdminUnit.objects.all(), root, children, "path")
    )
    units = [u for u in units.valid_on(day).order_by("path") if found.org_unit_of(u)]
    indicators = list(Indicator.objects.filter(pk__in=rows).order_by("code"))
    readings = reading.read_many(indicators, units, period, urls=False)
    code = to_dhis2(period)
    for unit in units:
        for indicator in indicators:
            value = readings[(indicator.pk, unit.pk)].value
            if not value:
                continue
            for row in rows[indicator.pk]:
                if row.part != Part.TOTAL:
                    continue  # the reading path gives totals
                yield {
                    "dataElement": row.data_element,
                    "period": code,
                    "orgUnit": found.org_unit_of(unit),
                    "categoryOptionCombo": row.category_option_combo,
                    "value": number(value),
                    "storedBy": "",
                    "lastUpdated": "",
                    "comment": "",
                }


def data_values(
    user,
    root,
    periods: Iterable[Period],
    *,
    children: bool = True,
    data_set: str | None = None,
    found: mappings.Mapping | None = None,
) -> Iterator[dict]:
    """The data values of ``root`` (and its whole subtree with ``children``) for ``periods``,
    each as a dict of DHIS2's fields ("" where DHIS2 leaves it empty)."""
    found = found or mappings.load(data_set=data_set)
    for period in periods:
        definitions = IndicatorVersion.objects.by_indicator_on(
            list(found.by_indicator), period.start
        )
        typed, read = {}, {}
        for indicator_id, rows in found.by_indicator.items():
            version = definitions.get(indicator_id)
            if version is None:
                continue
            (typed if version.source == Source.TYPED else read)[indicator_id] = rows
        if typed:
            yield from _typed_values(user, root, period, typed, found, children)
        if read:
            yield from _read_values(user, root, period, read, found, children)


def as_json(user, root, periods: list[Period], **options) -> dict:
    """A dataValueSet: {"dataSet"?, "period"?, "orgUnit", "dataValues": [...]} (empty fields
    of a value left out)."""
    found = mappings.load(data_set=options.get("data_set"))
    values = [
        {name: value for name, value in item.items() if value != ""}
        for item in data_values(user, root, periods, found=found, **options)
    ]
    result: dict = {}
    if options.get("data_set"):
        result["dataSet"] = options["data_set"]
    if len(periods) == 1:
        result["period"] = to_dhis2(periods[0])
    if found.org_unit_of(root):
        result["orgUnit"] = found.org_unit_of(root)
    result["dataValues"] = values
    return result


def as_csv(user, root, periods: list[Period], **options) -> str:
    """The same values as DHIS2's CSV: its header, then one line per value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in data_values(user, root, periods, **options):
        writer.writerow(
            [
                item["dataElement"],
                item["period"],
                item["orgUnit"],
                item["categoryOptionCombo"],
                "",
                item["value"],
                item["storedBy"],
                item["lastUpdated"],
                item["comment"],
                "false",
            ]
        )
    return out.getvalue()
