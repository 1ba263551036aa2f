"""The JSON API: tokens, scoping and clear answers to bad input."""

import pytest
from django.urls import reverse

from duan8.accounts.models import ApiToken
from tests.factories import token


def unit_url(unit):
    return reverse("api:unit", kwargs={"unit_id": unit.pk})


def test_a_token_identifies_its_user(api_client, world):
    body = api_client(token(world.district_approver)).get(reverse("api:me")).json()
    assert body["username"] == "huyen.pheduyet"
    assert body["memberships"] == [
        {"unit_id": world.district.pk, "unit_name": "Huyện Phong Thổ", "role": "approver"}
    ]


def test_the_unit_list_holds_only_units_in_scope(api_client, world):
    body = api_client(token(world.district_approver)).get(reverse("api:units")).json()
    names = {item["name"] for item in body["items"]}
    assert names == {"Huyện Phong Thổ", "Xã Mồ Sì San", "Bản Sì Choang"}
    assert body["count"] == 3


def test_the_unit_list_filters_by_kind_parent_and_date(api_client, world):
    client = api_client(token(world.national_admin))
    body = client.get(reverse("api:units"), kind="district", parent=world.province.pk).json()
    assert {item["code"] for item in body["items"]} == {"108", "109"}
    on_2026 = client.get(reverse("api:units"), on="2026-01-01", kind="district").json()
    assert on_2026["count"] == 3  # factory units are open-ended


def test_a_revoked_token_is_refused(api_client, world):
    raw = token(world.commune_editor)
    ApiToken.objects.get(user=world.commune_editor).revoke()
    response = api_client(raw).get(reverse("api:me"))
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_token_of_a_deactivated_account_is_refused(api_client, world):
    raw = token(world.commune_editor)
    world.commune_editor.is_active = False
    world.commune_editor.save()
    assert api_client(raw).get(reverse("api:me")).status_code == 401


def test_the_session_of_a_signed_in_page_user_does_not_open_the_api(client, world):
    client.force_login(world.national_admin)
    assert client.get(reverse("api:me")).status_code == 401


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ('{"name": ', 400),
        ("[1, 2, 3]", 422),
        ('{"valid_until": "31/02/2025"}', 422),
        ('{"name": ""}', 422),
        ('{"valid_until": "2020-01-01"}', 422),
    ],
)
def test_malformed_input_gets_a_4xx_with_a_reason(api_client, world, body, status):
    client = api_client(token(world.national_admin))
    version = client.get(reverse("api:unit", kwargs={"unit_id": world.commune.pk})).json()
    response = client.patch(
        reverse("api:unit_update", kwargs={"unit_id": world.commune.pk}),
        body,
        raw=True,
        if_match=version["version"],
    )
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    world.commune.refresh_from_db()
    assert world.commune.name == "Xã Mồ Sì San"


def test_an_update_changes_only_the_fields_sent(api_client, world):
    client = api_client(token(world.national_admin))
    read = client.get(reverse("api:unit", kwargs={"unit_id": world.commune.pk})).json()
    response = client.patch(
        reverse("api:unit_update", kwargs={"unit_id": world.commune.pk}),
        {"short_name": "Mồ Sì San", "version": read["version"]},
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Xã Mồ Sì San"


def test_the_openapi_description_lists_the_endpoints(client, db):
    schema = client.get(reverse("api:openapi-json")).json()
    assert "/api/v1/units/{unit_id}" in schema["paths"]
    assert "patch" in schema["paths"]["/api/v1/units/{unit_id}"]


def test_the_api_docs_page_loads_its_scripts_from_the_app(client, db):
    page = client.get(reverse("api:openapi-view")).content.decode()
    assert "cdn" not in page.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in page


def test_audit_events_are_listed_for_a_unit_subtree(api_client, world):
    world.commune.short_name = "Đổi qua mô hình"
    world.commune.save()
    body = (
        api_client(token(world.province_admin))
        .get(reverse("api:audit"), unit=world.district.pk)
        .json()
    )
    assert any(item["after"] == {"short_name": "Đổi qua mô hình"} for item in body["items"])


def test_a_province_administrator_cannot_rename_an_official_unit(api_client, world):
    response = api_client(token(world.province_admin)).patch(
        reverse("api:unit_update", kwargs={"unit_id": world.commune.pk}), {"name": "Xã Khác"}
    )
    assert response.status_code == 403
    world.commune.refresh_from_db()
    assert world.commune.name == "Xã Mồ Sì San"


def test_a_province_administrator_renames_a_village(api_client, world):
    client = api_client(token(world.province_admin))
    read = client.get(reverse("api:unit", kwargs={"unit_id": world.village.pk})).json()
    response = client.patch(
        reverse("api:unit_update", kwargs={"unit_id": world.village.pk}),
        {
            "name": "Bản Sì Choang Trên",
            "short_name": "Bản Sì Choang Trên",
            "version": read["version"],
        },
    )
    assert response.status_code == 200
