"""What the support payments measure, for the one reading path: the mothers supported (distinct
mothers with an entitlement paid in the period, by the payment date) and the amount paid
(đồng), per village the birth was registered in. Facts are fetched whole for any period (a
mother paid in two years of a phase is one mother of the phase)."""

from collections import defaultdict
from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from duan8.benefits.models import Entitlement, EntitlementState
from duan8.framework.measures import FactSource, Measure, register

MOTHERS = "mothers_supported"
AMOUNT = "amount_paid"


def _fetch(period, units=None):
    rows = Entitlement.objects.filter(
        state=EntitlementState.PAID, paid_on__gte=period.start, paid_on__lt=period.end
    )
    if units is not None:
        rows = rows.filter(birth__unit_id__in=units)
    grouped = (
        rows.values_list("birth__unit_id")
        .annotate(mothers=Count("birth__mother_id", distinct=True), amount=Sum("amount"))
        .order_by()
    )
    facts = defaultdict(dict)
    for unit_id, mothers, amount in grouped:
        if mothers:
            facts[MOTHERS][unit_id] = mothers
        if amount:
            facts[AMOUNT][unit_id] = int(amount)
    return facts


# A birth's village may be corrected after its payment: its writes move the facts too.
SOURCE = FactSource("benefits", ("benefits.entitlement", "maternal.birth"), _fetch)


def _records(unit, period, indicator=None, on=None) -> str:
    query = {"period": period.code, "state": EntitlementState.PAID.value}
    if on is not None:
        query["on"] = on.isoformat()
    return f"{reverse('benefits:unit', args=[unit.pk])}?{urlencode(query)}"


MOTHERS_SUPPORTED = register(
    Measure(
        "benefits.mothers_supported",
        _("Mothers supported by the packages (paid)"),
        SOURCE,
        MOTHERS,
        _records,
    )
)
AMOUNT_PAID = register(
    Measure("benefits.amount_paid", _("Support paid to mothers (đồng)"), SOURCE, AMOUNT, _records)
)
