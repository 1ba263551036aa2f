"""The one reading path: every figure for a unit, a period and a tree date, across the reform.

A small Lai Châu before and after 1/7/2025: the former province with Phong Thổ district and
its communes Mù Sang and Ma Ly Pho; today's province with Dào San (which took Mù Sang) and
two communes that each took a share of Ma Ly Pho.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from duan8.accounts.models import Role
from duan8.analytics import reading
from duan8.community import actions as community_actions
from duan8.community.models import CommunityModel
from duan8.framework import actions as framework_actions
from duan8.framework import periods
from tests.factories import REFORM, ReformWorld, token, user

IN_2024 = periods.parse("2024")
IN_2026 = periods.parse("2026")
PHASE = periods.parse("2021-2025")


@pytest.fixture
def reform(db):
    return ReformWorld()


def team(where, on: datetime.date, name: str = "Tổ truyền thông") -> CommunityModel:
    return community_actions.save(
        CommunityModel(kind="communication_team", unit=where, name=name, established_on=on)
    )


def value(world, where, period, on=None):
    return reading.read(world.teams, where, period, on).value


def test_a_2024_team_of_mu_sang_counts_under_phong_tho_and_the_former_province_for_2024(reform):
    team(reform.mu_sang, datetime.date(2024, 5, 1))
    assert value(reform, reform.mu_sang, IN_2024) == 1
    assert value(reform, reform.phong_tho, IN_2024) == 1
    assert value(reform, reform.old_lai_chau, IN_2024) == 1
    assert value(reform, reform.nation, IN_2024) == 1


def test_the_same_team_counts_under_dao_san_and_todays_lai_chau_for_2026_and_the_phase(reform):
    team(reform.mu_sang, datetime.date(2024, 5, 1))
    for period in (IN_2026, PHASE):
        assert value(reform, reform.dao_san, period) == 1
        assert value(reform, reform.lai_chau, period) == 1
        assert value(reform, reform.nation, period) == 1


def test_an_abolished_unit_counts_nothing_on_a_tree_where_it_no_longer_exists(reform):
    team(reform.mu_sang, datetime.date(2024, 5, 1))
    on = datetime.date(2026, 12, 31)
    totals = reading.totals(reform.teams, IN_2026, on)
    assert reform.phong_tho.pk not in totals
    assert reform.old_lai_chau.pk not in totals
    assert reform.mu_sang.pk not in totals
    found = reading.read(reform.teams, reform.phong_tho, IN_2026, on)
    assert (found.value, found.exists) == (None, False)


def test_a_split_commune_counts_in_each_successor_by_its_share(reform):
    for i in range(5):
        team(reform.ma_ly_pho, datetime.date(2023, 3, 1), f"Tổ {i}")
    assert value(reform, reform.khong_lao, PHASE) == 3
    assert value(reform, reform.phong_tho_commune, PHASE) == 2
    assert value(reform, reform.lai_chau, PHASE) == 5


def test_a_2026_team_read_on_the_2024_tree_goes_to_the_communes_it_came_from(reform):
    team(reform.dao_san, datetime.date(2026, 2, 1))
    on = datetime.date(2024, 12, 31)
    assert value(reform, reform.mu_sang, IN_2026, on) == 1
    assert value(reform, reform.phong_tho, IN_2026, on) == 1
    assert value(reform, reform.old_lai_chau, IN_2026, on) == 1


def test_2024_read_on_todays_units_gives_todays_communes_their_history(reform):
    team(reform.mu_sang, datetime.date(2024, 5, 1))
    assert value(reform, reform.dao_san, IN_2024, datetime.date(2026, 1, 1)) == 1


def test_a_saved_team_is_in_the_national_figure_on_the_very_next_read(reform):
    before = value(reform, reform.nation, PHASE)
    team(reform.dao_san, datetime.date(2025, 9, 1))
    assert value(reform, reform.nation, PHASE) == before + 1


def test_a_dissolution_saved_is_read_at_once(reform):
    saved = team(reform.mu_sang, datetime.date(2024, 5, 1))
    assert value(reform, reform.lai_chau, PHASE) == 1
    saved.ended_on = datetime.date(2025, 3, 1)
    community_actions.save(saved)
    assert value(reform, reform.lai_chau, PHASE) == 0


def test_targets_of_the_former_province_are_carried_to_todays_province(reform):
    framework_actions.set_target(reform.teams, reform.old_lai_chau, IN_2024, Decimal(79))
    found = reading.read(reform.teams, reform.lai_chau, IN_2024)
    assert found.target == 79
    assert found.target_from == (reform.old_lai_chau.pk,)
    assert found.on == REFORM  # today's Lai Châu did not exist at the end of 2024


def test_district_targets_are_not_added_to_the_province_target(reform):
    framework_actions.set_target(reform.teams, reform.old_lai_chau, IN_2024, Decimal(79))
    framework_actions.set_target(reform.teams, reform.phong_tho, IN_2024, Decimal(30))
    assert reading.read(reform.teams, reform.lai_chau, IN_2024).target == 79


def test_todays_province_page_shows_the_former_provinces_targets_and_results(client, reform):
    framework_actions.set_target(reform.teams, reform.old_lai_chau, IN_2024, Decimal(79))
    team(reform.mu_sang, datetime.date(2024, 5, 1))
    officer = user("laichau.xem", role=Role.VIEWER, on=reform.lai_chau)
    client.force_login(officer)
    page = client.get(
        reverse("framework:targets", args=[reform.lai_chau.pk]),
        {"phase": reform.phase.pk, "period": "2024"},
    )
    (row,) = page.context["targets"]
    assert row["reading"].target == 79 and row["reading"].value == 1
    assert row["carried_from"] == [reform.old_lai_chau]
    assert "Carried from" in page.content.decode() or "Chuyển từ" in page.content.decode()


def test_the_list_behind_a_carried_figure_holds_the_former_communes_records(client, reform):
    team(reform.mu_sang, datetime.date(2024, 5, 1), "Tổ Mù Sang")
    found = reading.read(reform.teams, reform.dao_san, PHASE)
    client.force_login(user("tw", national_admin=True))
    page = client.get(found.records_url)
    assert [m.name for m in page.context["page"]] == ["Tổ Mù Sang"]


def test_the_unit_page_counts_the_teams_of_the_communes_it_took(client, reform):
    team(reform.mu_sang, datetime.date(2024, 5, 1))
    client.force_login(user("tw", national_admin=True))
    page = client.get(reverse("geo:unit", args=[reform.dao_san.pk]))
    assert [n for _v, _l, n in page.context["model_counts"]] == [1]
    old = client.get(reverse("geo:unit", args=[reform.dao_san.pk]), {"on": "31/12/2024"})
    assert old.status_code == 200


def test_the_figures_endpoint_reads_the_same_figure_on_two_tree_dates(client, reform):
    team(reform.mu_sang, datetime.date(2024, 5, 1))
    admin = user("tw", national_admin=True)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token(admin)}"}
    url = reverse("api:figures")
    query = {"indicator": reform.teams.pk, "period": "2024", "children": "true"}
    old = client.get(url, {**query, "unit": reform.old_lai_chau.pk}, **headers).json()
    assert old["on"] == "2024-12-31"
    assert old["figure"]["value"] == 1
    assert [c["unit"] for c in old["children"]] == ["Huyện Phong Thổ"]
    new = client.get(url, {**query, "unit": reform.lai_chau.pk}, **headers).json()
    assert new["on"] == "2025-07-01"
    assert new["figure"]["value"] == 1
    assert {c["unit"]: c["value"] for c in new["children"]}["Xã Dào San"] == 1


def test_a_viewer_of_todays_commune_reads_the_records_of_the_commune_it_took(client, reform):
    saved = team(reform.mu_sang, datetime.date(2024, 5, 1), "Tổ Mù Sang")
    client.force_login(user("daosan.xem", role=Role.VIEWER, on=reform.dao_san))
    assert client.get(reverse("community:detail", args=[saved.pk])).status_code == 200
    other = team(reform.ma_ly_pho, datetime.date(2024, 5, 1), "Tổ Ma Ly Pho")
    assert client.get(reverse("community:detail", args=[other.pk])).status_code == 404


def test_a_membership_on_a_former_unit_gives_no_rights_on_its_successor(client, reform):
    client.force_login(user("musang.nhaplieu", role=Role.EDITOR, on=reform.mu_sang))
    assert client.get(reverse("geo:unit", args=[reform.dao_san.pk])).status_code == 404


def fresh(world, where, period, on=None):
    """The same figure computed from nothing, to compare a patched figure with."""
    reading.forget()
    return value(world, where, period, on)


def test_a_team_moved_to_another_commune_leaves_one_count_and_joins_the_other(reform):
    saved = team(reform.mu_sang, datetime.date(2024, 5, 1))
    team(reform.ma_ly_pho, datetime.date(2024, 6, 1))
    assert value(reform, reform.dao_san, PHASE) == 1
    assert value(reform, reform.khong_lao, PHASE) == Decimal("0.6")
    saved.unit = reform.ma_ly_pho
    community_actions.save(saved)
    assert value(reform, reform.dao_san, PHASE) == 0
    assert value(reform, reform.khong_lao, PHASE) == Decimal("1.2")
    assert value(reform, reform.lai_chau, PHASE) == 2 == fresh(reform, reform.lai_chau, PHASE)


def test_a_deleted_team_leaves_every_figure_at_once(reform):
    saved = team(reform.mu_sang, datetime.date(2024, 5, 1))
    team(reform.mu_sang, datetime.date(2024, 6, 1))
    assert value(reform, reform.old_lai_chau, IN_2024) == 2
    saved.delete()
    assert value(reform, reform.old_lai_chau, IN_2024) == 1
    assert value(reform, reform.nation, IN_2024) == 1 == fresh(reform, reform.nation, IN_2024)


def test_records_written_around_the_audit_path_are_read_afresh(reform):
    from duan8.core import audit

    team(reform.mu_sang, datetime.date(2024, 5, 1))
    assert value(reform, reform.phong_tho, IN_2024) == 1
    CommunityModel.objects.bulk_create(
        [
            CommunityModel(
                kind="communication_team",
                unit=reform.ma_ly_pho,
                name=f"Tổ {i}",
                established_on=datetime.date(2024, 2, 1),
            )
            for i in range(3)
        ]
    )
    audit.bump(CommunityModel)  # what the data generator does after its bulk inserts
    assert value(reform, reform.phong_tho, IN_2024) == 4


def test_figures_stay_right_when_the_process_lets_go_of_the_facts_but_keeps_the_totals(reform):
    from duan8.analytics import facts

    team(reform.mu_sang, datetime.date(2024, 5, 1))
    assert value(reform, reform.phong_tho, IN_2024) == 1
    team(reform.mu_sang, datetime.date(2024, 6, 1))
    facts.forget_key(("facts", "community", IN_2024))  # as the least recently used would
    assert value(reform, reform.phong_tho, IN_2024) == 2


def test_a_role_on_a_former_commune_shows_none_of_its_successors_records(client, reform):
    team(reform.dao_san, datetime.date(2026, 2, 1), "Tổ Dào San 2026")
    client.force_login(user("musang.xem", role=Role.VIEWER, on=reform.mu_sang))
    page = client.get(
        reverse("community:list", args=[reform.mu_sang.pk]), {"period": "2026", "on": "2024-12-31"}
    )
    assert page.status_code == 200
    assert [m.name for m in page.context["page"]] == []
    # The figure itself still counts it: the 2026 team read on the 2024 tree.
    assert value(reform, reform.mu_sang, IN_2026, datetime.date(2024, 12, 31)) == 1


def test_a_village_of_a_split_commune_is_read_only_by_the_commune_it_went_to(client, reform):
    from duan8.geo.models import Succession, UnitKind
    from tests.factories import unit

    old_village = unit(
        UnitKind.VILLAGE, "Bản Sì Thâu Chải", reform.ma_ly_pho, code="", valid_until=REFORM
    )
    new_village = unit(
        UnitKind.VILLAGE, "Bản Sì Thâu Chải", reform.khong_lao, code="", valid_from=REFORM
    )
    Succession.objects.create(predecessor=old_village, successor=new_village, effective_on=REFORM)
    saved = team(old_village, datetime.date(2024, 5, 1), "Tổ Sì Thâu Chải")
    whole = team(reform.ma_ly_pho, datetime.date(2024, 5, 1), "Tổ xã Ma Ly Pho")
    url = reverse("community:detail", args=[saved.pk])
    client.force_login(user("phongtho.xem", role=Role.VIEWER, on=reform.phong_tho_commune))
    assert client.get(url).status_code == 404
    assert client.get(reverse("community:detail", args=[whole.pk])).status_code == 200
    client.force_login(user("khonglao.xem", role=Role.VIEWER, on=reform.khong_lao))
    assert client.get(url).status_code == 200


def test_shares_of_a_split_that_do_not_add_up_to_one_lose_nothing(reform):
    from duan8.geo.models import Succession, UnitKind
    from tests.factories import unit

    old = unit(UnitKind.COMMUNE, "Xã Bản Lang", reform.phong_tho, valid_until=REFORM)
    for name in ("Xã A", "Xã B", "Xã C"):
        new = unit(UnitKind.COMMUNE, name, reform.lai_chau, valid_from=REFORM)
        Succession.objects.create(
            predecessor=old, successor=new, effective_on=REFORM, share=Decimal("0.3333")
        )
    for i in range(3):
        team(old, datetime.date(2023, 3, 1), f"Tổ {i}")
    assert value(reform, reform.lai_chau, PHASE) == 3


# A span of years is composed from its years ------------------------------------------------

SPAN_MEASURES = (
    "community.communication_team.established",
    "community.communication_team.maintained",
    "activities.dialogue.count",
)


def dialogue(where, on: datetime.date):
    from duan8.activities.models import Activity

    return Activity(
        kind="dialogue",
        dialogue_level="commune",
        title="Đối thoại về tảo hôn",
        unit=where,
        start_on=on,
        end_on=on,
        organiser="Hội LHPN xã",
    )


def spans_agree(world, where, on=None) -> dict:
    """Every span's counts as read (composed from the years, patched after writes) and as
    counted from the records by a process that holds nothing; they must be equal."""
    read = {}
    spans = [
        periods.parse(code) for code in ("2021-2023", "2021-2024-H1", "2021-2025", "2022-2024")
    ]
    for span in spans:
        read[span.code] = reading.measure_values(SPAN_MEASURES, where, span, on or span.last_day)
    reading.forget()
    for span in spans:
        counted = reading.measure_values(SPAN_MEASURES, where, span, on or span.last_day)
        assert read[span.code] == counted, span.code
    return read


def test_the_phase_and_its_spans_count_what_the_records_say_through_every_kind_of_write(reform):
    from duan8.activities import actions as activity_actions

    first = team(reform.mu_sang, datetime.date(2021, 3, 1), "Tổ 2021")
    team(reform.ma_ly_pho, datetime.date(2023, 8, 1), "Tổ 2023")
    activity_actions.record(dialogue(reform.mu_sang, datetime.date(2022, 5, 2)))
    before = spans_agree(reform, reform.old_lai_chau, datetime.date(2024, 12, 31))
    assert before["2021-2023"] == {
        "community.communication_team.established": 2,
        "community.communication_team.maintained": 2,
        "activities.dialogue.count": 1,
    }
    # Writes into years already read: each span made of them is patched, not fetched.
    first.ended_on = datetime.date(2022, 6, 30)
    community_actions.save(first)
    activity_actions.record(dialogue(reform.ma_ly_pho, datetime.date(2024, 2, 3)))
    moved = team(reform.mu_sang, datetime.date(2024, 9, 9), "Tổ 2024")
    after = spans_agree(reform, reform.old_lai_chau, datetime.date(2024, 12, 31))
    assert after["2021-2023"]["community.communication_team.maintained"] == 1
    assert after["2021-2023"]["community.communication_team.established"] == 2
    assert after["2021-2024-H1"]["activities.dialogue.count"] == 2
    assert after["2021-2025"]["community.communication_team.established"] == 3
    moved.unit = reform.ma_ly_pho
    community_actions.save(moved)
    moved.delete()
    assert spans_agree(reform, reform.lai_chau, datetime.date(2026, 1, 1))["2021-2025"] == {
        "community.communication_team.established": 2,
        "community.communication_team.maintained": 1,
        "activities.dialogue.count": 2,
    }


def test_the_phase_to_date_after_its_years_were_read_fetches_no_records(reform):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    team(reform.mu_sang, datetime.date(2022, 5, 1))
    for year in range(2021, 2025):
        reading.read(reform.teams, reform.nation, periods.parse(str(year)))
    with CaptureQueriesContext(connection) as queries:
        found = reading.read(reform.teams, reform.nation, periods.parse("2021-2024"))
    assert found.value == 1
    assert not any("community_communitymodel" in q["sql"] for q in queries.captured_queries)


def test_a_record_dated_after_a_period_is_saved_without_reading_that_periods_records_again(reform):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    team(reform.mu_sang, datetime.date(2022, 5, 1))
    years = [periods.parse(str(year)) for year in range(2021, 2026)]
    before = [reading.read(reform.teams, reform.nation, year).value for year in years]
    assert before == [0, 1, 1, 1, 1]  # maintained at the end of each year since 2022
    late = team(reform.ma_ly_pho, datetime.date(2025, 3, 1), "Tổ 2025")
    with CaptureQueriesContext(connection) as queries:
        found = [reading.read(reform.teams, reform.nation, year).value for year in years[:4]]
    assert found == before[:4]
    assert not any("community_communitymodel" in q["sql"] for q in queries.captured_queries)
    assert reading.read(reform.teams, reform.nation, years[4]).value == 2
    # Moved back into 2024, the same team is read again where it now counts.
    late.established_on = datetime.date(2024, 7, 1)
    community_actions.save(late)
    assert [reading.read(reform.teams, reform.nation, year).value for year in years] == [
        0,
        1,
        1,
        2,
        2,
    ]
    assert (
        reading.read(reform.teams, reform.nation, years[3]).value
        == 2
        == fresh(reform, reform.nation, years[3])
    )
