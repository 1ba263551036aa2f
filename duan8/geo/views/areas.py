from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duan8.core import access
from duan8.geo import areas
from duan8.geo.models import AdminUnit, ProjectAreaEntry, UnitKind


def _year(request) -> int:
    try:
        year = int(request.POST.get("year") or request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= 2100:
        raise Http404
    return year


def province_of(unit: AdminUnit) -> AdminUnit | None:
    return unit.province()


def require_province_editor(user, unit: AdminUnit) -> None:
    """The project area is edited by the province: an editor on the unit's province."""
    access.require_on_province(user, access.Action.EDIT, unit)


@login_required
def project_area(request, pk):
    root = access.get_unit_or_404(request.user, pk)
    year = _year(request)
    province = province_of(root)
    return render(
        request,
        "geo/project_area.html",
        {
            "unit": root,
            "year": year,
            "summary": areas.summary(root, year),
            "can_edit": province is not None
            and access.can(request.user, access.Action.EDIT, province),
            "years": range(2021, timezone.localdate().year + 2),
        },
    )


@login_required
@require_POST
def project_area_propose(request, pk):
    root = access.get_unit_or_404(request.user, pk)
    require_province_editor(request.user, root)
    year = _year(request)
    added = areas.propose(root, year)
    messages.success(request, _("%(n)d units proposed from the classifications.") % {"n": added})
    return redirect(f"{reverse('geo:project_area', args=[root.pk])}?year={year}")


@login_required
@require_POST
def project_area_entry(request, pk):
    """Keep a unit in the year's project area or take it out (the entry and its history stay)."""
    entry = access.get_or_404(request.user, ProjectAreaEntry.objects.select_related("unit"), pk=pk)
    require_province_editor(request.user, entry.unit)
    root = access.get_unit_or_404(request.user, request.POST.get("root") or entry.unit_id)
    entry.included = request.POST.get("included") == "1"
    entry.save()
    return redirect(f"{reverse('geo:project_area', args=[root.pk])}?year={entry.year}")


@login_required
@require_POST
def project_area_add(request, pk):
    root = access.get_unit_or_404(request.user, pk)
    require_province_editor(request.user, root)
    year = _year(request)
    unit = access.get_unit_or_404(request.user, request.POST.get("unit"), access.Action.EDIT)
    if not unit.is_within(root) or unit.kind not in (UnitKind.COMMUNE, UnitKind.VILLAGE):
        messages.error(request, _("Only communes and villages of this unit can be added."))
    else:
        ProjectAreaEntry.objects.update_or_create(
            year=year,
            unit=unit,
            defaults={"included": True, "origin": ProjectAreaEntry.Origin.MANUAL},
        )
        messages.success(request, _("%(name)s added to the project area.") % {"name": unit.name})
    return redirect(f"{reverse('geo:project_area', args=[root.pk])}?year={year}")
