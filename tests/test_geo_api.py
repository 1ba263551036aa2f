"""Geography through the API: lineage, the tree as of a date, matching, villages, the area."""

from django.urls import reverse

from duan8.geo.models import AdminUnit, Classification, ProjectAreaEntry
from tests.factories import successor_commune, token, unit


def test_lineage_lists_successors_with_their_dates(api_client, world):
    new = successor_commune(world)
    body = (
        api_client(token(world.national_admin))
        .get(reverse("api:unit_lineage", kwargs={"unit_id": world.commune.pk}))
        .json()
    )
    assert [link["unit"]["id"] for link in body["successors"]] == [new.pk]
    assert body["successors"][0]["effective_on"] == "2025-07-01"
    assert body["predecessors"] == []


def test_as_of_maps_an_old_commune_to_its_successor(api_client, world):
    new = successor_commune(world)
    body = (
        api_client(token(world.national_admin))
        .get(reverse("api:unit_as_of", kwargs={"unit_id": world.commune.pk}), on="2026-01-01")
        .json()
    )
    assert body == [{"unit": body[0]["unit"], "weight": 1.0}]
    assert body[0]["unit"]["id"] == new.pk


def test_match_flags_a_variant_spelling_as_fuzzy(api_client, world):
    body = (
        api_client(token(world.province_admin))
        .get(reverse("api:match"), name="Xã Mỏ Sì San", within=world.province.pk)
        .json()
    )
    assert body["status"] == "fuzzy"
    assert body["candidates"][0]["unit"]["name"] == "Xã Mồ Sì San"
    assert 0 < body["candidates"][0]["confidence"] < 1


def test_match_never_picks_one_of_two_plausible_units(api_client, world):
    unit("commune", "Xã Nậm Xe", world.district)
    unit("commune", "Xã Nậm Xe", world.sibling_district)
    body = api_client(token(world.province_admin)).get(reverse("api:match"), name="Nậm Xe").json()
    assert body["status"] == "ambiguous" and len(body["candidates"]) == 2


def test_match_sees_only_units_in_scope(api_client, world):
    body = api_client(token(world.outsider)).get(reverse("api:match"), name="Mồ Sì San").json()
    assert body["status"] == "none"


def test_a_village_is_created_and_listed(api_client, world, client):
    url = reverse("api:villages", kwargs={"unit_id": world.commune.pk})
    raw = token(world.province_admin)
    created = client.post(
        url,
        {"name": "Bản Mới"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert created.status_code == 201 and created.json()["kind"] == "village"
    names = [v["name"] for v in api_client(raw).get(url).json()]
    assert names == ["Bản Mới", "Bản Sì Choang"]


def test_a_classification_with_a_bad_region_is_refused_with_the_field(world, client):
    response = client.post(
        reverse("api:classification_create", kwargs={"unit_id": world.sibling_commune.pk}),
        '{"kind": "region", "value": "IV", "valid_from": "2021-06-04"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token(world.province_admin)}",
    )
    assert response.status_code == 422
    assert "value" in response.json()["errors"]
    assert not Classification.objects.filter(unit=world.sibling_commune).exists()


def test_the_project_area_is_proposed_and_read(world, client):
    ProjectAreaEntry.objects.all().delete()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token(world.province_admin)}"}
    proposed = client.post(
        reverse("api:project_area_propose"),
        {"unit": world.province.pk, "year": 2024},
        content_type="application/json",
        **headers,
    ).json()
    assert (proposed["communes"], proposed["villages"]) == (1, 0)
    read = client.get(
        reverse("api:project_area"), {"unit": world.district.pk, "year": 2024}, **headers
    ).json()
    assert read["lines"][0]["commune"]["name"] == "Xã Mồ Sì San"
    assert AdminUnit.objects.filter(pk=world.commune.pk).exists()


def test_match_offers_similar_names_with_their_confidence_and_picks_none(api_client, world):
    body = (
        api_client(token(world.province_admin))
        .get(reverse("api:match"), name="Xã Mồ Sì Sao", within=world.province.pk)
        .json()
    )
    assert body["status"] == "similar" and body["unit"] is None
    assert body["candidates"][0]["unit"]["name"] == "Xã Mồ Sì San"
    assert 0 < body["candidates"][0]["confidence"] < 1
    assert "Mồ Sì San" in body["message"]


def test_match_by_code_is_certain(api_client, world):
    body = api_client(token(world.province_admin)).get(reverse("api:match"), name="03553").json()
    assert body["status"] == "exact" and body["unit"]["name"] == "Xã Mồ Sì San"
    assert body["candidates"][0] == {**body["candidates"][0], "confidence": 1.0, "reason": "code"}
