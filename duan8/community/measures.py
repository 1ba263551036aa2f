"""What the registry of community models measures: models established in a period, and
models maintained (active at the end of the period), per kind, per unit they belong to."""

from collections import defaultdict
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from duan8.community.models import CommunityModel, ModelKind
from duan8.framework.measures import FactSource, Measure, register

COUNTS = {
    "established": _("established in the period"),
    "maintained": _("maintained at the end of the period"),
}


def _fetch(period, units=None):
    """One query: per unit and kind, the models established in and maintained at the end of
    ``period`` (of the given units only, when given)."""
    established = Q(established_on__gte=period.start, established_on__lt=period.end)
    maintained = Q(established_on__lt=period.end) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=period.end)
    )
    records = CommunityModel.objects.filter(established_on__lt=period.end)
    if units is not None:
        records = records.filter(unit_id__in=units)
    rows = (
        records.values_list("unit_id", "kind")
        .annotate(
            established=Count("pk", filter=established), maintained=Count("pk", filter=maintained)
        )
        .order_by()
    )
    facts = defaultdict(dict)
    for unit_id, kind, n_established, n_maintained in rows:
        if n_established:
            facts[(kind, "established")][unit_id] = n_established
        if n_maintained:
            facts[(kind, "maintained")][unit_id] = n_maintained
    return facts


# Models maintained are counted at the period's end; models established add up over time.
SOURCE = FactSource(
    "community",
    ("community.communitymodel",),
    _fetch,
    stock=lambda part: part[1] == "maintained",
    # a model counts from the day it was established: earlier periods never see it
    dated_by={"community.communitymodel": "established_on"},
)


def _records(kind: str, count: str):
    def url(unit, period, indicator=None, on=None) -> str:
        query = {"kind": kind, "period": period.code, "count": count}
        if on is not None:
            query["on"] = on.isoformat()
        return f"{reverse('community:list', args=[unit.pk])}?{urlencode(query)}"

    return url


for kind in ModelKind:
    for count, label in COUNTS.items():
        register(
            Measure(
                key=f"community.{kind.value}.{count}",
                label=f"{kind.label}: {label}",
                source=SOURCE,
                part=(kind.value, count),
                records_url=_records(kind.value, count),
            )
        )
