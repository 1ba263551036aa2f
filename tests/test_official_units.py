"""The official lists before and after the 2025 reform, loaded from vietnamadminunits.

Loading takes a few seconds, so this module loads once and reads in every test.
"""

import datetime

import pytest
from django.db import connection

from duan8.core.models import AuditEvent
from duan8.geo import demo, matching, official, timeline
from duan8.geo.models import (
    AdminUnit,
    Classification,
    ProjectAreaEntry,
    Succession,
    UnitKind,
)

IN_2024 = datetime.date(2024, 6, 30)
IN_2026 = datetime.date(2026, 1, 1)


def _wipe():
    from duan8.framework import models as fw

    for model in (
        fw.Target,
        fw.IndicatorVersion,
        fw.Indicator,
        fw.ContentArea,
        fw.Phase,
        fw.Project,
        fw.Programme,
        ProjectAreaEntry,
        Classification,
        Succession,
        AuditEvent,
    ):
        model.objects.all()._raw_delete(connection.alias)
    AdminUnit.objects.update(parent=None)
    AdminUnit.objects.all()._raw_delete(connection.alias)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        report = official.load()
        yield report
        _wipe()


def counts(day):
    return dict(
        AdminUnit.objects.valid_on(day)
        .exclude(kind=UnitKind.VILLAGE)
        .values_list("kind")
        .annotate(n=__import__("django.db.models").db.models.Count("pk"))
    )


def test_the_legacy_tree_has_63_provinces_696_districts_and_10040_lowest_units(loaded, db):
    found = counts(IN_2024)
    assert (found["province"], found["district"]) == (63, 696)
    # 10,035 communes, wards and towns, plus five island districts without communes.
    islands = AdminUnit.objects.valid_on(IN_2024).filter(
        kind=UnitKind.DISTRICT, children__isnull=True
    )
    assert found["commune"] == 10_035
    assert sorted(islands.values_list("short_name", flat=True)) == [
        "Bạch Long Vĩ",
        "Côn Đảo",
        "Cồn Cỏ",
        "Hoàng Sa",
        "Lý Sơn",
    ]
    assert found["commune"] + islands.count() == 10_040


def test_the_new_tree_has_34_provinces_and_3321_communes_and_no_districts(loaded, db):
    assert counts(IN_2026) == {"nation": 1, "province": 34, "commune": 3_321}


def test_kon_tum_lives_on_inside_quang_ngai(loaded, db):
    kon_tum = AdminUnit.objects.get(kind=UnitKind.PROVINCE, code="62")
    assert [link.successor.name for link in timeline.successors(kon_tum)] == ["Tỉnh Quảng Ngãi"]
    assert kon_tum.valid_until == official.REFORM_DATE


@pytest.mark.parametrize("code", ["12", "14"])
def test_lai_chau_and_son_la_are_their_own_successors(loaded, db, code):
    before = AdminUnit.objects.get(kind=UnitKind.PROVINCE, code=code, valid_until__isnull=False)
    (link,) = timeline.successors(before)
    assert (link.successor.code, link.successor.name) == (code, before.name)
    assert link.successor.valid_from == official.REFORM_DATE


def test_every_legacy_commune_has_exactly_one_default_successor(loaded, db):
    legacy = AdminUnit.objects.filter(kind=UnitKind.COMMUNE, valid_until=official.REFORM_DATE)
    defaults = Succession.objects.filter(predecessor__in=legacy, is_default=True)
    assert defaults.count() == legacy.count() == 10_035
    assert defaults.values("predecessor").distinct().count() == 10_035


def test_a_split_commune_keeps_its_default_successor_and_its_other_parts(loaded, db):
    part = Succession.objects.filter(is_default=False).select_related("predecessor").first()
    links = timeline.successors(part.predecessor)
    assert len(links) >= 2
    assert [link.is_default for link in links].count(True) == 1


def test_the_plan_spellings_of_the_15_phong_tho_communes_all_match(loaded, db):
    results = {name: found for name, _, found in demo.plan_communes()}
    assert all(found.unit is not None for found in results.values())
    assert len({found.unit.pk for found in results.values()}) == 15
    fuzzy = {name: found.unit.short_name for name, found in results.items() if found.is_fuzzy}
    assert fuzzy == {"Mỏ Sì San": "Mồ Sì San", "Pa Vây sừ": "Pa Vây Sử", "Ma Ly Pho": "Ma Li Pho"}


def test_a_2024_value_counts_under_its_district_then_and_its_successor_now(loaded, db):
    lan_nhi_thang = AdminUnit.objects.get(kind=UnitKind.COMMUNE, code="03391")
    phong_tho = lan_nhi_thang.parent
    facts = {lan_nhi_thang.pk: 7}
    then = timeline.rollup(facts, IN_2024)
    now = timeline.rollup(facts, IN_2026)
    doan_ket = AdminUnit.objects.get(kind=UnitKind.COMMUNE, code="03388", valid_until=None)
    new_lai_chau = doan_ket.parent
    assert then[lan_nhi_thang.pk] == then[phong_tho.pk] == then[phong_tho.parent_id] == 7
    assert doan_ket.pk not in then
    assert now[doan_ket.pk] == now[new_lai_chau.pk] == 7
    assert lan_nhi_thang.pk not in now and phong_tho.pk not in now
    # The fact itself was not moved.
    assert AdminUnit.objects.get(pk=lan_nhi_thang.pk).parent == phong_tho


def test_a_new_commune_maps_back_to_the_communes_it_came_from(loaded, db):
    doan_ket = AdminUnit.objects.get(kind=UnitKind.COMMUNE, code="03388", valid_until=None)
    parts = timeline.map_to_date([doan_ket], IN_2024)[doan_ket.pk]
    names = {unit.short_name for unit, _ in parts}
    assert "Lản Nhì Thàng" in names and "Đoàn Kết" in names
    assert sum(weight for _, weight in parts) == 1


@pytest.mark.parametrize("query", ["sin ho", "Sìn Hồ", "huyện Sìn Hồ", "H. Sìn Hồ"])
def test_search_ignores_diacritics_case_and_type_words(loaded, db, query):
    found = list(AdminUnit.objects.search(query)[:5])
    assert "Sìn Hồ" in [unit.short_name for unit in found]
    if "huy" in query.lower() or query.startswith("H."):
        assert found[0].kind == UnitKind.DISTRICT


def test_a_name_shared_by_two_units_is_never_silently_picked(loaded, db):
    everywhere = AdminUnit.objects.valid_on(IN_2026).filter(kind=UnitKind.COMMUNE)
    found = matching.match("Xã Tân Lập", everywhere)
    assert found.status == "ambiguous"
    assert found.unit is None and len(found.candidates) > 1


def test_loading_again_changes_nothing(loaded, db):
    units, links, events = (
        AdminUnit.objects.count(),
        Succession.objects.count(),
        AuditEvent.objects.count(),
    )
    report = official.load()
    assert (report.created, report.renamed, report.successions) == (0, 0, 0)
    assert (AdminUnit.objects.count(), Succession.objects.count(), AuditEvent.objects.count()) == (
        units,
        links,
        events,
    )


def test_the_phong_tho_demo_area_has_15_communes_and_118_villages(loaded, db):
    from duan8.geo import areas

    demo.load_phong_tho_project_area()
    summary = areas.summary(demo.phong_tho(), 2024)
    assert (summary.commune_count, summary.village_count) == (15, 118)
    villages = AdminUnit.objects.filter(kind=UnitKind.VILLAGE, valid_until=official.REFORM_DATE)
    assert villages.count() == 118 and all(v.placeholder for v in villages)
    # After the reform each village sits in its commune's successor, to be confirmed.
    carried = AdminUnit.objects.filter(kind=UnitKind.VILLAGE, valid_from=official.REFORM_DATE)
    assert carried.count() == 118 and all(v.needs_review for v in carried)


def test_a_district_fact_counts_in_its_province_successor_after_the_reform(loaded, db):
    phong_tho = AdminUnit.objects.get(kind=UnitKind.DISTRICT, code="109")
    new_lai_chau = AdminUnit.objects.get(kind=UnitKind.PROVINCE, code="12", valid_until=None)
    now = timeline.rollup({phong_tho.pk: 3}, IN_2026)
    assert now[new_lai_chau.pk] == 3


def test_an_island_district_went_into_the_special_zone_of_its_name(loaded, db):
    con_dao = AdminUnit.objects.get(kind=UnitKind.DISTRICT, short_name="Côn Đảo")
    (link,) = timeline.successors(con_dao)
    assert (link.successor.name, link.successor.unit_type) == ("Đặc khu Côn Đảo", "Đặc khu")


def test_short_names_are_written_as_people_write_them(loaded, db):
    assert not AdminUnit.objects.filter(short_name__contains="(").exists()
    ky_anh = AdminUnit.objects.filter(kind=UnitKind.DISTRICT, short_name="Kỳ Anh")
    assert sorted(ky_anh.values_list("unit_type", flat=True)) == ["Huyện", "Thị xã"]


def test_every_official_commune_matches_its_own_full_name_among_its_siblings(loaded, db):
    misses = []
    for province in AdminUnit.objects.filter(kind=UnitKind.PROVINCE, valid_until=None):
        communes = list(province.children.all())
        for commune in communes:
            found = matching.match(commune.name, communes)
            if found.unit != commune or found.status != "exact":
                misses.append(commune.name)
    assert misses == []


def test_the_demo_allocation_of_lai_chau_leaves_nothing_unallocated(loaded, db):
    from duan8.framework import allocation, defaults, periods
    from duan8.framework import demo as framework_demo

    phase = defaults.load()
    framework_demo.load_lai_chau(phase)
    province = AdminUnit.objects.get(
        kind=UnitKind.PROVINCE, code="12", valid_until=official.REFORM_DATE
    )
    grid = allocation.grid(province, phase, periods.parse("2024-H2"))
    columns = {c.indicator.code: c for c in grid.columns if c.target}
    assert {code: int(c.allocated) for code, c in columns.items()} == {
        "TTCĐ": 79,
        "CLB": 29,
        "GSBDG": 16,
        "CT2": 0,
        "CT3": 0,
        "DTCS": 138,
    }
    assert grid.fully_allocated
    assert len(grid.children) == 8


# One unit resolver: the names officers type ------------------------------------------------


def lai_chau(day):
    return AdminUnit.objects.valid_on(day).get(kind=UnitKind.PROVINCE, code="12")


def test_official_full_names_with_diacritics_pick_their_own_commune(loaded, db):
    from duan8.geo import resolver

    names = resolver.for_scope(lai_chau(IN_2024), [UnitKind.COMMUNE, UnitKind.VILLAGE])
    read = lambda text: names.resolve(text, IN_2024)  # noqa: E731
    assert (read("Xã Nậm Chà").unit.code, read("Xã Nậm Cha").unit.code) == ("03473", "03526")
    assert read("Xã Mường Tè").unit.code == "03445"
    assert read("Thị trấn Mường Tè").unit.code == "03433"
    assert read("03586").unit.name == "Xã Nậm Xe"  # a code always works
    # Without diacritics the two Nậm Cha(à) are one name: refused, both named with their district.
    both = read("Xa Nam Cha")
    assert both.unit is None and "Sìn Hồ" in both.message and "Nậm Nhùn" in both.message
    # A district after a comma narrows it.
    assert read("xa nam cha, h. sin ho").unit.code == "03526"
    # The short name alone is both the town and the commune of Mường Tè.
    assert read("Mường Tè").status == "ambiguous"


def test_a_commune_with_its_district_after_a_comma_resolves_in_the_whole_country(loaded, db):
    from duan8.geo import resolver

    nation = AdminUnit.objects.get(kind=UnitKind.NATION)
    names = resolver.for_scope(nation, [UnitKind.COMMUNE])
    found = names.resolve("xa mu sang, h. phong tho", IN_2024)
    assert (found.unit.name, found.unit.parent.name) == ("Xã Mù Sang", "Huyện Phong Thổ")
    assert (
        names.resolve("Xã Mù Sang", None, ["Huyện Phong Thổ", "Tỉnh Lai Châu"]).unit == found.unit
    )
    # Another district's name leaves nothing.
    assert names.resolve("xa mu sang, h. sin ho", IN_2024).status == "none"


def test_a_commune_that_ended_is_answered_with_its_successor_never_a_look_alike(loaded, db):
    from duan8.geo import resolver

    nation = AdminUnit.objects.get(kind=UnitKind.NATION)
    for scope in (nation, lai_chau(IN_2026)):
        found = resolver.for_scope(scope, [UnitKind.COMMUNE]).resolve("Nậm Xe", IN_2026)
        assert found.unit is None and found.status == "ended"
        successor = timeline.counterparts_on(found.candidates[0], IN_2026)[0]
        assert successor.name in found.message and "Nậm Xé" not in found.message
    # A record of 2024 read by today's province finds the former commune, but does not record
    # on it from here.
    found = resolver.for_scope(lai_chau(IN_2026), [UnitKind.COMMUNE]).resolve("Nậm Xe", IN_2024)
    assert found.status == "outside" and found.unit is None


def test_a_misspelt_name_is_offered_never_picked(loaded, db):
    from duan8.geo import resolver

    names = resolver.for_scope(lai_chau(IN_2024), [UnitKind.COMMUNE])
    found = names.resolve("Xã Nậm Xẹ", IN_2024)  # a tone mark that no commune has: same letters
    assert found.unit.code == "03586"
    offered = names.resolve("Xã Nậm Xeo", IN_2024)
    assert offered.unit is None and offered.status == "similar"
    assert "Nậm Xe" in offered.message


def test_a_thousand_teams_of_lai_chau_written_with_official_full_names_import_cleanly(loaded, db):
    from duan8.community import actions
    from tests.factories import xlsx

    province = lai_chau(IN_2024)
    communes = list(
        AdminUnit.objects.subtree(province).valid_on(IN_2024).filter(kind=UnitKind.COMMUNE)
    )
    header = ["Xã, thôn", "Tên", "Ngày thành lập"]
    rows = [
        [communes[i % len(communes)].name, f"Tổ truyền thông số {i}", "01/03/2024"]
        for i in range(1000)
    ]
    created = actions.import_rows(xlsx([header, *rows]), province, "communication_team", IN_2024)
    assert len(created) == 1000
    assert [m.unit_id for m in created[: len(communes)]] == [c.pk for c in communes]
    # The same file dated after the reform: each legacy name is answered with its successor.
    late = [[name, title, "01/03/2026"] for name, title, _ in rows[:3]]
    with pytest.raises(Exception) as refused:
        actions.import_rows(xlsx([header, *late]), province, "communication_team", IN_2026)
    assert "01/07/2025" in str(refused.value)


def test_a_name_typed_without_diacritics_finds_the_commune_that_carries_it_after_the_reform(
    loaded, db
):
    from duan8.geo import resolver

    names = resolver.for_scope(AdminUnit.objects.get(kind=UnitKind.NATION), [UnitKind.COMMUNE])
    later = names.resolve("xa dao san, lai chau", IN_2026)
    earlier = names.resolve("xa dao san, lai chau", IN_2024)
    assert later.unit.valid_from == official.REFORM_DATE and later.unit.code == "03571"
    assert earlier.unit.valid_until == official.REFORM_DATE and earlier.unit.code == "03571"
