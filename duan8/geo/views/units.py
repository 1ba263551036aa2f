import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from duan8.core import access
from duan8.core.formatting import parse_date
from duan8.core.models import AuditEvent
from duan8.core.shell import current_unit, set_current_unit
from duan8.geo import areas, timeline, villages
from duan8.geo.forms import UnitForm
from duan8.geo.models import UnitKind
from duan8.geo.views.areas import province_of


def _as_of(request, unit) -> datetime.date:
    try:
        return parse_date(request.GET.get("on", ""))
    except ValueError:
        return unit.reference_day()


def community_counts(unit, day):
    """Community models maintained at the end of the year of ``day``, counted under the unit
    on that day's tree, by kind (models of the former units it stands for included)."""
    from duan8.analytics import reading
    from duan8.community.models import ModelKind
    from duan8.framework import periods

    keys = {f"community.{kind.value}.maintained": kind for kind in ModelKind}
    values = reading.measure_values(keys, unit, periods.parse(str(day.year)), day)
    return [(kind.value, kind.label, values[key]) for key, kind in keys.items() if values[key]]


def activity_counts(unit, day):
    """Activities held in the year of ``day`` counted under the unit on that day's tree."""
    from duan8.activities.models import ActivityKind
    from duan8.analytics import reading
    from duan8.framework import periods

    keys = {f"activities.{kind.value}.count": kind for kind in ActivityKind}
    values = reading.measure_values(keys, unit, periods.parse(str(day.year)), day)
    return [(kind.value, kind.label, values[key]) for key, kind in keys.items() if values[key]]


def can_change(user, unit) -> bool:
    try:
        access.require_unit_change(user, unit)
    except (PermissionDenied, Http404):
        return False
    return True


def can_classify(user, unit) -> bool:
    try:
        access.require_on_province(user, access.Action.ADMINISTER, unit)
    except (PermissionDenied, Http404):
        return False
    return True


def area_province(user, unit):
    """The province whose project area this unit may be added to by ``user``, if any."""
    province = province_of(unit)
    if province is not None and access.can(user, access.Action.EDIT, province):
        return province
    return None


def _children(user, unit, day):
    return (
        access.scope_units(user)
        .filter(parent=unit)
        .exclude(kind=UnitKind.VILLAGE)
        .valid_on(day)
        .annotate(
            child_count=Count(
                "children",
                filter=Q(children__valid_from__lte=day)
                & (Q(children__valid_until__isnull=True) | Q(children__valid_until__gt=day)),
            )
        )
        .in_tree_order()
    )


@login_required
def browse(request):
    """Địa bàn: find a unit by name or code (any spelling), or open the current unit."""
    query = request.GET.get("q", "").strip()
    if query:
        results = access.scope_units(request.user).search(query).select_related("parent")[:100]
        return render(request, "geo/search.html", {"query": query, "results": results})
    unit = current_unit(request)
    if unit is None:
        return render(request, "geo/no_unit.html")
    return redirect("geo:unit", pk=unit.pk)


@login_required
def unit_detail(request, pk):
    unit = access.get_unit_or_404(request.user, pk)
    day = _as_of(request, unit)
    children = _children(request.user, unit, day)
    return render(
        request,
        "geo/unit_detail.html",
        {
            "unit": unit,
            "day": day,
            "children": children,
            "earlier_day": None if children else unit.last_day_with_children_before(day),
            "can_administer": access.can(request.user, access.Action.ADMINISTER, unit),
            "can_change": can_change(request.user, unit),
            "can_classify": can_classify(request.user, unit),
            "parent_visible": unit.parent is not None
            and access.can(request.user, access.Action.VIEW, unit.parent),
            "can_edit": access.can(request.user, access.Action.EDIT, unit),
            "model_counts": community_counts(unit, day),
            "activity_counts": activity_counts(unit, day),
            "classifications": unit.classifications.all(),
            "successors": timeline.successors(unit),
            "predecessors": timeline.predecessors(unit),
            "year": day.year,
            "area_entry": areas.status_of(unit, day.year),
            "area_province": area_province(request.user, unit),
            "review_choices": villages.review_choices(request.user, unit)
            if unit.needs_review
            else (),
            "villages": unit.children.filter(kind=UnitKind.VILLAGE).order_by("name")
            if unit.kind == UnitKind.COMMUNE
            else None,
            "members": unit.memberships.select_related("user")
            if access.can(request.user, access.Action.ADMINISTER, unit)
            else None,
            "slow": slow_disbursement(request.user, unit),
        },
    )


def slow_disbursement(user, unit):
    """The unit's disbursement of this year and the units below it under the last
    checkpoint passed (none when it has no money this year)."""
    from duan8.analytics import dashboard
    from duan8.finance import summary

    year = dashboard.money_year(None)
    rates = summary.rates(unit, year, dashboard.money_as_of(year))
    return dashboard.slow_disbursement(user, rates)


@login_required
def unit_edit(request, pk):
    unit = access.get_unit_or_404(request.user, pk)
    access.require_unit_change(request.user, unit)
    form = UnitForm(data=request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid() and form.saved():
        messages.success(request, _("Changes saved."))
        return redirect("geo:unit", pk=unit.pk)
    return render(request, "geo/unit_edit.html", {"unit": unit, "form": form})


@login_required
def unit_history(request, pk):
    unit = access.get_unit_or_404(request.user, pk, access.Action.ADMINISTER)
    events = AuditEvent.objects.for_object(unit).newest_first()[:200]
    return render(request, "geo/unit_history.html", {"unit": unit, "events": events})


@login_required
def switch(request):
    """Choose the unit being looked at: search the units in view, or pick one by id."""
    if request.method == "POST":
        unit = access.get_unit_or_404(request.user, request.POST.get("unit"))
        set_current_unit(request, unit)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = ""
        return redirect(target or "core:overview")
    query = request.GET.get("q", "").strip()
    here = current_unit(request)
    if query:
        units = access.scope_units(request.user).search(query).in_tree_order()[:50]
    elif here is not None:
        units = _children(request.user, here, here.reference_day())[:200]
    else:
        units = access.scope_units(request.user).in_tree_order()[:50]
    return render(
        request,
        "geo/switch.html",
        {"units": units, "query": query, "next": request.GET.get("next", "")},
    )
