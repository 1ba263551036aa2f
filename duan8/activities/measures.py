"""What activities measure: events held in a period (by kind and programme) and the people
they reached, per unit that held them."""

from collections import defaultdict
from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from duan8.activities.models import Activity, ActivityKind, TrainingProgramme
from duan8.framework.measures import FactSource, Measure, register


def _add(facts, part, unit_id, value) -> None:
    if value:
        facts[part][unit_id] = facts[part].get(unit_id, 0) + value


def _fetch(period, units=None):
    """One query: per unit, kind, programme and whether it trained trainers, the activities
    whose first day falls in ``period`` and the people (and women) they trained (of the given
    units only, when given)."""
    records = Activity.objects.held_in(period)
    if units is not None:
        records = records.filter(unit_id__in=units)
    rows = (
        records.values_list("unit_id", "kind", "programme", "is_training_of_trainers")
        .annotate(n=Count("pk"), people=Sum("participants"), women=Sum("participants_women"))
        .order_by()
    )
    facts = defaultdict(dict)
    for unit_id, kind, programme, of_trainers, n, people, women in rows:
        _add(facts, ("kind", kind), unit_id, n)
        if kind == ActivityKind.TRAINING and not of_trainers and programme:
            _add(facts, ("programme", programme, "count"), unit_id, n)
            _add(facts, ("programme", programme, "women"), unit_id, women or 0)
            _add(facts, ("programme", programme, "participants"), unit_id, people or 0)
    return facts


# Every part counts activities held (or people they trained): they add up over time.
SOURCE = FactSource(
    "activities",
    ("activities.activity",),
    _fetch,
    stock=lambda part: False,
    dated_by={"activities.activity": "start_on"},  # counted in the period of its first day
)


def _records(filters: dict):
    def url(unit, period, indicator=None, on=None) -> str:
        query = {**filters, "period": period.code}
        if on is not None:
            query["on"] = on.isoformat()
        return f"{reverse('activities:list', args=[unit.pk])}?{urlencode(query)}"

    return url


for kind in ActivityKind:
    register(
        Measure(
            f"activities.{kind.value}.count",
            f"{kind.label}: {_('number held')}",
            SOURCE,
            ("kind", kind.value),
            _records({"kind": kind.value}),
        )
    )
for programme in TrainingProgramme:
    filters = {"kind": ActivityKind.TRAINING.value, "programme": programme.value}
    register(
        Measure(
            f"activities.training.{programme.value}.count",
            f"{programme.label}: {_('trainings held')}",
            SOURCE,
            ("programme", programme.value, "count"),
            _records(filters),
        )
    )
    register(
        Measure(
            f"activities.training.{programme.value}.participants",
            f"{programme.label}: {_('people trained')}",
            SOURCE,
            ("programme", programme.value, "participants"),
            _records(filters),
        )
    )
    register(
        Measure(
            f"activities.training.{programme.value}.women",
            f"{programme.label}: {_('women trained')}",
            SOURCE,
            ("programme", programme.value, "women"),
            _records(filters),
        )
    )
