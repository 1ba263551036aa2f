"""Records stay in time: a record dated when its unit did not exist is refused, and the
refusal names the unit to record it on; the forms list the units of the record's date."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from duan8.accounts.models import Membership
from duan8.activities import actions as activity_actions
from duan8.activities.models import Activity, TrainerAppointment
from duan8.community import actions as community_actions
from duan8.community.models import CommunityModel
from duan8.core import sheets, versions
from duan8.framework import actions as framework_actions
from duan8.framework import defaults, periods
from duan8.geo import timeline, villages
from duan8.geo.models import Succession, UnitKind
from duan8.reporting import figures
from duan8.reporting.models import Figure
from tests.factories import REFORM, ReformWorld, token, unit, user, xlsx

BEFORE = datetime.date(2024, 5, 20)
AFTER = datetime.date(2025, 9, 1)
MODEL_HEADER = ["Xã, thôn", "Tên", "Ngày thành lập"]
ACTIVITY_HEADER = ["Đơn vị", "Tên hoặc chủ đề", "Ngày bắt đầu", "Đơn vị tổ chức"]


@pytest.fixture
def reform(world):
    """Xã Mù Sang (district Phong Thổ) ended on 1/7/2025; Xã Dào San, under the province,
    succeeds it. Bản Nậm Pục of Mù Sang was carried to Dào San."""
    legacy = unit(UnitKind.COMMUNE, "Xã Mù Sang", world.district, valid_until=REFORM)
    new = unit(UnitKind.COMMUNE, "Xã Dào San", world.province, valid_from=REFORM)
    Succession.objects.create(predecessor=legacy, successor=new, effective_on=REFORM)
    village = villages.add(legacy, "Bản Nậm Pục")
    return legacy, new, village


def team(on_unit, established, name="Tổ truyền thông cộng đồng"):
    return CommunityModel(
        kind="communication_team", unit=on_unit, name=name, established_on=established
    )


def dialogue(on_unit, start, end=None):
    return Activity(
        kind="dialogue",
        dialogue_level="commune",
        title="Đối thoại về tảo hôn",
        unit=on_unit,
        start_on=start,
        end_on=end or start,
        organiser="Hội LHPN xã",
    )


def team_form(on_unit, established):
    return {
        "kind": "communication_team",
        "unit": on_unit.pk,
        "name": "Tổ truyền thông Mù Sang",
        "established_on": established,
        "ended_on": "",
        "members_women": "8",
        "members_men": "2",
    }


def offered(response) -> list[str]:
    """The labels of the unit list of a form page."""
    html = response.content.decode()
    select = html[html.index('id="id_unit"') :]
    select = select[: select.index("</select>")]
    return [
        label for label in re.findall(r"<option[^>]*>([^<]*)</option>", select) if "--" not in label
    ]


# The rule, in one place ------------------------------------------------------------------


def test_a_team_founded_after_its_commune_ended_is_refused_naming_the_successor(reform):
    legacy, _new, _village = reform
    with pytest.raises(ValidationError) as refused:
        community_actions.save(team(legacy, AFTER))
    assert refused.value.message_dict["unit"] == [
        "Xã Mù Sang không còn tồn tại từ ngày 01/07/2025; "
        "ngày 01/09/2025 hãy ghi cho Xã Dào San (đơn vị kế thừa)."
    ]
    assert not CommunityModel.objects.filter(unit=legacy).exists()


def test_a_team_founded_on_the_successor_is_accepted(reform):
    _legacy, new, _village = reform
    assert community_actions.save(team(new, AFTER)).pk


def test_a_team_founded_on_the_legacy_commune_before_the_reform_is_accepted(reform):
    legacy, _new, _village = reform
    assert community_actions.save(team(legacy, BEFORE)).pk


def test_the_last_day_of_the_legacy_commune_is_still_its_own(reform):
    legacy, _new, _village = reform
    assert community_actions.save(team(legacy, REFORM - datetime.timedelta(days=1))).pk


def test_a_record_dated_before_its_unit_began_names_the_unit_it_was_formed_from(reform):
    _legacy, new, _village = reform
    with pytest.raises(ValidationError) as refused:
        community_actions.save(team(new, BEFORE))
    assert refused.value.message_dict["unit"] == [
        "Xã Dào San chỉ tồn tại từ ngày 01/07/2025; "
        "ngày 20/05/2024 hãy ghi cho Xã Mù Sang (đơn vị trước khi sắp xếp)."
    ]


def test_a_commune_split_in_two_names_both_successors_the_default_first(db):
    lai_chau = ReformWorld()
    message = timeline.validity_error(lai_chau.ma_ly_pho, AFTER)
    assert message == (
        "Xã Ma Ly Pho không còn tồn tại từ ngày 01/07/2025; ngày 01/09/2025 hãy ghi cho một "
        "trong các đơn vị kế thừa: Xã Khổng Lào, Xã Phong Thổ."
    )


def test_a_unit_ended_without_successor_asks_for_a_unit_of_that_day(world):
    ended = unit(UnitKind.COMMUNE, "Xã Cũ", world.district, valid_until=REFORM)
    assert timeline.validity_error(ended, AFTER) == (
        "Xã Cũ không còn tồn tại từ ngày 01/07/2025; hãy chọn đơn vị tồn tại vào ngày 01/09/2025."
    )


def test_a_team_of_a_village_of_a_merged_commune_names_the_carried_village(reform):
    _legacy, _new, village = reform
    with pytest.raises(ValidationError) as refused:
        community_actions.save(team(village, AFTER))
    assert "hãy ghi cho Bản Nậm Pục, Xã Dào San (đơn vị kế thừa)" in str(refused.value)


def test_an_activity_held_after_its_commune_ended_is_refused(reform):
    legacy, _new, _village = reform
    with pytest.raises(ValidationError) as refused:
        activity_actions.record(dialogue(legacy, AFTER))
    assert "Xã Dào San" in refused.value.message_dict["unit"][0]
    assert not Activity.objects.filter(unit=legacy).exists()


def test_an_activity_that_runs_past_the_day_its_commune_ended_is_refused(reform):
    legacy, _new, _village = reform
    with pytest.raises(ValidationError) as refused:
        activity_actions.record(
            dialogue(legacy, datetime.date(2025, 6, 28), datetime.date(2025, 7, 2))
        )
    assert "Xã Dào San" in refused.value.message_dict["end_on"][0]


def test_an_activity_on_the_legacy_commune_before_the_reform_is_accepted(reform):
    legacy, _new, _village = reform
    assert activity_actions.record(dialogue(legacy, BEFORE)).pk


def test_a_trainer_appointment_dated_after_its_unit_ended_is_refused(reform):
    legacy, _new, _village = reform
    decision = TrainerAppointment(unit=legacy, number="3/QĐ", date=AFTER, signer="Chủ tịch")
    with pytest.raises(ValidationError) as refused:
        decision.full_clean()
    assert "Xã Dào San" in refused.value.message_dict["date"][0]


# Typed figures -----------------------------------------------------------------------------


@pytest.fixture
def typed(world):
    phase = defaults.load()
    indicator = framework_actions.add_indicator(
        phase.content_areas.get(code="ND1"),
        code="TGTT",
        name="Người tham gia sinh hoạt truyền thông",
        unit_of_measure="người",
        source="typed",
        breakdowns=[],
        measure="reporting.typed",
    )
    return phase, indicator


def type_figure(on_unit, indicator, period):
    return figures.save(
        on_unit,
        periods.parse(period),
        {indicator.pk: indicator},
        [figures.Entry(indicator.pk, Decimal(40))],
    )


def test_a_figure_for_2026_on_a_legacy_commune_is_refused_naming_the_successor(reform, typed):
    legacy, _new, _village = reform
    _phase, indicator = typed
    with pytest.raises(ValidationError) as refused:
        type_figure(legacy, indicator, "2026")
    assert "hãy ghi cho Xã Dào San (đơn vị kế thừa)" in refused.value.message_dict["TGTT"][0]
    assert not Figure.objects.exists()


def test_a_figure_for_2025_on_a_legacy_commune_is_accepted_as_it_existed_half_the_year(
    reform, typed
):
    legacy, _new, _village = reform
    _phase, indicator = typed
    assert type_figure(legacy, indicator, "2025")


def test_a_figure_for_the_first_half_of_2025_on_a_new_commune_is_refused(reform, typed):
    _legacy, new, _village = reform
    _phase, indicator = typed
    with pytest.raises(ValidationError) as refused:
        type_figure(new, indicator, "2025-H1")
    assert "Xã Mù Sang" in refused.value.message_dict["TGTT"][0]


# Through the page ------------------------------------------------------------------------


def test_the_page_refuses_a_team_on_a_merged_commune_and_names_the_successor(client, world, reform):
    legacy, _new, _village = reform
    client.force_login(world.province_admin)
    response = client.post(
        reverse("community:create", args=[world.province.pk]) + "?kind=communication_team",
        team_form(legacy, "01/09/2025"),
    )
    assert response.status_code == 200
    assert "ngày 01/09/2025 hãy ghi cho Xã Dào San (đơn vị kế thừa)" in response.content.decode()
    assert not CommunityModel.objects.filter(unit=legacy).exists()


def test_the_page_accepts_the_team_on_the_successor(client, world, reform):
    _legacy, new, _village = reform
    client.force_login(world.province_admin)
    response = client.post(
        reverse("community:create", args=[world.province.pk]) + "?kind=communication_team",
        team_form(new, "01/09/2025"),
    )
    assert response.status_code == 302
    assert CommunityModel.objects.get(name="Tổ truyền thông Mù Sang").unit == new


def test_the_page_accepts_the_team_on_the_legacy_commune_dated_2024(client, world, reform):
    legacy, _new, _village = reform
    client.force_login(world.province_admin)
    response = client.post(
        reverse("community:create", args=[world.province.pk]) + "?kind=communication_team",
        team_form(legacy, "20/05/2024"),
    )
    assert response.status_code == 302
    assert CommunityModel.objects.get(name="Tổ truyền thông Mù Sang").unit == legacy


def test_the_activity_page_refuses_a_dialogue_on_a_merged_commune(client, world, reform):
    legacy, _new, _village = reform
    client.force_login(world.province_admin)
    response = client.post(
        reverse("activities:create", args=[world.province.pk]) + "?kind=dialogue",
        {
            "kind": "dialogue",
            "unit": legacy.pk,
            "title": "Đối thoại",
            "start_on": "01/09/2025",
            "end_on": "01/09/2025",
            "organiser": "Hội LHPN",
            "participants": "10",
            "participants_women": "5",
            "participants_ethnic": "5",
            "cost": "0",
            "dialogue_level": "commune",
        },
    )
    assert response.status_code == 200
    assert "hãy ghi cho Xã Dào San (đơn vị kế thừa)" in response.content.decode()
    assert not Activity.objects.filter(unit=legacy).exists()


def test_the_decision_form_refuses_a_decision_of_a_merged_commune(client, world, reform):
    legacy, _new, _village = reform
    client.force_login(world.province_admin)
    response = client.post(
        reverse("activities:appointment_add", args=[legacy.pk]),
        {"number": "3/QĐ", "date": "01/09/2025", "signer": "Chủ tịch", "trainers": []},
        follow=True,
    )
    assert "Xã Dào San" in response.content.decode()
    assert not TrainerAppointment.objects.filter(unit=legacy).exists()


# The unit list follows the date ------------------------------------------------------------


def test_the_form_offers_legacy_communes_for_a_2024_date(client, world, reform):
    client.force_login(world.province_admin)
    response = client.get(
        reverse("community:create", args=[world.province.pk]),
        {"kind": "communication_team", "established_on": "20/05/2024"},
    )
    labels = offered(response)
    assert "Xã Mù Sang (01/01/2021–30/06/2025)" in labels
    assert not any(label.startswith("Xã Dào San") for label in labels)


def test_the_form_offers_new_communes_for_a_2026_date(client, world, reform):
    client.force_login(world.province_admin)
    response = client.get(
        reverse("community:create", args=[world.province.pk]),
        {"kind": "communication_team", "established_on": "15/03/2026"},
    )
    labels = offered(response)
    assert "Xã Dào San" in labels
    assert not any(label.startswith("Xã Mù Sang") for label in labels)


def test_the_form_offers_the_units_of_today_when_no_date_is_typed(client, world, reform):
    client.force_login(world.province_admin)
    response = client.get(
        reverse("community:create", args=[world.province.pk]), {"kind": "communication_team"}
    )
    assert "Xã Dào San" in offered(response)
    assert not any(label.startswith("Xã Mù Sang") for label in offered(response))


def test_the_date_field_asks_for_the_unit_list_again_when_it_changes(client, world, reform):
    client.force_login(world.province_admin)
    response = client.get(
        reverse("community:create", args=[world.province.pk]), {"kind": "communication_team"}
    )
    html = response.content.decode()
    date_input = re.search(r'<input[^>]*name="established_on"[^>]*>', html).group(0)
    assert 'hx-get=""' in date_input
    assert 'hx-select="#id_unit"' in date_input and 'hx-target="#id_unit"' in date_input


def test_a_refused_unit_stays_selected_with_its_dates(client, world, reform):
    legacy, _new, _village = reform
    client.force_login(world.province_admin)
    response = client.post(
        reverse("community:create", args=[world.province.pk]) + "?kind=communication_team",
        team_form(legacy, "01/09/2025"),
    )
    assert re.search(
        rf'<option value="{legacy.pk}" selected>Xã Mù Sang \(01/01/2021–30/06/2025\)</option>',
        response.content.decode(),
    )


def test_the_page_of_a_merged_commune_offers_its_successor_for_a_2026_date(client, world, reform):
    legacy, _new, _village = reform
    client.force_login(world.province_admin)
    response = client.get(
        reverse("community:create", args=[legacy.pk]),
        {"kind": "communication_team", "established_on": "15/03/2026"},
    )
    assert offered(response) == ["Xã Dào San", "Bản Nậm Pục"]


def test_todays_province_page_offers_the_former_communes_for_a_2024_date(client, db):
    lai_chau = ReformWorld()
    officer = user("laichau.nhaplieu", role="editor", on=lai_chau.lai_chau)
    Membership.objects.create(user=officer, unit=lai_chau.old_lai_chau, role="editor")
    client.force_login(officer)
    url = reverse("community:create", args=[lai_chau.lai_chau.pk])
    old = offered(client.get(url, {"kind": "communication_team", "established_on": "20/05/2024"}))
    new = offered(client.get(url, {"kind": "communication_team", "established_on": "15/03/2026"}))
    assert old == ["Xã Mù Sang (01/01/2021–30/06/2025)", "Xã Ma Ly Pho (01/01/2021–30/06/2025)"]
    assert new == ["Xã Dào San", "Xã Khổng Lào", "Xã Phong Thổ"]


def test_the_edit_form_lists_the_units_of_the_records_date(client, world, reform):
    legacy, _new, _village = reform
    model = community_actions.save(team(legacy, BEFORE))
    client.force_login(world.province_admin)
    response = client.get(reverse("community:edit", args=[model.pk]))
    labels = offered(response)
    assert "Xã Mù Sang (01/01/2021–30/06/2025)" in labels
    assert not any(label.startswith("Xã Dào San") for label in labels)


def test_the_activity_form_offers_the_units_of_its_first_day(client, world, reform):
    client.force_login(world.province_admin)
    url = reverse("activities:create", args=[world.province.pk])
    old = offered(client.get(url, {"kind": "dialogue", "start_on": "20/05/2024"}))
    new = offered(client.get(url, {"kind": "dialogue", "start_on": "15/03/2026"}))
    assert "Xã Mù Sang (01/01/2021–30/06/2025)" in old and "Xã Dào San" not in old
    assert "Xã Dào San" in new and not any(label.startswith("Xã Mù Sang") for label in new)


# Through the Excel import ----------------------------------------------------------------


def test_the_import_refuses_a_team_on_a_merged_commune_with_row_column_and_successor(world, reform):
    data = [
        MODEL_HEADER,
        ["Xã Dào San", "Tổ A", "01/09/2025"],
        ["Xã Mù Sang", "Tổ B", "01/09/2025"],
    ]
    with pytest.raises(sheets.ImportRefused) as refused:
        community_actions.import_rows(xlsx(data), world.province, "communication_team", AFTER)
    [error] = refused.value.errors
    assert (error.row, error.column) == (3, "Xã, thôn")
    assert "hãy ghi cho Xã Dào San (đơn vị kế thừa)" in error.message
    assert not CommunityModel.objects.filter(name__in=["Tổ A", "Tổ B"]).exists()


def test_the_import_accepts_a_team_on_the_legacy_commune_dated_2024(world, reform):
    legacy, _new, _village = reform
    data = [MODEL_HEADER, ["Xã Mù Sang", "Tổ B", "20/05/2024"]]
    [created] = community_actions.import_rows(
        xlsx(data), world.province, "communication_team", AFTER
    )
    assert created.unit == legacy


def test_the_import_page_lists_the_refused_row_and_stores_nothing(client, world, reform):
    client.force_login(world.province_admin)
    data = [MODEL_HEADER, ["Xã Mù Sang", "Tổ B", "01/09/2025"]]
    response = client.post(
        reverse("community:import", args=[world.province.pk]) + "?kind=communication_team",
        {"kind": "communication_team", "on": "01/09/2025", "file": xlsx(data)},
    )
    assert response.status_code == 200
    assert "hãy ghi cho Xã Dào San (đơn vị kế thừa)" in response.content.decode()
    assert not CommunityModel.objects.filter(name="Tổ B").exists()


def test_the_activity_import_refuses_a_dialogue_on_a_merged_commune(world, reform):
    data = [
        ACTIVITY_HEADER,
        ["Xã Dào San", "Đối thoại A", "01/09/2025", "Hội LHPN xã"],
        ["Xã Mù Sang", "Đối thoại B", "01/09/2025", "Hội LHPN xã"],
    ]
    with pytest.raises(sheets.ImportRefused) as refused:
        activity_actions.import_rows(
            xlsx(data), world.province, "dialogue", {"dialogue_level": "commune"}
        )
    [error] = refused.value.errors
    assert (error.row, error.column) == (3, "Đơn vị")
    assert "hãy ghi cho Xã Dào San (đơn vị kế thừa)" in error.message
    assert not Activity.objects.filter(title__in=["Đối thoại A", "Đối thoại B"]).exists()


def test_the_activity_import_accepts_a_dialogue_on_the_legacy_commune_dated_2024(world, reform):
    legacy, _new, _village = reform
    data = [ACTIVITY_HEADER, ["Xã Mù Sang", "Đối thoại B", "20/05/2024", "Hội LHPN xã"]]
    [created] = activity_actions.import_rows(
        xlsx(data), world.province, "dialogue", {"dialogue_level": "commune"}
    )
    assert created.unit == legacy


# Through the API ---------------------------------------------------------------------------


def post(client, name, payload, account):
    return client.post(
        reverse(name),
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token(account)}",
    )


def test_the_api_refuses_a_team_on_a_merged_commune_with_the_successor_named(client, world, reform):
    legacy, _new, _village = reform
    response = post(
        client,
        "api:model_create",
        {
            "kind": "communication_team",
            "unit": legacy.pk,
            "name": "Tổ B",
            "established_on": "2025-09-01",
        },
        world.province_admin,
    )
    assert response.status_code == 422
    assert "Xã Dào San (đơn vị kế thừa)" in response.json()["errors"]["unit"][0]
    assert not CommunityModel.objects.filter(name="Tổ B").exists()


def test_the_api_refuses_moving_a_teams_founding_past_the_end_of_its_commune(client, world, reform):
    legacy, _new, _village = reform
    model = community_actions.save(team(legacy, BEFORE))
    response = client.patch(
        reverse("api:model_update", kwargs={"model_id": model.pk}),
        json.dumps({"established_on": "2025-09-01", "version": versions.of(model)}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token(world.province_admin)}",
    )
    assert response.status_code == 422
    model.refresh_from_db()
    assert model.established_on == BEFORE


def test_the_api_refuses_an_activity_on_a_merged_commune(client, world, reform):
    legacy, _new, _village = reform
    response = post(
        client,
        "api:activity_create",
        {
            "kind": "dialogue",
            "dialogue_level": "commune",
            "title": "Đối thoại B",
            "unit": legacy.pk,
            "start_on": "2025-09-01",
            "end_on": "2025-09-01",
            "organiser": "Hội LHPN xã",
        },
        world.province_admin,
    )
    assert response.status_code == 422
    assert "Xã Dào San" in response.json()["errors"]["unit"][0]
    assert not Activity.objects.filter(title="Đối thoại B").exists()


def test_the_api_accepts_the_team_on_the_successor(client, world, reform):
    _legacy, new, _village = reform
    response = post(
        client,
        "api:model_create",
        {
            "kind": "communication_team",
            "unit": new.pk,
            "name": "Tổ B",
            "established_on": "2025-09-01",
        },
        world.province_admin,
    )
    assert response.status_code == 201
    assert response.json()["unit_id"] == new.pk
