"""What finance measures, for the one reading path: money available for a fiscal year
(allocated this year and carried over into it, by effective amount, less what the unit handed
to units below: that money is available to them) and money disbursed in a span of days, per
spending unit, by fiscal year, source, level and content area.

Parts are ``(fiscal year, source, level, content area id or 0)``. The period of
``AVAILABLE`` is the fiscal year; the period of ``DISBURSED`` is the span of dates the money
was spent in (a fiscal year read "as of" a day is the span from its 1 January to that day).
"""

from collections import defaultdict

from django.db.models import Case, F, Sum, When

from duan8.finance.models import BudgetLine, Disbursement, Transfer
from duan8.framework.measures import FactSource


def _effective():
    return Case(
        When(revised_amount__isnull=False, then=F("revised_amount")),
        default=F("original_amount"),
    )


def _fetch_available(period, units=None):
    rows = BudgetLine.objects.filter(
        fiscal_year__gte=period.start.year, fiscal_year__lte=period.last_day.year
    )
    if units is not None:
        rows = rows.filter(unit_id__in=units)
    grouped = (
        rows.values_list("unit_id", "fiscal_year", "source", "level", "content_area_id")
        .annotate(total=Sum(_effective()))
        .order_by()
    )
    handed = Transfer.objects.filter(
        from_line__fiscal_year__gte=period.start.year,
        from_line__fiscal_year__lte=period.last_day.year,
    )
    if units is not None:
        handed = handed.filter(from_line__unit_id__in=units)
    handed = (
        handed.values_list(
            "from_line__unit_id",
            "from_line__fiscal_year",
            "from_line__source",
            "from_line__level",
            "from_line__content_area_id",
        )
        .annotate(total=Sum("amount"))
        .order_by()
    )
    facts = defaultdict(dict)
    for rows_of, sign in ((grouped, 1), (handed, -1)):
        for unit_id, year, source, level, area, total in rows_of:
            if total:
                part = (year, source, level, area or 0)
                facts[part][unit_id] = facts[part].get(unit_id, 0) + sign * int(total)
    return {
        part: {unit: value for unit, value in values.items() if value}
        for part, values in facts.items()
    }


def _fetch_disbursed(period, units=None):
    rows = Disbursement.objects.filter(date__gte=period.start, date__lt=period.end)
    if units is not None:
        rows = rows.filter(line__unit_id__in=units)
    grouped = (
        rows.values_list(
            "line__unit_id",
            "line__fiscal_year",
            "line__source",
            "line__level",
            "line__content_area_id",
        )
        .annotate(total=Sum("amount"))
        .order_by()
    )
    facts = defaultdict(dict)
    for unit_id, year, source, level, area, total in grouped:
        if total:
            part = (year, source, level, area or 0)
            facts[part][unit_id] = facts[part].get(unit_id, 0) + int(total)
    return facts


AVAILABLE = FactSource(
    "finance.available", ("finance.budgetline", "finance.transfer"), _fetch_available
)
DISBURSED = FactSource(
    "finance.disbursed", ("finance.disbursement", "finance.budgetline"), _fetch_disbursed
)
