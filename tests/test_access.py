"""The access rules themselves, one condition at a time."""

from duan8.accounts.models import Membership, Role
from duan8.core import access
from duan8.core.access import Action
from duan8.geo import paths
from duan8.geo.models import AdminUnit


def test_a_role_on_a_unit_reaches_its_whole_subtree_and_nothing_above(world):
    approver = world.district_approver
    assert access.can(approver, Action.APPROVE, world.commune)
    assert access.can(approver, Action.APPROVE, world.district)
    assert not access.can(approver, Action.VIEW, world.province)
    assert not access.can(approver, Action.VIEW, world.sibling_commune)


def test_stronger_roles_include_the_weaker_ones(world):
    admin = world.province_admin
    assert all(access.can(admin, action, world.commune) for action in Action)
    editor = world.commune_editor
    assert access.can(editor, Action.EDIT, world.commune)
    assert not access.can(editor, Action.APPROVE, world.commune)


def test_the_strongest_of_several_roles_counts(world):
    Membership.objects.create(user=world.commune_editor, unit=world.district, role=Role.VIEWER)
    access.forget(world.commune_editor)
    assert access.can(world.commune_editor, Action.EDIT, world.commune)
    assert access.can(world.commune_editor, Action.VIEW, world.district)
    assert not access.can(world.commune_editor, Action.EDIT, world.district)


def test_a_deactivated_account_may_do_nothing(world):
    world.province_admin.is_active = False
    assert not access.can(world.province_admin, Action.VIEW, world.commune)
    assert access.scope_units(world.province_admin).count() == 0


def test_scoping_a_list_keeps_only_the_users_subtrees(world):
    visible = set(access.scope_units(world.sibling_viewer).values_list("short_name", flat=True))
    assert visible == {"Sìn Hồ", "Pa Tần"}
    assert access.scope_units(world.national_admin).count() == AdminUnit.objects.count()


def test_nested_grants_collapse_to_the_outer_one():
    assert paths.collapse(["/1/2/", "/1/2/3/", "/1/4/", "/1/"]) == ["/1/"]
    assert paths.collapse(["/1/2/", "/1/23/"]) == ["/1/2/", "/1/23/"]


def test_an_administrator_manages_accounts_held_wholly_inside_her_subtree(world):
    managed = set(access.manageable_users(world.province_admin))
    assert {world.commune_editor, world.district_approver, world.sibling_viewer} <= managed
    assert world.outsider not in managed and world.national_admin not in managed


def test_an_account_with_a_role_elsewhere_is_not_hers_to_manage(world):
    Membership.objects.create(
        user=world.commune_editor, unit=world.other_province, role=Role.VIEWER
    )
    assert world.commune_editor not in access.manageable_users(world.province_admin)
    assert world.commune_editor in access.manageable_users(world.national_admin)
