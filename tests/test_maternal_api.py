"""The maternal registry through the API: the pages' access rules, decisions with reasons,
personal fields only with the permission to export them, and every read logged."""

from __future__ import annotations

import datetime
import json

from duan8.accounts.models import Membership
from duan8.core import access
from duan8.maternal import eligibility
from duan8.maternal.models import Birth, Decision, Mother, PersonalDataAccess
from tests.factories import token, xlsx
from tests.maternal_factories import birth, citizen_id, mother

D = datetime.date


def _headers(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {token(user)}"}


def _post(client, user, url, body):
    return client.post(url, json.dumps(body), content_type="application/json", **_headers(user))


def test_an_editor_registers_a_mother_and_a_birth_judged_at_once(world, client):
    response = _post(
        client,
        world.commune_editor,
        "/api/v1/mothers",
        {
            "unit": world.village.pk,
            "full_name": "Lò Thị Mai",
            "birth_date": "1998-05-10",
            "ethnic_group": "H'Mông",
            "citizen_id": citizen_id(D(1998, 5, 10), 4567),
            "husband_ethnic_group": "Mông",
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["ethnic_group"] == "Mông"
    assert created["personal_data_masked"] is True  # no export permission
    assert created["citizen_id"] == "•••••••••567"
    response = _post(
        client,
        world.commune_editor,
        "/api/v1/births",
        {
            "mother": created["id"],
            "date": "2024-03-15",
            "place": "facility",
            "facility_name": "Trạm y tế xã",
            "delivery": "normal",
            "children_before": 0,
            "children_alive": 0,
            "deliveries_before": 0,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["result"] == "met"
    codes = [c["code"] for c in body["decision"]["criteria"]]
    assert "population_policy" in codes
    assert body["decision"]["rule_set_name"].startswith("Hướng dẫn 04/HD-ĐCT")


def test_a_refused_record_says_why_in_vietnamese(world, client):
    response = _post(
        client,
        world.commune_editor,
        "/api/v1/mothers",
        {
            "unit": world.village.pk,
            "full_name": "Lò Thị Mai",
            "birth_date": "1998-05-10",
            "ethnic_group": "Hmoong",
        },
    )
    assert response.status_code == 422
    assert "ethnic_group" in response.json()["errors"]
    response = _post(
        client,
        world.commune_editor,
        "/api/v1/mothers",
        {
            "unit": world.village.pk,
            "full_name": "Lò Thị Mai",
            "birth_date": "1998-05-10",
            "ethnic_group": "Mông",
            "citizen_id": "123",
        },
    )
    assert response.status_code == 422
    assert "citizen_id" in response.json()["errors"]
    assert not Mother.objects.exists()


def test_personal_fields_only_with_the_export_permission_and_every_read_logged(world, client):
    record = birth(mother(world.village, citizen_id="012198004567", phone="0912345678"))
    eligibility.decide(record)
    url = f"/api/v1/mothers?unit={world.commune.pk}"
    body = client.get(url, **_headers(world.district_approver)).json()
    assert body["count"] == 1
    assert body["items"][0]["citizen_id"] == "•••••••••567"
    assert body["items"][0]["phone"] == "•••••••678"
    Membership.objects.filter(user=world.district_approver).update(may_export_personal_data=True)
    access.forget(world.district_approver)
    body = client.get(url, **_headers(world.district_approver)).json()
    assert body["items"][0]["citizen_id"] == "012198004567"
    assert body["items"][0]["personal_data_masked"] is False
    client.get(f"/api/v1/births/{record.pk}", **_headers(world.district_approver))
    logged = list(PersonalDataAccess.objects.filter(what="api").values_list("source", "count"))
    assert logged == [("api", 1), ("api", 1), ("api", 1)]


def test_lists_and_records_follow_the_access_rules(world, client):
    record = birth(mother(world.village))
    assert client.get(f"/api/v1/births/{record.pk}", **_headers(world.outsider)).status_code == 404
    response = client.get(f"/api/v1/births?unit={world.commune.pk}", **_headers(world.outsider))
    assert response.status_code == 404
    response = _post(
        client,
        world.sibling_viewer,
        "/api/v1/births",
        {"mother": record.mother_id, "date": "2024-09-20", "place": "home", "delivery": "normal"},
    )
    assert response.status_code == 404


def test_approvers_judge_again_and_every_decision_is_listed(world, client):
    record = birth(mother(world.village))
    eligibility.decide(record)
    url = f"/api/v1/births/{record.pk}/decisions"
    assert _post(client, world.commune_editor, url, {"reason": "Xét lại"}).status_code == 403
    response = _post(client, world.district_approver, url, {"reason": "Xét lại"})
    assert response.status_code == 201
    assert response.json()["reason_for_rerun"] == "Xét lại"
    listed = client.get(url, **_headers(world.commune_editor)).json()
    assert len(listed) == 2 and Decision.objects.count() == 2


def test_rule_sets_are_listed_with_their_dates(world, client):
    body = client.get("/api/v1/maternal/rule-sets", **_headers(world.commune_editor)).json()
    assert body[0]["valid_from"] == "2022-07-28"
    assert "Si La" in body[0]["very_small_groups"] and len(body[0]["very_small_groups"]) == 16


def test_the_export_needs_its_permission_and_the_import_runs_as_a_job(world, client):
    record = birth(mother(world.village))
    body = {"unit_id": world.commune.pk, "purpose": "Danh sách chi trả"}
    assert _post(client, world.province_admin, "/api/v1/births/export", body).status_code == 403
    response = _post(client, world.national_admin, "/api/v1/births/export", body)
    assert response.status_code == 202
    assert PersonalDataAccess.objects.get(what="export").purpose == "Danh sách chi trả"
    from tests.test_maternal_imports import HEADER, _row

    response = client.post(
        "/api/v1/births/import",
        {
            "unit_id": world.commune.pk,
            "file": xlsx([HEADER, _row(**{"Ngày sinh con": "01/12/2024"})]),
        },
        **_headers(world.commune_editor),
    )
    assert response.status_code == 202, response.content
    from duan8.core import jobs

    assert jobs.execute(response.json()["id"]) == "done"
    assert Birth.objects.exclude(pk=record.pk).count() == 1
