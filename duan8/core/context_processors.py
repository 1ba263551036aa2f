from django.urls import resolve
from django.urls.exceptions import Resolver404

from duan8.core import access
from duan8.core.shell import AREAS, current_unit


def shell(request):
    """Values every page's layout needs: areas, current unit and breadcrumbs."""
    try:
        namespace = resolve(request.path_info).namespace
    except Resolver404:
        namespace = ""
    active = {
        "core": "overview",
        "geo": "units",
        "accounts": "admin",
        "framework": "targets",
        "community": "models",
        "activities": "activities",
        "finance": "finance",
        "reporting": "reports",
        "maternal": "mothers",
        "documents": "documents",
        "benefits": "mothers",
    }.get(namespace, "")
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"areas": AREAS, "active_area": active}
    unit = current_unit(request)
    crumbs = []
    if unit is not None:
        visible = [u for u in unit.ancestors() if access.can(request.user, access.Action.VIEW, u)]
        crumbs = [*visible, unit]
    return {
        "areas": AREAS,
        "active_area": active,
        "current_unit": unit,
        "unit_crumbs": crumbs,
        "is_administrator": access.may_administer_anything(request.user),
    }
