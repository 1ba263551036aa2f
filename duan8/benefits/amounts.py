"""Packages, items and amounts as data: who reads and sets them, which amount is in force for
a province on a day, and amounts changed from a day as new versions. Access is decided by
``core.access``: the nation's packages and amounts are set by national administrators, a
province's by the administrators of that province; everyone signed in reads the nation's and
those of the provinces they work in.

Nothing here invents an amount: an item without one in force is "not configured".
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from duan8.benefits.models import ItemAmount, SupportItem, SupportPackage
from duan8.core import access
from duan8.geo import paths, treemap
from duan8.geo.models import AdminUnit, UnitKind

# Who reads and sets --------------------------------------------------------------------


def may_set(user, scope: AdminUnit) -> bool:
    """Packages, items and amounts of the nation: national administrators; of a province: its
    administrators."""
    if scope.parent_id is None:
        return access.is_national_admin(user)
    return scope.kind == UnitKind.PROVINCE and access.can(user, access.Action.ADMINISTER, scope)


def reaches(user, scope: AdminUnit) -> bool:
    """The nation's are read by everyone signed in; a province's by whoever works in it."""
    if not getattr(user, "is_authenticated", False):
        return False
    return scope.parent_id is None or access.works_within(user, scope)


def settable_scopes(user):
    """The scopes ``user`` sets packages and amounts for: the nation (national administrators)
    and the current provinces they administer."""
    provinces = AdminUnit.objects.filter(kind=UnitKind.PROVINCE).valid_on(timezone.localdate())
    provinces = access.scope_units(user, access.Action.ADMINISTER, provinces)
    if access.is_national_admin(user):
        return (AdminUnit.objects.filter(parent__isnull=True) | provinces).order_by("depth", "name")
    return provinces.order_by("name")


def amount_scopes(user, package: SupportPackage):
    """Where ``user`` may set amounts of ``package``'s items: a province's own package only
    there; a nation-wide package for the nation or a province."""
    scopes = settable_scopes(user)
    if package.scope.parent_id is not None:
        return scopes.filter(pk__in=[s.pk for s in scopes if continues(s, package.scope)])
    return scopes


def continues(scope: AdminUnit, earlier: AdminUnit) -> bool:
    """Whether ``scope`` is the province ``earlier`` or a province that continues it (today's
    Lai Châu continues the Lai Châu of before the reform): it may set the amounts of the
    earlier one's own package."""
    if scope.pk == earlier.pk:
        return True
    if scope.kind != UnitKind.PROVINCE:
        return False
    return any(p.pk == earlier.pk for p in provinces_of(scope, scope.valid_from))


def readable_packages(user):
    """The nation's packages and those of the provinces ``user`` works in."""
    if not getattr(user, "is_authenticated", False):
        return SupportPackage.objects.none()
    if access.is_national_admin(user):
        return SupportPackage.objects.all()
    scopes = AdminUnit.objects.filter(pk__in=SupportPackage.objects.values("scope_id").distinct())
    allowed = [scope.pk for scope in scopes if reaches(user, scope)]
    return SupportPackage.objects.filter(scope_id__in=allowed)


def readable_amounts(user):
    """Amount versions of readable packages, in scopes ``user`` reads."""
    if not getattr(user, "is_authenticated", False):
        return ItemAmount.objects.none()
    if access.is_national_admin(user):
        return ItemAmount.objects.all()
    scopes = AdminUnit.objects.filter(pk__in=ItemAmount.objects.values("scope_id").distinct())
    allowed = [scope.pk for scope in scopes if reaches(user, scope)]
    return ItemAmount.objects.filter(
        scope_id__in=allowed, item__package__in=readable_packages(user)
    )


def get_scope_or_404(user, pk) -> AdminUnit:
    """The scope of a new package: one ``user`` reads (404 otherwise) and sets (403)."""
    scope = AdminUnit.objects.filter(pk=access.clean_pk(pk)).first()
    if scope is None or not reaches(user, scope):
        raise Http404
    if not settable_scopes(user).filter(pk=scope.pk).exists():
        raise PermissionDenied
    return scope


def get_package_or_404(user, pk, *, change: bool = False) -> SupportPackage:
    """A package ``user`` reads (404 otherwise); with ``change``, one they set (403)."""
    package = SupportPackage.objects.select_related("scope").filter(pk=access.clean_pk(pk)).first()
    if package is None or not reaches(user, package.scope):
        raise Http404
    if change and not may_set(user, package.scope):
        raise PermissionDenied
    return package


def get_item_or_404(user, pk) -> SupportItem:
    item = (
        SupportItem.objects.select_related("package__scope").filter(pk=access.clean_pk(pk)).first()
    )
    if item is None or not reaches(user, item.package.scope):
        raise Http404
    return item


def get_amount_scope_or_404(user, package: SupportPackage, pk) -> AdminUnit:
    """The scope of a new amount of ``package``'s items: read by ``user`` (404) and among
    those they set for this package (403)."""
    scope = AdminUnit.objects.filter(pk=access.clean_pk(pk)).first()
    if scope is None or not reaches(user, scope):
        raise Http404
    if not amount_scopes(user, package).filter(pk=scope.pk).exists():
        raise PermissionDenied
    return scope


def get_amount_or_404(user, pk, *, change: bool = False) -> ItemAmount:
    """An amount version ``user`` reads (404); with ``change``, one they set (403)."""
    found = (
        ItemAmount.objects.select_related("scope", "item__package__scope")
        .filter(pk=access.clean_pk(pk))
        .first()
    )
    if (
        found is None
        or not reaches(user, found.scope)
        or not reaches(user, found.item.package.scope)
    ):
        raise Http404
    if change and not may_set(user, found.scope):
        raise PermissionDenied
    return found


# Writes ----------------------------------------------------------------------------------


def save(record):
    """Store a package, an item or a new amount, checked, in one transaction (audited)."""
    with transaction.atomic():
        record.full_clean()
        record.save()
    return record


def change_amount(current: ItemAmount, valid_from: datetime.date, **changes) -> ItemAmount:
    """A new version of ``current`` from ``valid_from`` (its figures or document changed); the
    old one closed the day before. Entitlements that used the old one keep it. A change that
    carries the version it read (``expected_version``, the API) is refused (``Stale``) when the
    old one changed since."""
    with transaction.atomic():
        old = ItemAmount.objects.select_for_update().get(pk=current.pk)
        old.expected_version = getattr(current, "expected_version", None)
        if valid_from <= old.valid_from:
            raise ValidationError(
                {"valid_from": _("A new version starts after the one it replaces.")}
            )
        if old.valid_until is not None and valid_from >= old.valid_until:
            raise ValidationError(
                {"valid_from": _("The amount ended before that day; add a new amount instead.")}
            )
        new = ItemAmount(
            item=old.item,
            scope=old.scope,
            amount=old.amount,
            amount_caesarean=old.amount_caesarean,
            max_count=old.max_count,
            document=old.document,
            notes=old.notes,
            valid_from=valid_from,
            valid_until=old.valid_until,
            previous=old,
        )
        for name, value in changes.items():
            setattr(new, name, value)
        old.valid_until = valid_from
        old.full_clean()
        old.save()
        new.full_clean()
        new.save()
    return new


def close_amount(amount: ItemAmount, valid_until: datetime.date) -> ItemAmount:
    """The amount no longer applies to births from ``valid_until``."""
    with transaction.atomic():
        expected = getattr(amount, "expected_version", None)
        amount = ItemAmount.objects.select_for_update().get(pk=amount.pk)
        amount.expected_version = expected
        amount.valid_until = valid_until
        amount.full_clean()
        amount.save()
    return amount


# Which amount applies ---------------------------------------------------------------------


def province_on(unit: AdminUnit, day: datetime.date) -> AdminUnit | None:
    """The province ``unit`` lay in on ``day``: on that day's tree (a village of a commune
    merged away is followed to the unit that stood for it), else by its own path."""
    tree = treemap.on(day)
    targets = tree.targets(unit.pk)
    if targets:
        target = max(targets, key=lambda pair: pair[1])[0]
        for pk in reversed(paths.ids_in(tree.units.path[target])):
            if tree.units.kind[pk] == UnitKind.PROVINCE:
                return AdminUnit.objects.filter(pk=pk).first()
    return unit.province()


def provinces_of(unit: AdminUnit, day: datetime.date) -> list[AdminUnit]:
    """The province ``unit`` lay in on ``day``, then the provinces it continues, newest first:
    the one the place lay in the day before that province began (today's Lai Châu continues
    the Lai Châu of before 1/7/2025; a merged province, the one the village was part of). A
    province's documents stay in force in its area until the province that continues it
    replaces them."""
    found: list[AdminUnit] = []
    province = province_on(unit, day)
    while province is not None and len(found) < 4:
        found.append(province)
        before = province_on(unit, province.valid_from - datetime.timedelta(days=1))
        if before is None or any(before.pk == seen.pk for seen in found):
            break
        province = before
    return found


def scopes_of(provinces: list[AdminUnit]) -> list[AdminUnit]:
    """The scopes whose packages and amounts reach a place: the nation, then the provinces it
    lay in, the oldest first (a later scope's own amount applies over an earlier one's)."""
    nation = AdminUnit.objects.filter(parent__isnull=True).order_by("pk")
    chain = list(reversed(provinces))
    found = list(nation.filter(pk__in=paths.ids_in(chain[-1].path))) if chain else []
    if not found:
        found = list(nation[:1])
    return [*found, *chain]


def packages_for(provinces: list[AdminUnit]):
    return SupportPackage.objects.filter(scope__in=scopes_of(provinces)).order_by(
        "scope__depth", "order", "code", "pk"
    )


def amount_in_force(
    item: SupportItem, provinces: list[AdminUnit], day: datetime.date
) -> ItemAmount | None:
    """The amount of ``item`` in force on ``day`` for a place that lay in ``provinces``
    (``provinces_of``): the province's own, else that of the province it continues, else the
    nation's; None when none is set (not configured)."""
    scopes = scopes_of(provinces)
    depth = {scope.pk: index for index, scope in enumerate(scopes)}
    rows = (
        ItemAmount.objects.filter(item=item, scope__in=scopes, valid_from__lte=day)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=day))
        .select_related("scope")
    )
    chosen = None
    for row in rows:
        if chosen is None or depth[row.scope_id] > depth[chosen.scope_id]:
            chosen = row
    return chosen
