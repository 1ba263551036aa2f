"""What finance measures, for the one reading path: money available for a fiscal year
(allocated this year and carried over into it, by effective amount) and money disbursed in a
span of days, per spending unit, by fiscal year, source, level and content area.

Parts are ``(fiscal year, source, level, content area id or 0)``. The period of
``AVAILABLE`` is the fiscal year; the period of ``DISBURSED`` is the span of dates the money
was spent in (a fiscal year read "as of" a day is the span from its 1 January to that day).
"""

from collections import defaultdict

from django.db.models import Case, F, Sum, When

from duan8.finance.models import BudgetLine, Disbursement
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
    facts = defaultdict(dict)
    for unit_id, year, source, level, area, total in grouped:
        if total:
            part = (year, source, level, area or 0)
            facts[part][unit_id] = facts[part].get(unit_id, 0) + int(total)
    return facts


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


AVAILABLE = FactSource("finance.available", ("finance.budgetline",), _fetch_available)
DISBURSED = FactSource(
    "finance.disbursed", ("finance.disbursement", "finance.budgetline"), _fetch_disbursed
)
