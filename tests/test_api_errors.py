"""The API's errors speak Vietnamese, or English when the client asks (Accept-Language: en)."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from ninja import Schema

from duan8.api.api import api
from duan8.framework import actions, defaults, periods
from tests.factories import token

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token(user)}"}


def post(client, url, body, **headers):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data, content_type="application/json", **headers)


def test_a_missing_field_is_named_with_a_reason_in_vietnamese(client, world):
    response = post(client, reverse("api:model_create"), {}, **bearer(world.commune_editor))
    assert response.status_code == 422
    body = response.json()
    name = next(e for e in body["errors"] if e["loc"] == ["body", "payload", "name"])
    assert name == {"loc": ["body", "payload", "name"], "msg": "Trường này là bắt buộc.",
                    "type": "missing"}  # fmt: skip
    assert body["detail"].startswith("Yêu cầu không hợp lệ: ")
    assert "name: Trường này là bắt buộc." in body["detail"]
    assert response["Content-Language"] == "vi"


def test_a_missing_field_is_named_in_english_when_the_client_asks(client, world):
    response = post(
        client, reverse("api:model_create"), {}, **bearer(world.commune_editor), **ENGLISH
    )
    name = next(e for e in response.json()["errors"] if e["loc"][-1] == "name")
    assert name["msg"] == "This field is required."
    assert response.json()["detail"].startswith("The request is not valid: ")


@pytest.mark.parametrize(
    ("language", "reason"),
    [("vi", "Nhập một số nguyên."), ("en", "Enter a whole number.")],
)
def test_a_value_of_the_wrong_type_is_refused_in_the_clients_language(
    client, world, language, reason
):
    response = client.get(
        reverse("api:units"),
        {"limit": "mười"},
        **bearer(world.national_admin),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error == {"loc": ["query", "limit"], "msg": reason, "type": "int_parsing"}


def test_limits_in_reasons_are_written_the_vietnamese_way(client, world):
    response = client.get(reverse("api:units"), {"limit": 5000}, **bearer(world.national_admin))
    [error] = response.json()["errors"]
    assert error["msg"] == "Giá trị không được vượt quá 1.000."
    assert error["ctx"] == {"le": 1000}


def test_a_choice_names_the_values_it_takes(client, world):
    response = client.get(
        reverse("api:units"), {"kind": "galaxy"}, **bearer(world.national_admin), **ENGLISH
    )
    [error] = response.json()["errors"]
    assert error["msg"] == "Choose one of: nation, province, district, commune, village."


def test_pydantics_english_never_reaches_a_vietnamese_answer(client, world):
    url = reverse("api:model_create")
    sent = {"kind": 7, "unit": "x", "name": "", "established_on": "31/02/2024", "hotline": []}
    response = post(client, url, sent, **bearer(world.commune_editor))
    assert response.status_code == 422
    for error in response.json()["errors"]:
        assert error["msg"] != "" and "should" not in error["msg"], error
        assert "error" not in error.get("ctx", {}), error


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("vi", "Nội dung yêu cầu không phải JSON hợp lệ."),
        ("en", "The request body is not valid JSON."),
    ],
)
def test_a_body_that_is_not_json_answers_400_in_the_clients_language(
    client, world, language, detail
):
    response = post(
        client,
        reverse("api:model_create"),
        '{"name": ',
        **bearer(world.commune_editor),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert response.json() == {"detail": detail}


def test_a_body_that_is_not_an_object_is_refused_in_vietnamese(client, world):
    response = post(client, reverse("api:model_create"), "[1, 2]", **bearer(world.commune_editor))
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["msg"] == "Nội dung yêu cầu phải là một đối tượng JSON."


@pytest.mark.parametrize(
    ("language", "detail"),
    [("vi", "Cần có mã truy cập API hợp lệ."), ("en", "A valid API token is required.")],
)
def test_a_request_without_a_token_answers_in_the_clients_language(client, db, language, detail):
    response = client.get(reverse("api:me"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 401
    assert response.json() == {"detail": detail}


def test_a_request_without_a_token_answers_in_vietnamese_by_default(client, db):
    response = client.get(reverse("api:units"), HTTP_AUTHORIZATION="Bearer d8_not-a-token")
    assert response.json() == {"detail": "Cần có mã truy cập API hợp lệ."}


def test_a_record_out_of_reach_answers_404_in_english_when_asked(client, world):
    url = reverse("api:unit", kwargs={"unit_id": world.other_commune.pk})
    response = client.get(url, **bearer(world.commune_editor), **ENGLISH)
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    vietnamese = client.get(url, **bearer(world.commune_editor))
    assert vietnamese.json() == {"detail": "Không tìm thấy."}


def test_a_method_an_address_does_not_take_answers_405_in_json(client, world):
    response = client.delete(reverse("api:units"), **bearer(world.national_admin))
    assert response.status_code == 405
    assert response.json() == {"detail": "Địa chỉ này không nhận yêu cầu DELETE; chỉ nhận GET."}
    assert response["Allow"] == "GET"


def test_an_address_the_api_does_not_have_answers_404_in_json(client, db):
    response = client.get("/api/v1/no-such-thing", **ENGLISH)
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


def test_the_over_allocation_answer_says_by_how_much_for_each_indicator(client, world):
    phase = defaults.load()
    teams = phase.indicators().get(code="TTCĐ")
    actions.set_target(teams, world.province, periods.parse("2024"), Decimal(1200))
    cells = [
        {"unit": world.district.pk, "indicator": teams.pk, "value": "1000"},
        {"unit": world.sibling_district.pk, "indicator": teams.pk, "value": "205"},
    ]
    sent = {"unit": world.province.pk, "phase": phase.pk, "period": "2024", "cells": cells}
    response = client.put(
        reverse("api:allocation_save"),
        json.dumps(sent),
        content_type="application/json",
        **bearer(world.province_admin),
    )
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == (
        "Phân bổ vượt chỉ tiêu; gửi kèm lý do để xác nhận. "
        "Tỉnh Lai Châu, chỉ tiêu TTCĐ: vượt 5 so với chỉ tiêu cấp trên giao (1.200); "
        "đã phân bổ cho cấp dưới 1.205, tự thực hiện 0."
    )
    assert body["over"] == ["TTCĐ"]
    [excess] = body["excess"]
    assert (excess["unit_id"], excess["indicator"]) == (world.province.pk, "TTCĐ")
    assert Decimal(excess["excess"]) == 5 and Decimal(excess["target"]) == 1200


def test_the_openapi_description_lists_the_errors_ninja_answers(client, db):
    paths = client.get(reverse("api:openapi-json")).json()["paths"]
    read = paths["/api/v1/units/{unit_id}"]["get"]["responses"]
    assert {"200", "401", "404", "422"} <= read.keys()
    assert read["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Invalid"
    }
    create = paths["/api/v1/models"]["post"]["responses"]
    assert {"201", "400", "401", "403", "404", "422"} <= create.keys()
    assert "422" not in paths["/api/v1/me"]["get"]["responses"]


def _schemas(base):
    for sub in base.__subclasses__():
        yield sub
        yield from _schemas(sub)


def test_every_schema_of_the_api_has_a_name_of_its_own():
    """The OpenAPI description names a schema by its class: two classes of one name would
    describe one answer with the other's fields."""
    api.get_openapi_schema()  # every router loaded
    names = [s.__name__ for s in set(_schemas(Schema)) if s.__module__.startswith("duan8.api")]
    assert sorted(n for n in names if names.count(n) > 1) == []
