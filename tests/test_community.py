"""The registry of community models: counted, not typed, and every figure opens its list."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from duan8.analytics import reading
from duan8.community import actions
from duan8.community.models import CommunityModel, StatusChange
from duan8.core import sheets
from duan8.framework import defaults, periods
from tests.factories import unit, xlsx

HEADER = ["Xã, thôn", "Tên", "Ngày thành lập", "Ngày giải thể", "Thành viên nữ", "Thành viên nam"]


def team(world, established, ended=None, name="Tổ truyền thông"):
    return actions.save(
        CommunityModel(
            kind="communication_team",
            unit=world.commune,
            name=name,
            established_on=established,
            ended_on=ended,
        )
    )


def test_a_team_dissolved_in_march_counts_in_2023_but_not_at_mid_2024(world):
    t = team(world, datetime.date(2023, 12, 15), datetime.date(2024, 3, 10))
    teams = CommunityModel.objects.filter(pk=t.pk)
    assert teams.established_in(periods.parse("2023")).exists()
    assert teams.maintained_at_end_of(periods.parse("2023")).exists()
    assert not teams.maintained_at_end_of(periods.parse("2024-H1")).exists()
    assert not teams.established_in(periods.parse("2024")).exists()


def test_founding_and_dissolution_enter_the_history(world):
    t = team(world, datetime.date(2023, 12, 15))
    t.ended_on = datetime.date(2024, 3, 10)
    actions.save(t)
    assert list(t.history.values_list("status", flat=True)) == ["active", "dissolved"]


def test_an_indicator_is_read_through_the_measure_registry(world):
    phase = defaults.load()
    indicator = phase.indicators().get(code="TTCĐ")
    team(world, datetime.date(2024, 2, 1))
    result = reading.read(indicator, world.province, periods.parse("2024"))
    # The world's own team (2022) and this one are both active at the end of 2024.
    assert result.value == 2
    assert result.records_url.startswith(reverse("community:list", args=[world.province.pk]))
    assert "count=maintained" in result.records_url


def test_the_figure_on_the_targets_page_opens_the_records_it_counts(client, world):
    from duan8.framework import actions as framework_actions

    phase = defaults.load()
    indicator = phase.indicators().get(code="TTCĐ")
    framework_actions.set_target(indicator, world.district, periods.parse("2024"), Decimal(5))
    client.force_login(world.district_approver)
    page = client.get(
        reverse("framework:targets", args=[world.district.pk]),
        {"phase": phase.pk, "period": "2024"},
    )
    target = page.context["targets"][0]
    assert target["reading"].value == 1
    records = client.get(target["reading"].records_url)
    assert [m.name for m in records.context["page"]] == ["Tổ truyền thông bản Sì Choang"]


def rows(count, start=0):
    return [["03553", f"Tổ {i}", "01/02/2024", None, 5, 2] for i in range(start, start + count)]


def test_an_import_of_5000_teams_with_three_bad_rows_stores_nothing(world):
    data = rows(5000)
    data[10][0] = "Xã Không Có"
    data[2000][2] = "31/02/2024"
    data[4999][4] = "năm"
    before = CommunityModel.objects.count()
    with pytest.raises(sheets.ImportRefused) as refused:
        actions.import_rows(
            xlsx([HEADER, *data]), world.province, "communication_team", datetime.date(2024, 1, 1)
        )
    assert [(e.row, e.column) for e in refused.value.errors] == [
        (12, "Xã, thôn"),
        (2002, "Ngày thành lập"),
        (5001, "Thành viên nữ"),
    ]
    assert CommunityModel.objects.count() == before


def test_the_corrected_file_stores_5000_and_the_count_rises_by_5000(world):
    phase = defaults.load()
    indicator = phase.indicators().get(code="TTCĐ")
    year = periods.parse("2024")
    before = reading.read(indicator, world.commune, year).value
    created = actions.import_rows(
        xlsx([HEADER, *rows(5000)]), world.province, "communication_team", datetime.date(2024, 1, 1)
    )
    assert len(created) == 5000
    assert reading.read(indicator, world.commune, year).value == before + 5000
    assert StatusChange.objects.filter(model__in=created[:10]).count() == 10


def test_units_are_matched_by_code_or_name(world):
    unit("village", "Bản Lao Chải", world.commune, code="")
    data = [
        HEADER,
        ["Bản Lao Chải", "Tổ A", "01/02/2024", None, 1, 1],
        ["Mỏ Sì San", "Tổ B", "01/02/2024", None, 1, 1],
    ]
    created = actions.import_rows(
        xlsx(data), world.province, "communication_team", datetime.date(2024, 1, 1)
    )
    assert [m.unit.name for m in created] == ["Bản Lao Chải", "Xã Mồ Sì San"]


def test_an_editor_registers_a_club_in_a_school(client, world):
    client.force_login(world.commune_editor)
    response = client.post(
        reverse("community:create", args=[world.commune.pk]) + "?kind=leaders_club",
        {
            "kind": "leaders_club",
            "unit": world.village.pk,
            "name": "CLB Thủ lĩnh trường PTDTBT",
            "established_on": "05/09/2023",
            "ended_on": "",
            "setting": "school",
            "members_women": "12",
            "members_men": "10",
            "managing_body": "Ban chủ nhiệm",
        },
    )
    assert response.status_code == 302
    club = CommunityModel.objects.get(kind="leaders_club")
    assert (club.setting, club.members_total) == ("school", 22)


def test_a_viewer_cannot_register_a_model(client, world):
    client.force_login(world.sibling_viewer)
    response = client.get(reverse("community:create", args=[world.sibling_commune.pk]))
    assert response.status_code == 403


def test_a_dissolution_before_the_founding_is_refused(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        team(world, datetime.date(2024, 3, 1), datetime.date(2024, 1, 1))


def test_the_unit_page_counts_the_models_below(client, world):
    client.force_login(world.commune_editor)
    page = client.get(reverse("geo:unit", args=[world.commune.pk]))
    assert [(kind, n) for kind, _, n in page.context["model_counts"]] == [("communication_team", 1)]


def test_a_dissolution_sent_through_the_api_enters_the_history(client, world):
    import json

    from duan8.core import versions
    from tests.factories import token

    response = client.patch(
        reverse("api:model_update", kwargs={"model_id": world.team.pk}),
        json.dumps({"ended_on": "2024-10-01", "version": versions.of(world.team)}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token(world.commune_editor)}",
    )
    assert response.status_code == 200
    assert list(world.team.history.values_list("status", flat=True)) == ["dissolved"]
    bad = client.patch(
        reverse("api:model_update", kwargs={"model_id": world.team.pk}),
        json.dumps({"ended_on": "2020-01-01", "version": response.json()["version"]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token(world.commune_editor)}",
    )
    assert bad.status_code == 422


def test_reopening_a_dissolved_model_is_recorded_in_its_history(world):
    t = team(world, datetime.date(2023, 1, 5), datetime.date(2024, 3, 10))
    t.ended_on = None
    actions.save(t)
    assert list(t.history.values_list("status", flat=True)) == ["active", "dissolved", "active"]
