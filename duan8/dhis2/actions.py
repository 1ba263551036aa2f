"""Keeping the mapping: rows added and removed through the audited write path, by those who
decide them (``duan8.core.access``):

    data element rows     national administrators (indicators are the nation's framework)
    organisation units    the administrators of the unit's province (national administrators
                          for the nation itself)

Every administrator reads the data element rows and the organisation unit rows of the units
they view.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from duan8.core import access
from duan8.dhis2.models import DataElementMapping, OrgUnitMapping


def require_reader(user) -> None:
    if not access.may_administer_anything(user):
        raise PermissionDenied


def elements(user):
    require_reader(user)
    return DataElementMapping.objects.select_related("indicator").order_by("indicator__code", "pk")


def org_units(user):
    require_reader(user)
    rows = OrgUnitMapping.objects.select_related("unit").order_by("unit__path")
    return access.scope(user, rows)


def add_element(user, **fields) -> DataElementMapping:
    access.require_national_admin(user)
    row = DataElementMapping(**fields)
    row.full_clean()
    row.save()
    return row


def delete_element(user, pk) -> None:
    access.require_national_admin(user)
    row = DataElementMapping.objects.filter(pk=access.clean_pk(pk)).first()
    if row is None:
        from django.http import Http404

        raise Http404
    row.delete()


def add_org_unit(user, unit, **fields) -> OrgUnitMapping:
    access.require_on_province(user, access.Action.ADMINISTER, unit)
    row = OrgUnitMapping(unit=unit, **fields)
    row.full_clean()
    row.save()
    return row


def delete_org_unit(user, pk) -> None:
    row = access.get_or_404(user, OrgUnitMapping.objects.select_related("unit"), pk=pk)
    access.require_on_province(user, access.Action.ADMINISTER, row.unit)
    row.delete()
