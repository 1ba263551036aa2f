from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import render

from duan8.core import access
from duan8.core.formatting import parse_date
from duan8.core.models import AuditEvent
from duan8.core.shell import current_unit
from duan8.geo import paths


@login_required
def overview(request):
    """Tổng quan: the unit being looked at, what lies below it and what changed lately."""
    unit = current_unit(request)
    context = {"unit": unit}
    if unit is not None:
        day = unit.reference_day()
        if request.GET.get("on"):
            try:
                day = parse_date(request.GET["on"])
            except ValueError:
                pass
        below = access.scope_units(request.user).subtree(unit, include_self=False).valid_on(day)
        context["day"] = day
        context["counts"] = list(below.values("kind").annotate(n=Count("pk")).order_by("kind"))
        if not context["counts"]:
            context["earlier_day"] = unit.last_day_with_children_before(day)
        context["role_rank"] = access.rank_on(request.user, unit)
        if access.can(request.user, access.Action.ADMINISTER, unit):
            context["recent"] = (
                AuditEvent.objects.filter(paths.prefix_q("unit_path", unit.path))
                .newest_first()
                .select_related("content_type")[:10]
            )
    return render(request, "core/overview.html", context)


def healthz(request):
    """For load balancers and monitoring: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
