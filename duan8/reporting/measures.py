"""Typed figures as a measure: what each unit typed for the period, counted once."""

from collections import defaultdict
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from duan8.framework.measures import FactSource, Measure, register
from duan8.reporting.models import Figure


def _fetch(period, units=None):
    """Per indicator, the figure each unit typed for ``period``."""
    facts = defaultdict(dict)
    figures = Figure.objects.for_period(period)
    if units is not None:
        figures = figures.filter(unit_id__in=units)
    rows = figures.values_list("indicator_id", "unit_id", "total")
    for indicator_id, unit_id, total in rows.iterator(chunk_size=5000):
        facts[indicator_id][unit_id] = total
    return facts


# Where a unit typed its own total, the figures typed below it are already in it.
SOURCE = FactSource("figures", ("reporting.figure",), _fetch, counted_once=True)


def _url(unit, period, indicator=None, on=None) -> str:
    query = urlencode({"period": period.code})
    return f"{reverse('reporting:figures', args=[unit.pk])}?{query}"


register(
    Measure(
        "reporting.typed",
        _("Typed per period (sum over units)"),
        SOURCE,
        lambda indicator_id: indicator_id,
        _url,
    )
)
