"""Who may see and change what. Every page, form and API endpoint asks here, nowhere else.

A membership gives a user a role on a unit and on the unit's whole subtree. Roles are
ordered (viewer < editor < approver < unit administrator); an action needs at least a role:

    VIEW       viewer      read the unit's records and figures
    EDIT       editor      enter and change records
    APPROVE    approver    approve or return what the units below submit
    ADMINISTER unit admin  manage the unit itself, its accounts and read its audit trail

A national administrator may do everything everywhere. Records outside a user's view are
answered as missing (404) so that their existence does not leak; records in view for which the
action is not allowed are answered as forbidden (403).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from duan8.geo import paths

if TYPE_CHECKING:
    from duan8.geo.models import AdminUnit


class Action(enum.IntEnum):
    VIEW = 1
    EDIT = 2
    APPROVE = 3
    ADMINISTER = 4


_GRANTS_CACHE = "_duan8_grants"
_EXPORT_CACHE = "_duan8_export_grants"


def _signed_in(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_national_admin(user: Any) -> bool:
    return _signed_in(user) and bool(user.is_national_admin)


def grants(user: Any) -> list[tuple[str, int]]:
    """(unit path, role rank) for each membership of ``user``; cached on the user object."""
    if not _signed_in(user):
        return []
    cached = getattr(user, _GRANTS_CACHE, None)
    if cached is None:
        from duan8.accounts.models import ROLE_RANK, Membership

        cached = [
            (path, ROLE_RANK[role])
            for path, role in Membership.objects.filter(user=user).values_list("unit__path", "role")
        ]
        cached += _past_of(cached)
        setattr(user, _GRANTS_CACHE, cached)
    return cached


def _past_of(held: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """What a user may read of the past follows what they may read today: a role on today's
    unit lets its holder view the former units whose records count under it today (the
    communes a new commune took, the province a new province continues). Viewing only: a
    role on a former unit gives nothing on its successor unless granted there."""
    from django.utils import timezone

    from duan8.geo import treemap

    tree = treemap.on(timezone.localdate())
    past = []
    for path, _rank in held:
        pk = paths.ids_in(path)[-1]
        if not tree.exists(pk):
            continue
        prefixes, singles = tree.reach(pk, former_only=True)
        past += [(prefix, Action.VIEW) for prefix in prefixes if prefix != path]
        past += [(tree.units.path[single] + EXACT, Action.VIEW) for single in singles]
    return past


def forget(user: Any) -> None:
    """Drop the cached grants after the user's memberships change."""
    for cache in (_GRANTS_CACHE, _EXPORT_CACHE):
        if user is not None and hasattr(user, cache):
            delattr(user, cache)


def rank_on(user: Any, unit: AdminUnit) -> int:
    """The strongest role rank ``user`` holds on ``unit`` through any membership above it."""
    if is_national_admin(user):
        return max(Action)
    return max((rank for path, rank in grants(user) if _covers(path, unit.path)), default=0)


# A grant on one unit alone (not its subtree) ends with this mark: a former unit that went only
# in part into today's unit is readable, not the parts of it that went elsewhere.
EXACT = "="


def _covers(grant: str, path: str) -> bool:
    if grant.endswith(EXACT):
        return path == grant[: -len(EXACT)]
    return path.startswith(grant)


def sees_whole_subtree(user: Any, unit: AdminUnit) -> bool:
    """Whether ``user`` may view every unit below ``unit`` (a role on it or above it, not a
    view of a former unit granted on that unit alone)."""
    if is_national_admin(user):
        return True
    return any(not g.endswith(EXACT) and unit.path.startswith(g) for g, rank in grants(user))


def can(user: Any, action: Action, unit: AdminUnit) -> bool:
    return rank_on(user, unit) >= action


def works_within(user: Any, unit: AdminUnit) -> bool:
    """Whether ``user`` views ``unit`` or holds a role on a unit inside it — what a province
    decides for all its units (its spending norms) is read by the officers of its communes."""
    if can(user, Action.VIEW, unit):
        return True
    return any(g.removesuffix(EXACT).startswith(unit.path) for g, _rank in grants(user))


def sees_addresses(user: Any, unit: AdminUnit | None) -> bool:
    """Whether a history shown to ``user`` includes the addresses changes came from: the
    audit trail is for the unit's administrators; viewers and editors see what changed, by
    whom and when."""
    if unit is None:
        return is_national_admin(user)
    return can(user, Action.ADMINISTER, unit)


# Personal data (Decree 13/2023/NĐ-CP) ---------------------------------------------------
#
# Citizen ID (CCCD) and phone numbers of the people in the registries (mothers) are personal
# data. They are shown in clear only to those whose work needs them, and leave the system in
# a file only with a permission of its own:
#
# - seeing them on pages: editors and above on the person's unit (the commune officer who
#   registers the mother and checks her papers, the district and province officers who
#   approve her entitlements, the unit's administrators) and national administrators.
#   Viewers (partner departments, neighbouring units reading figures) see them masked.
# - exporting them (a personal list to Excel, personal fields in the API): only through a
#   membership on the unit or above that carries ``may_export_personal_data`` — granted by
#   the unit's administrators, apart from the role, audited like every membership change —
#   or as a national administrator. A role alone, however strong, is not enough.
#
# Each view and export of a personal list is logged by ``duan8.maternal.privacy``.


def sees_personal_data(user: Any, unit: AdminUnit) -> bool:
    """Whether ``user`` sees citizen IDs and phones of the people of ``unit`` unmasked."""
    return can(user, Action.EDIT, unit)


def export_grants(user: Any) -> list[str]:
    """Paths of the units whose personal data ``user`` may export (cached like ``grants``).
    A grant on today's unit covers the former units whose records count under it today."""
    if not _signed_in(user):
        return []
    cached = getattr(user, _EXPORT_CACHE, None)
    if cached is None:
        from duan8.accounts.models import ROLE_RANK, Membership

        held = [
            (path, ROLE_RANK[role])
            for path, role in Membership.objects.filter(
                user=user, may_export_personal_data=True
            ).values_list("unit__path", "role")
        ]
        cached = [path for path, _rank in held + _past_of(held)]
        setattr(user, _EXPORT_CACHE, cached)
    return cached


def may_export_personal_data(user: Any, unit: AdminUnit) -> bool:
    """Whether ``user`` may take the personal data of ``unit``'s people out of the system
    (Excel lists, personal fields of the API). Needs the membership permission, not a role."""
    if is_national_admin(user):
        return True
    return can(user, Action.VIEW, unit) and any(
        _covers(path, unit.path) for path in export_grants(user)
    )


def require(user: Any, action: Action, unit: AdminUnit) -> None:
    """404 when the unit is out of the user's view, 403 when in view but not allowed."""
    rank = rank_on(user, unit)
    if rank < Action.VIEW:
        raise Http404
    if rank < action:
        raise PermissionDenied


def require_on_province(user: Any, action: Action, unit: AdminUnit) -> None:
    """For what the province decides (project area, classifications): the unit must be in
    view (else 404) and the user must hold ``action`` on the unit's province (else 403);
    above province level only national administrators may act."""
    require(user, Action.VIEW, unit)
    province = unit.province()
    allowed = can(user, action, province) if province is not None else is_national_admin(user)
    if not allowed:
        raise PermissionDenied


def require_unit_change(user: Any, unit: AdminUnit) -> None:
    """Official units (names, codes, dates from the official lists) are changed by national
    administrators only; villages by the administrators of their units."""
    require(user, Action.ADMINISTER, unit)
    from duan8.geo.models import UnitKind

    if unit.kind != UnitKind.VILLAGE and not is_national_admin(user):
        raise PermissionDenied


def require_national_admin(user: Any) -> None:
    """The framework (programmes, phases, indicators) is changed by national administrators."""
    if not is_national_admin(user):
        raise PermissionDenied


def can_set_target(user: Any, unit: AdminUnit) -> bool:
    """A unit's own target is set by the unit above it (a province sets its districts'
    targets, not its neighbour's); the national target by national administrators."""
    if unit.parent_id is None:
        return is_national_admin(user)
    return can(user, Action.EDIT, unit.parent)


def root_paths(user: Any, action: Action = Action.VIEW) -> list[str] | None:
    """Paths of the subtrees where ``user`` may do ``action``; None means everywhere."""
    if is_national_admin(user):
        return None
    return paths.collapse([path for path, rank in grants(user) if rank >= action])


def unit_q(user: Any, action: Action = Action.VIEW, *, path_field: str = "unit__path") -> Q:
    """A filter for rows whose unit is within the user's scope for ``action``."""
    roots = root_paths(user, action)
    if roots is None:
        return Q()
    exact = [root[: -len(EXACT)] for root in roots if root.endswith(EXACT)]
    query = paths.any_prefix_q(path_field, [root for root in roots if not root.endswith(EXACT)])
    return query | Q(**{f"{path_field}__in": exact}) if exact else query


def scope(
    user: Any, queryset: QuerySet, action: Action = Action.VIEW, *, path_field: str = "unit__path"
) -> QuerySet:
    """``queryset`` narrowed to what ``user`` may ``action``. Every list goes through here."""
    if not _signed_in(user):
        return queryset.none()
    return queryset.filter(unit_q(user, action, path_field=path_field))


def scope_records(user: Any, queryset: QuerySet, action: Action = Action.VIEW) -> QuerySet:
    """Like ``scope`` for records with a ``unit``, found through the ids of the units in scope
    (the database reads the units by path first, then their records by unit). Lists that also
    hold records of other units (a figure's records on another tree date) go through here, so
    that they never show what the user may not read."""
    if not _signed_in(user):
        return queryset.none()
    if is_national_admin(user):
        return queryset
    return queryset.filter(unit_id__in=scope_units(user, action).values("pk"))


def scope_units(user: Any, action: Action = Action.VIEW, queryset: QuerySet | None = None):
    from duan8.geo.models import AdminUnit

    return scope(
        user,
        queryset if queryset is not None else AdminUnit.objects.all(),
        action,
        path_field="path",
    )


MAX_ID = 2**63 - 1


def clean_pk(value: Any) -> int:
    """A record id from a URL or form, or 404: text and out-of-range numbers find nothing."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 1 <= pk <= MAX_ID:
        raise Http404
    return pk


def get_or_404(
    user: Any,
    queryset: QuerySet,
    action: Action = Action.VIEW,
    *,
    unit_of=lambda obj: obj.unit,
    **lookup: Any,
) -> Model:
    """Fetch one record, then apply ``require`` to the unit it belongs to."""
    if "pk" in lookup:
        lookup["pk"] = clean_pk(lookup["pk"])
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404
    require(user, action, unit_of(obj))
    return obj


def get_unit_or_404(user: Any, pk: Any, action: Action = Action.VIEW) -> AdminUnit:
    from duan8.geo.models import AdminUnit

    return get_or_404(user, AdminUnit.objects.all(), action, unit_of=lambda u: u, pk=pk)


# Accounts -------------------------------------------------------------------------------


def manageable_users(admin: Any) -> QuerySet:
    """Accounts ``admin`` may manage: every role they hold lies inside the admin's subtrees.

    An account that also holds a role elsewhere (say, in another province or at the centre)
    is left to an administrator of all its units, so that nobody can take over an account
    that reaches beyond their own subtree by resetting its password. National administrators
    are managed only by national administrators.
    """
    from duan8.accounts.models import Membership, User

    if is_national_admin(admin):
        return User.objects.all()
    roots = root_paths(admin, Action.ADMINISTER)
    if not roots:
        return User.objects.none()
    held_elsewhere = Membership.objects.exclude(paths.any_prefix_q("unit__path", roots))
    return (
        User.objects.filter(is_national_admin=False)
        .filter(
            pk__in=Membership.objects.filter(paths.any_prefix_q("unit__path", roots)).values(
                "user_id"
            )
        )
        .exclude(pk__in=held_elsewhere.values("user_id"))
    )


def can_manage_user(admin: Any, user: Any) -> bool:
    return manageable_users(admin).filter(pk=user.pk).exists()


def get_user_or_404(admin: Any, pk: Any):
    """An account ``admin`` may manage; 403 for non-administrators, 404 for others' accounts."""
    require_administrator(admin)
    user = manageable_users(admin).filter(pk=clean_pk(pk)).first()
    if user is None:
        raise Http404
    return user


def may_administer_anything(user: Any) -> bool:
    return is_national_admin(user) or bool(root_paths(user, Action.ADMINISTER))


def require_administrator(user: Any) -> None:
    if not may_administer_anything(user):
        raise PermissionDenied
