"""Typed figures as a measure: the sum of what the units of a subtree typed for the period."""

from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from duan8.framework.measures import Measure, register
from duan8.geo import paths
from duan8.reporting.models import Figure


def _value(unit, period, indicator=None) -> Decimal:
    """The figures of the subtree, each counted once: where a unit typed its own total, the
    figures typed by the units below it are already in it and are not added again."""
    figures = list(
        Figure.objects.for_period(period)
        .within(unit)
        .filter(indicator=indicator)
        .values_list("unit__path", "total")
    )
    tops = set(paths.collapse([path for path, _total in figures]))
    return sum((total for path, total in figures if path in tops), Decimal(0))


def _url(unit, period, indicator=None) -> str:
    query = urlencode({"period": period.code})
    return f"{reverse('reporting:figures', args=[unit.pk])}?{query}"


register(Measure("reporting.typed", _("Typed per period (sum over units)"), _value, _url))
