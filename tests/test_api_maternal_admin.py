"""The maternal pages' other capabilities through the API, under the pages' rules and through
their audited write path: changing a mother or a birth (with the version read), reviewing
possible duplicates (never merged), the personal-data log, a new rule set version, and the
births import's blank workbook."""

from __future__ import annotations

import datetime
import io
import json

import pytest

from duan8.accounts.models import Membership, Role
from duan8.core import access, versions
from duan8.core.models import AuditEvent
from duan8.geo.models import UnitKind
from duan8.maternal import actions, eligibility
from duan8.maternal.models import (
    Birth,
    Decision,
    DuplicateFlag,
    Mother,
    PersonalDataAccess,
    RuleSet,
)
from tests.factories import token, unit, user
from tests.maternal_factories import birth, citizen_id, mother

D = datetime.date


def _headers(account, **extra):
    return {"HTTP_AUTHORIZATION": f"Bearer {token(account)}", **extra}


def _patch(client, account, url, body, **extra):
    return client.patch(
        url, json.dumps(body), content_type="application/json", **_headers(account, **extra)
    )


def _post(client, account, url, body):
    return client.post(url, json.dumps(body), content_type="application/json", **_headers(account))


def _judged_birth(world, **fields):
    record = birth(mother(world.village), **fields)
    eligibility.decide(record)
    return record


# Changing a birth ---------------------------------------------------------------------------


def test_a_commune_officer_changes_a_birth_it_is_judged_again_and_the_audit_trail_shows_it(
    world, client
):
    record = _judged_birth(world, place="home", facility_name="")
    assert record.decisions.get().result == "not_met"  # a home birth
    response = _patch(
        client,
        world.commune_editor,
        f"/api/v1/births/{record.pk}",
        {
            "version": versions.of(record),
            "place": "facility",
            "facility_name": "Trạm y tế xã Mồ Sì San",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["place"] == "facility"
    assert body["result"] == "met"
    assert body["decision"]["reason_for_rerun"] == actions.BIRTH_CHANGED
    assert body["version"] == versions.of(record)
    assert [d.result for d in record.decisions.all()] == ["met", "not_met"]  # both kept
    trail = client.get(
        "/api/v1/audit", {"unit": world.commune.pk}, **_headers(world.province_admin)
    ).json()["items"]
    change = next(
        e for e in trail if e["object_type"] == "maternal.birth" and e["action"] == "update"
    )
    assert change["object_id"] == str(record.pk)
    assert (change["actor"], change["source"]) == ("xa.nhaplieu", "api")
    assert (change["before"]["place"], change["after"]["place"]) == ("home", "facility")


def test_a_change_over_a_newer_version_is_refused_with_409_and_changes_nothing(world, client):
    record = _judged_birth(world)
    read = versions.of(record)
    url = f"/api/v1/births/{record.pk}"
    first = _patch(client, world.district_approver, url, {"version": read, "notes": "Đã gọi"})
    assert first.status_code == 200
    late = _patch(client, world.commune_editor, url, {"version": read, "children_alive": None})
    assert late.status_code == 409
    answer = late.json()
    assert answer["version"] == versions.of(record) > read
    assert [c["field"] for c in answer["changes"]] == ["notes"]
    record.refresh_from_db()
    assert record.children_alive == 0
    assert record.decisions.count() == 2  # the first change's, and the one before


def test_a_change_says_which_version_it_read_in_the_body_or_if_match(world, client):
    record = _judged_birth(world)
    url = f"/api/v1/births/{record.pk}"
    assert _patch(client, world.commune_editor, url, {"babies": 2}).status_code == 428
    response = _patch(
        client, world.commune_editor, url, {"babies": 2}, HTTP_IF_MATCH=f'"{versions.of(record)}"'
    )
    assert response.status_code == 200
    assert response.json()["babies"] == 2


def test_a_birth_moves_only_to_a_village_of_the_mothers_commune(world, client):
    record = _judged_birth(world)
    url = f"/api/v1/births/{record.pk}"
    elsewhere = unit(UnitKind.VILLAGE, "Bản Pa Tần", world.sibling_commune)
    response = _patch(
        client, world.province_admin, url, {"version": versions.of(record), "unit": elsewhere.pk}
    )
    assert response.status_code == 422
    assert "unit" in response.json()["errors"]
    abroad = unit(UnitKind.VILLAGE, "Bản Chiềng", world.other_commune)
    response = _patch(
        client, world.province_admin, url, {"version": versions.of(record), "unit": abroad.pk}
    )
    assert response.status_code == 404
    neighbour = unit(UnitKind.VILLAGE, "Bản Nậm Cáy", world.commune)
    response = _patch(
        client, world.commune_editor, url, {"version": versions.of(record), "unit": neighbour.pk}
    )
    assert response.status_code == 200
    assert response.json()["unit_id"] == neighbour.pk


def test_who_may_change_a_birth_or_a_mother(world, client):
    record = _judged_birth(world)
    viewer = user("xa.xem", role=Role.VIEWER, on=world.commune)
    body = {"version": versions.of(record), "notes": "Sửa"}
    births = f"/api/v1/births/{record.pk}"
    mothers = f"/api/v1/mothers/{record.mother_id}"
    mother_body = {"version": versions.of(record.mother), "notes": "Sửa"}
    for account, expected in [
        (world.outsider, 404),  # another province: not even there
        (world.sibling_viewer, 404),
        (viewer, 403),  # reads the commune, edits nothing
    ]:
        assert _patch(client, account, births, body).status_code == expected
        assert _patch(client, account, mothers, mother_body).status_code == expected
    assert client.patch(births, "{}", content_type="application/json").status_code == 401
    record.refresh_from_db()
    assert record.notes == "" and record.decisions.count() == 1


# Changing a mother --------------------------------------------------------------------------


def test_changing_a_mother_answers_her_cccd_masked_unless_allowed_and_logs_the_read(world, client):
    record = mother(world.village, citizen_id="012198004567")
    url = f"/api/v1/mothers/{record.pk}"
    new_id = citizen_id(D(1998, 5, 10), 4321)
    response = _patch(
        client,
        world.commune_editor,
        url,
        {"version": versions.of(record), "citizen_id": new_id, "phone": "0912 345 678"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["citizen_id"], body["phone"]) == ("•••••••••321", "•••••••678")
    assert body["personal_data_masked"] is True
    record.refresh_from_db()
    assert (record.citizen_id, record.phone) == (new_id, "0912345678")
    text = " ".join(str(e.before) + str(e.after) for e in AuditEvent.objects.for_object(record))
    assert new_id not in text and "0912345678" not in text
    Membership.objects.filter(user=world.commune_editor).update(may_export_personal_data=True)
    access.forget(world.commune_editor)
    response = _patch(
        client, world.commune_editor, url, {"version": versions.of(record), "notes": "Đã gặp"}
    )
    assert response.json()["citizen_id"] == new_id
    assert response.json()["personal_data_masked"] is False
    logged = PersonalDataAccess.objects.filter(what="api", user=world.commune_editor)
    assert logged.count() == 2


def test_changing_a_mothers_date_of_birth_judges_her_births_again(world, client):
    record = birth(mother(world.village, birth_date=D(2006, 5, 10)), date=D(2024, 3, 15))
    assert eligibility.decide(record).result == "not_met"  # 17 years old
    response = _patch(
        client,
        world.commune_editor,
        f"/api/v1/mothers/{record.mother_id}",
        {
            "version": versions.of(record.mother),
            "birth_date": "2005-05-10",
            "citizen_id": citizen_id(D(2005, 5, 10), 77),
        },
    )
    assert response.status_code == 200, response.content
    latest = record.decisions.first()
    assert latest.result == "met" and latest.reason_for_rerun == actions.MOTHER_CHANGED
    assert record.decisions.count() == 2


def test_a_mother_refused_by_the_rules_is_not_changed(world, client):
    record = mother(world.village)
    url = f"/api/v1/mothers/{record.pk}"
    version = versions.of(record)
    refused = _patch(client, world.commune_editor, url, {"version": version, "citizen_id": "123"})
    assert refused.status_code == 422
    assert "citizen_id" in refused.json()["errors"]
    unknown = _patch(client, world.commune_editor, url, {"version": version, "ethnic_group": "X"})
    assert unknown.status_code == 422
    assert "ethnic_group" in unknown.json()["errors"]
    elsewhere = unit(UnitKind.VILLAGE, "Bản Pa Tần", world.sibling_commune)
    moved = _patch(client, world.province_admin, url, {"version": version, "unit": elsewhere.pk})
    assert moved.status_code == 422
    assert versions.of(record) == version


# Possible duplicates ------------------------------------------------------------------------


def _flagged_pair(world, first_village=None):
    first = mother(first_village or world.village, citizen_id="012198004567")
    second = actions.save_mother(
        Mother(
            unit=world.village,
            full_name="Lò Thị Mây",
            birth_date=first.birth_date,
            ethnic_group=first.ethnic_group,
            citizen_id="012198004567",
        )
    )
    return first, second, DuplicateFlag.objects.get()


def test_a_duplicate_reviewed_through_the_api_is_no_longer_listed_to_review(world, client):
    _first, second, flag = _flagged_pair(world)
    url = f"/api/v1/maternal/duplicates?unit={world.commune.pk}"
    listed = client.get(url, **_headers(world.commune_editor)).json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert (item["kind"], item["state"], item["record"]["mother_id"]) == (
        "citizen_id",
        "open",
        second.pk,
    )
    assert item["record"]["citizen_id"] == "•••••••••567"
    response = _post(
        client,
        world.commune_editor,
        f"/api/v1/maternal/duplicates/{flag.pk}/review",
        {
            "version": item["version"],
            "state": "different",
            "note": "Hai người khác nhau, số CCCD ghi sai",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "different"
    assert response.json()["reviewed_by"] == world.commune_editor.display_name()
    assert client.get(url, **_headers(world.commune_editor)).json()["count"] == 0
    every = client.get(url + "&state=all", **_headers(world.commune_editor)).json()
    assert [i["state"] for i in every["items"]] == ["different"]
    assert Mother.objects.count() == 2  # never merged
    events = AuditEvent.objects.for_object(flag)
    assert events.filter(source="api", actor=world.commune_editor).exists()


def test_the_review_offers_the_pages_outcomes_and_nothing_else(world, client):
    _first, _second, flag = _flagged_pair(world)
    url = f"/api/v1/maternal/duplicates/{flag.pk}/review"
    editor = world.commune_editor
    assert _post(client, editor, url, {"state": "merge"}).status_code == 422
    same = _post(client, editor, url, {"state": "same", "version": versions.of(flag)})
    assert same.status_code == 200
    back = _post(client, editor, url, {"state": "open", "version": same.json()["version"]})
    assert back.status_code == 200
    flag.refresh_from_db()
    assert flag.state == "open" and flag.reviewed_by is None
    assert _post(client, world.outsider, url, {"state": "same"}).status_code == 404
    assert _post(client, world.sibling_viewer, url, {"state": "same"}).status_code == 404
    viewer = user("xa.xem", role=Role.VIEWER, on=world.commune)
    assert _post(client, viewer, url, {"state": "same"}).status_code == 403


def test_two_officers_reviewing_one_flag_through_the_api_do_not_overwrite_each_other(world, client):
    _first, _second, flag = _flagged_pair(world)
    url = f"/api/v1/maternal/duplicates/{flag.pk}/review"
    editor = world.commune_editor
    read = versions.of(flag)
    missing = _post(client, editor, url, {"state": "same"})
    assert missing.status_code == 428
    first = _post(client, editor, url, {"state": "different", "note": "Khác", "version": read})
    assert first.status_code == 200
    late = _post(client, editor, url, {"state": "same", "note": "Trùng", "version": read})
    assert late.status_code == 409
    stale = late.json()
    assert stale["version"] == first.json()["version"]
    assert {c["field"]: c["stored"] for c in stale["changes"]}["state"] == "different"
    flag.refresh_from_db()
    assert (flag.state, flag.note) == ("different", "Khác")


def test_the_other_record_is_named_only_to_those_who_read_it(world, client):
    elsewhere = unit(UnitKind.VILLAGE, "Bản Pa Tần", world.sibling_commune)
    first, _second, _flag = _flagged_pair(world, elsewhere)
    url = f"/api/v1/maternal/duplicates?unit={world.commune.pk}"
    item = client.get(url, **_headers(world.commune_editor)).json()["items"][0]
    assert item["other_record"] is None
    item = client.get(url, **_headers(world.province_admin)).json()["items"][0]
    assert item["other_record"]["mother_id"] == first.pk
    assert client.get(url, **_headers(world.outsider)).status_code == 404


def test_reading_the_duplicates_is_logged(world, client):
    _flagged_pair(world)
    url = f"/api/v1/maternal/duplicates?unit={world.commune.pk}"
    client.get(url, **_headers(world.district_approver))
    entry = PersonalDataAccess.objects.get(user=world.district_approver)
    assert (entry.what, entry.count, entry.source) == ("api", 1, "api")


# The log of personal data read --------------------------------------------------------------


def test_the_personal_data_log_is_read_by_the_units_administrators_only(world, client):
    _judged_birth(world)
    client.get(f"/api/v1/mothers?unit={world.commune.pk}", **_headers(world.commune_editor))
    url = f"/api/v1/maternal/personal-data-log?unit={world.commune.pk}"
    assert client.get(url, **_headers(world.commune_editor)).status_code == 403
    assert client.get(url, **_headers(world.district_approver)).status_code == 403
    assert client.get(url, **_headers(world.outsider)).status_code == 404
    body = client.get(url, **_headers(world.province_admin)).json()
    assert body["count"] == 1
    entry = body["items"][0]
    assert (entry["user_label"], entry["what"], entry["count"], entry["source"]) == (
        "xa.nhaplieu",
        "api",
        1,
        "api",
    )
    assert entry["unit_name"] == "Xã Mồ Sì San"
    exports = client.get(url + "&what=export", **_headers(world.national_admin)).json()
    assert exports["count"] == 0
    assert client.get(url + "&what=other", **_headers(world.national_admin)).status_code == 422


# Rule set versions --------------------------------------------------------------------------

NO_LIMIT = {
    "name": "Bỏ giới hạn số con",
    "legal_basis": "Pháp lệnh sửa đổi Điều 10 Pháp lệnh Dân số (03/6/2025)",
    "valid_from": "2025-06-03",
    "population_policy": "no_limit",
}


def test_a_rule_set_created_by_a_non_administrator_is_refused(world, client):
    before = RuleSet.objects.count()
    for account in (world.commune_editor, world.district_approver, world.outsider):
        response = _post(client, account, "/api/v1/maternal/rule-sets", NO_LIMIT)
        assert response.status_code == 403
    assert RuleSet.objects.count() == before


def test_a_new_version_from_a_date_never_changes_decisions_already_made(world, client):
    third = _judged_birth(
        world,
        date=D(2025, 6, 10),
        children_before=2,
        children_alive=2,
        deliveries_before=2,
        common_children_alive=2,
        mother_has_earlier_child=False,
        husband_has_earlier_child=False,
        child_with_certified_condition=False,
    )
    first = third.decisions.get()
    assert first.result == "not_met"
    in_force = eligibility.rule_set_on(datetime.date.today())
    response = _post(client, world.national_admin, "/api/v1/maternal/rule-sets", NO_LIMIT)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["scope_id"] is None
    assert created["population_policy"] == "no_limit"
    # What was not sent is taken from the version in force today, as the page's form starts.
    assert created["min_age"] == in_force.min_age
    assert sorted(created["very_small_groups"]) == sorted(
        g.name for g in in_force.very_small_groups.all()
    )
    assert RuleSet.objects.get(valid_from=D(2022, 7, 28)).valid_until == D(2025, 6, 3)
    first.refresh_from_db()
    assert first.result == "not_met" and Decision.objects.filter(birth=third).count() == 1
    again = _post(
        client,
        world.district_approver,
        f"/api/v1/births/{third.pk}/decisions",
        {"reason": "Bộ tiêu chí mới từ 03/6/2025"},
    )
    assert again.json()["result"] == "met"
    assert again.json()["rule_set_id"] == created["id"]
    earlier = _post(client, world.national_admin, "/api/v1/maternal/rule-sets", NO_LIMIT)
    assert earlier.status_code == 422  # never before the latest version
    assert "valid_from" in earlier.json()["errors"]


def test_a_province_administrator_adds_rules_for_her_province_only(world, client):
    url = "/api/v1/maternal/rule-sets"
    country = _post(client, world.province_admin, url, NO_LIMIT)
    assert country.status_code == 422
    assert "scope" in country.json()["errors"]
    assert (
        _post(
            client, world.province_admin, url, {**NO_LIMIT, "scope": world.other_province.pk}
        ).status_code
        == 404
    )
    district = _post(client, world.province_admin, url, {**NO_LIMIT, "scope": world.district.pk})
    assert district.status_code == 422
    response = _post(client, world.province_admin, url, {**NO_LIMIT, "scope": world.province.pk})
    assert response.status_code == 201, response.content
    assert response.json()["scope_id"] == world.province.pk
    assert RuleSet.objects.get(valid_from=D(2022, 7, 28)).valid_until is None  # the nation's


@pytest.mark.parametrize(("groups", "status"), [(["Si La", "Pu Péo"], 201), (["Kinh"], 422)])
def test_the_third_child_groups_are_minorities_named_as_officers_write_them(
    world, client, groups, status
):
    body = {**NO_LIMIT, "very_small_groups": groups}
    response = _post(client, world.national_admin, "/api/v1/maternal/rule-sets", body)
    assert response.status_code == status, response.content
    if status == 201:
        assert sorted(response.json()["very_small_groups"]) == sorted(groups)


# The import's blank workbook ----------------------------------------------------------------


def test_the_births_template_has_the_imports_columns_for_those_who_read_the_unit(world, client):
    from openpyxl import load_workbook

    from duan8.maternal import imports

    url = f"/api/v1/births/template?unit={world.commune.pk}"
    response = client.get(url, **_headers(world.commune_editor))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert header == [column.header for column in imports.COLUMNS]
    assert sheet.max_row == 1  # blank
    assert client.get(url, **_headers(world.sibling_viewer)).status_code == 404
    assert client.get(url).status_code == 401
    assert not Birth.objects.exists()
