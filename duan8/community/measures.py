"""What the registry of community models measures: models established in a period, and
models maintained (active at the end of the period), per kind, over a unit's subtree."""

from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from duan8.community.models import CommunityModel, ModelKind
from duan8.framework.measures import Measure, register

COUNTS = {
    "established": (_("established in the period"), "established_in"),
    "maintained": (_("maintained at the end of the period"), "maintained_at_end_of"),
}


def _counter(kind: str, count: str):
    def value(unit, period, indicator=None) -> Decimal:
        records = getattr(CommunityModel.objects.filter(kind=kind).within(unit), COUNTS[count][1])
        return Decimal(records(period).count())

    return value


def _records(kind: str, count: str):
    def url(unit, period, indicator=None) -> str:
        query = urlencode({"kind": kind, "period": period.code, "count": count})
        return f"{reverse('community:list', args=[unit.pk])}?{query}"

    return url


for kind in ModelKind:
    for count, (label, _method) in COUNTS.items():
        register(
            Measure(
                key=f"community.{kind.value}.{count}",
                label=f"{kind.label}: {label}",
                value=_counter(kind.value, count),
                records_url=_records(kind.value, count),
            )
        )
