"""The administrative unit tree: materialised paths, subtrees, moves and effective dates."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from duan8.geo.models import AdminUnit, UnitKind
from tests.factories import REFORM, unit


def test_a_subtree_holds_the_unit_and_everything_below_it(world):
    names = set(AdminUnit.objects.subtree(world.province).values_list("short_name", flat=True))
    assert names == {"Lai Châu", "Phong Thổ", "Mồ Sì San", "Bản Sì Choang", "Sìn Hồ", "Pa Tần"}


def test_a_subtree_does_not_catch_units_whose_id_merely_starts_alike(world):
    # /1/2/ must not catch /1/23/: paths end with a separator.
    units = [unit(UnitKind.PROVINCE, f"Tỉnh {i}", world.nation) for i in range(12)]
    first = units[0]
    assert list(AdminUnit.objects.subtree(first)) == [first]


def test_the_path_of_a_unit_lists_its_ancestors(world):
    assert [u.short_name for u in world.commune.ancestors()] == [
        "Việt Nam",
        "Lai Châu",
        "Phong Thổ",
    ]
    assert world.commune.depth == 3


def test_moving_a_unit_moves_its_whole_subtree(world):
    village = unit(UnitKind.VILLAGE, "Bản Sì Choang", world.commune, code="")
    world.commune.parent = world.sibling_district
    world.commune.save()
    village.refresh_from_db()
    assert village.path.startswith(world.sibling_district.path)
    assert village.depth == 4
    assert village in AdminUnit.objects.subtree(world.sibling_district)
    assert village not in AdminUnit.objects.subtree(world.district)


def test_units_valid_on_a_date_follow_inclusive_start_and_exclusive_end(world):
    merged = unit(UnitKind.COMMUNE, "Xã Cũ", world.district, valid_until=REFORM)
    successor = unit(UnitKind.COMMUNE, "Xã Mới", world.province, valid_from=REFORM)
    last_day = REFORM - datetime.timedelta(days=1)
    on_last_day = AdminUnit.objects.valid_on(last_day)
    on_reform = AdminUnit.objects.valid_on(REFORM)
    assert merged in on_last_day and successor not in on_last_day
    assert merged not in on_reform and successor in on_reform
    assert merged.reference_day() == last_day


def test_an_official_code_is_unique_per_kind_and_start_date(world):
    with pytest.raises(IntegrityError):
        unit(UnitKind.COMMUNE, "Xã Trùng Mã", world.district, code=world.commune.code)


def test_the_same_code_may_return_for_a_unit_of_a_later_date(world):
    later = unit(
        UnitKind.COMMUNE, "Xã Mồ Sì San", world.province, code=world.commune.code, valid_from=REFORM
    )
    assert later.pk != world.commune.pk


def test_a_commune_cannot_be_placed_under_a_village(world):
    village = unit(UnitKind.VILLAGE, "Bản A", world.commune, code="")
    wrong = AdminUnit(
        kind=UnitKind.COMMUNE,
        name="Xã B",
        short_name="B",
        parent=village,
        valid_from=datetime.date(2021, 1, 1),
        code="1",
    )
    with pytest.raises(ValidationError) as error:
        wrong.full_clean()
    assert "parent" in error.value.message_dict


def test_the_end_date_must_follow_the_start_date(world):
    world.commune.valid_until = datetime.date(2020, 1, 1)
    with pytest.raises(ValidationError):
        world.commune.full_clean()


def test_a_unit_cannot_move_into_its_own_subtree(world):
    world.district.parent = world.commune
    with pytest.raises(ValidationError):
        world.district.full_clean()
