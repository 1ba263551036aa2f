"""Typed figures as a measure: the sum of what the units of a subtree typed for the period."""

from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from duan8.framework.measures import Measure, register
from duan8.reporting.models import Figure


def _value(unit, period, indicator=None) -> Decimal:
    figures = Figure.objects.for_period(period).within(unit).filter(indicator=indicator)
    return figures.aggregate(n=Sum("total"))["n"] or Decimal(0)


def _url(unit, period, indicator=None) -> str:
    query = urlencode({"period": period.code})
    return f"{reverse('reporting:figures', args=[unit.pk])}?{query}"


register(Measure("reporting.typed", _("Typed per period (sum over units)"), _value, _url))
