"""What activities measure: events held in a period (by kind and programme) and the people
they reached, over a unit's subtree."""

from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from duan8.activities.models import Activity, ActivityKind, TrainingProgramme
from duan8.framework.measures import Measure, register


def _records(filters: dict):
    def url(unit, period, indicator=None) -> str:
        query = urlencode({**filters, "period": period.code})
        return f"{reverse('activities:list', args=[unit.pk])}?{query}"

    return url


def _held(filters: dict, total: str | None = None):
    def value(unit, period, indicator=None) -> Decimal:
        held = Activity.objects.filter(**filters).within(unit).held_in(period)
        if total is None:
            return Decimal(held.count())
        return Decimal(held.aggregate(n=Sum(total))["n"] or 0)

    return value


def _register(key, label, filters, total=None):
    query = {"kind": filters.get("kind", ""), "programme": filters.get("programme", "")}
    register(
        Measure(key, label, _held(filters, total), _records({k: v for k, v in query.items() if v}))
    )


for kind in ActivityKind:
    _register(
        f"activities.{kind.value}.count", f"{kind.label}: {_('number held')}", {"kind": kind.value}
    )
for programme in TrainingProgramme:
    filters = {
        "kind": ActivityKind.TRAINING,
        "programme": programme.value,
        "is_training_of_trainers": False,
    }
    _register(
        f"activities.training.{programme.value}.count",
        f"{programme.label}: {_('trainings held')}",
        filters,
    )
    _register(
        f"activities.training.{programme.value}.women",
        f"{programme.label}: {_('women trained')}",
        filters,
        "participants_women",
    )
