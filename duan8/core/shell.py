"""The page shell: the unit being looked at, its breadcrumbs and the main areas."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from duan8.core import access

SESSION_UNIT = "duan8_unit"


@dataclass(frozen=True)
class Area:
    key: str
    label: str
    url_name: str | None  # None: arrives with a later release, shown but not linked


AREAS = [
    Area("overview", _("Overview"), "core:overview"),
    Area("units", _("Areas"), "geo:browse"),
    Area("targets", _("Targets"), "framework:browse"),
    Area("models", _("Models"), "community:mine"),
    Area("activities", _("Activities"), "activities:mine"),
    Area("reports", _("Reports"), "reporting:cycle"),
    Area("finance", _("Funds"), "finance:mine"),
    Area("mothers", _("Maternal support"), "maternal:mine"),
    Area("documents", _("Documents"), "documents:mine"),
    Area("catalogues", _("Catalogues"), None),
    Area("admin", _("Administration"), "accounts:users"),
]


def default_unit(user):
    """The broadest unit in force the user can see: the nation for national administrators."""
    from duan8.geo.models import AdminUnit

    in_force_first = F("valid_until").desc(nulls_first=True)
    if access.is_national_admin(user):
        return AdminUnit.objects.filter(parent__isnull=True).order_by(in_force_first, "pk").first()
    # The broadest unit in view is always one the user holds a role on (a subtree's root).
    held = AdminUnit.objects.filter(memberships__user=user)
    return held.order_by(in_force_first, "depth", "pk").first()


def current_unit(request):
    """The unit chosen in the switcher, if still visible; else the user's default unit."""
    from duan8.geo.models import AdminUnit

    if not request.user.is_authenticated:
        return None
    cached = getattr(request, "_duan8_unit", False)
    if cached is not False:
        return cached
    unit = None
    pk = request.session.get(SESSION_UNIT)
    if pk is not None:
        unit = AdminUnit.objects.filter(pk=pk).first()
        if unit is not None and not access.can(request.user, access.Action.VIEW, unit):
            unit = None
    if unit is None:
        unit = default_unit(request.user)
    request._duan8_unit = unit
    return unit


def set_current_unit(request, unit) -> None:
    request.session[SESSION_UNIT] = unit.pk
    request._duan8_unit = unit
