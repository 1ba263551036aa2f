from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from duan8.analytics import reading
from duan8.core import access
from duan8.core.formatting import format_amount, parse_amount
from duan8.framework.views import _period, _phase
from duan8.reporting import figures
from duan8.reporting.models import Figure


def _number(text):
    return parse_amount(text)


def _typed_below(unit, period, indicators) -> dict:
    """What the units below typed for the period, per indicator, on the period's tree (one
    reading path: each counted once, former units carried to the units standing for them)."""
    day = reading.tree_date(unit, period)
    children = list(unit.children.valid_on(day).values_list("pk", flat=True))
    below = {}
    for indicator in indicators:
        totals = reading.totals(indicator, period, day)
        found = [totals[pk] for pk in children if pk in totals]
        if found:
            below[indicator.pk] = sum(found)
    return below


@login_required
def figure_form(request, pk):
    """Figures typed for a unit and a period, for the indicators no registry counts."""
    unit = access.get_unit_or_404(request.user, pk)
    phase = _phase(request)
    period = _period(request, phase, unit)
    may_edit = access.can(request.user, access.Action.EDIT, unit)
    typed = figures.typed_indicators(phase, period)
    indicators = {indicator.pk: indicator for indicator, _version in typed}
    errors = {}
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        entries = []
        for indicator, _version in typed:
            prefix = f"f-{indicator.pk}-"
            try:
                entries.append(
                    figures.Entry(
                        indicator.pk,
                        _number(request.POST.get(prefix + "total")),
                        _number(request.POST.get(prefix + "women")),
                        _number(request.POST.get(prefix + "ethnic_minority")),
                        request.POST.get(prefix + "comment", "")[:500],
                    )
                )
            except ValueError:
                errors[indicator.code] = [_("Write numbers of 0 or more, such as 1.234 or 12,5.")]
        if not errors:
            try:
                figures.save(unit, period, indicators, entries)
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                messages.success(request, _("Figures saved."))
                return redirect(
                    f"{reverse('reporting:figures', args=[unit.pk])}"
                    f"?phase={phase.pk}&period={period.code}"
                )
    own = {f.indicator_id: f for f in Figure.objects.for_period(period).filter(unit=unit)}
    below = _typed_below(unit, period, [indicator for indicator, _version in typed])
    rows = []
    for indicator, version in typed:
        figure = own.get(indicator.pk)
        prefix = f"f-{indicator.pk}-"

        def shown(name, figure=figure, prefix=prefix):
            if request.method == "POST":
                return request.POST.get(prefix + name, "")
            value = getattr(figure, name) if figure else None
            return format_amount(value) if name != "comment" else (value or "")

        rows.append(
            {
                "indicator": indicator,
                "prefix": prefix,
                "breakdowns": version.breakdowns,
                "total": shown("total"),
                "women": shown("women"),
                "ethnic_minority": shown("ethnic_minority"),
                "comment": shown("comment"),
                "below": below.get(indicator.pk),
                "errors": errors.get(indicator.code, []),
            }
        )
    return render(
        request,
        "reporting/figures.html",
        {
            "unit": unit,
            "phase": phase,
            "period": period,
            "rows": rows,
            "may_edit": may_edit,
            "phases": type(phase).objects.all(),
        },
    )
