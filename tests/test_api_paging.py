"""Lists page by offset, as before, and by a cursor that stays put when records come and go."""

import datetime

import pytest
from django.core import signing
from django.urls import reverse

from duan8.activities.models import Activity
from duan8.api import paging
from duan8.community.models import CommunityModel
from duan8.core.models import AuditEvent
from tests.factories import token


@pytest.fixture
def teams(world):
    """25 more teams of the commune, some sharing a name (the ordering key breaks ties)."""
    for number in range(25):
        CommunityModel.objects.create(
            kind="communication_team",
            unit=world.commune if number % 2 else world.village,
            name=f"Tổ truyền thông {number % 7}",
            established_on=datetime.date(2023, 1, 1) + datetime.timedelta(days=number),
        )
    return CommunityModel.objects.count()


def _list(client, user, name="api:models", **params):
    response = client.get(reverse(name), params, HTTP_AUTHORIZATION=f"Bearer {token(user)}")
    assert response.status_code == 200, response.content
    return response.json()


def test_paging_by_cursor_visits_every_record_once_in_the_offset_order(client, world, teams):
    user = world.national_admin
    whole = _list(client, user, unit=world.nation.pk, limit=1000)
    assert whole["count"] == teams and whole["next_cursor"] is None
    seen, cursor = [], ""
    while cursor is not None:
        page = _list(client, user, unit=world.nation.pk, limit=4, cursor=cursor)
        assert page["count"] is None  # not counted again on every page
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert seen == [item["id"] for item in whole["items"]]


def test_an_offset_page_gives_the_cursor_of_what_follows_it(client, world, teams):
    user = world.commune_editor
    first = _list(client, user, unit=world.commune.pk, limit=10)
    assert first["count"] == teams and first["next_cursor"]
    second = _list(client, user, unit=world.commune.pk, limit=10, cursor=first["next_cursor"])
    by_offset = _list(client, user, unit=world.commune.pk, limit=10, offset=10)
    assert [i["id"] for i in second["items"]] == [i["id"] for i in by_offset["items"]]


def test_a_record_added_before_the_cursor_does_not_shift_the_next_page(client, world, teams):
    user = world.commune_editor
    first = _list(client, user, unit=world.commune.pk, limit=10)
    expected = _list(client, user, unit=world.commune.pk, limit=10, offset=10)["items"]
    CommunityModel.objects.create(  # sorts before every team of the village and the commune
        kind="communication_team",
        unit=world.commune,
        name="Tổ A",
        established_on=datetime.date(2023, 5, 1),
    )
    second = _list(client, user, unit=world.commune.pk, limit=10, cursor=first["next_cursor"])
    assert [i["id"] for i in second["items"]] == [i["id"] for i in expected]


def test_activities_page_newest_first_by_cursor(client, world):
    for day in range(1, 13):
        Activity.objects.create(
            kind="dialogue",
            dialogue_level="commune",
            title=f"Đối thoại {day}",
            unit=world.commune,
            start_on=datetime.date(2024, 3, day % 4 + 1),  # many on the same day
            end_on=datetime.date(2024, 3, day % 4 + 1),
            organiser="Hội LHPN xã",
        )
    user = world.commune_editor
    whole = _list(client, user, "api:activities", unit=world.commune.pk)["items"]
    seen, cursor = [], ""
    while cursor is not None:
        page = _list(client, user, "api:activities", unit=world.commune.pk, limit=5, cursor=cursor)
        seen += page["items"]
        cursor = page["next_cursor"]
    assert [a["id"] for a in seen] == [a["id"] for a in whole] and len(seen) == 13


def test_units_and_the_audit_trail_page_by_cursor(client, world):
    user = world.national_admin
    units = _list(client, user, "api:units", limit=3)
    rest = _list(client, user, "api:units", limit=1000, cursor=units["next_cursor"])
    everything = _list(client, user, "api:units", limit=1000)
    assert [u["id"] for u in units["items"] + rest["items"]] == [
        u["id"] for u in everything["items"]
    ]
    url = reverse("api:audit")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token(user)}"}
    first = client.get(url, {"unit": world.nation.pk, "limit": 2}, **auth).json()
    after = client.get(
        url, {"unit": world.nation.pk, "limit": 1000, "cursor": first["next_cursor"]}, **auth
    ).json()
    assert first["count"] == len(first["items"]) + len(after["items"]) > 10
    assert AuditEvent.objects.count() >= first["count"]


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        signing.dumps({"k": ["pk"], "v": [1]}, salt="another salt"),
        signing.dumps({"k": ["name", "pk"], "v": ["x", 1]}, salt=paging.SALT),  # another list
        signing.dumps({"k": ["unit__path", "name", "pk"], "v": [1]}, salt=paging.SALT),
    ],
    # Signed values carry the time they were made: named so every xdist worker collects the same.
    ids=["garbage", "another-salt", "another-list", "key-without-values"],
)
def test_a_forged_or_foreign_cursor_is_refused_in_vietnamese(client, world, cursor):
    response = client.get(
        reverse("api:models"),
        {"unit": world.commune.pk, "cursor": cursor},
        HTTP_AUTHORIZATION=f"Bearer {token(world.commune_editor)}",
    )
    assert response.status_code == 422
    assert "con trỏ" in response.json()["detail"] or "cursor" in response.json()["detail"]


def test_offset_and_cursor_together_are_refused(client, world):
    response = client.get(
        reverse("api:models"),
        {"unit": world.commune.pk, "cursor": "", "offset": 5},
        HTTP_AUTHORIZATION=f"Bearer {token(world.commune_editor)}",
    )
    assert response.status_code == 422


def test_the_ordering_key_ends_with_the_primary_key_and_places_empty_values(world):
    keys = paging.keys_of(CommunityModel.objects.order_by("unit__path", "name"))
    assert [(k.path, k.descending) for k in keys] == [
        ("unit__path", False),
        ("name", False),
        ("pk", False),
    ]
    keys = paging.keys_of(CommunityModel.objects.order_by("-ended_on", "name"))
    assert keys[0].nullable and not keys[1].nullable
    ordered = list(CommunityModel.objects.order_by(*[k.order for k in keys]))
    CommunityModel.objects.create(
        kind="communication_team",
        unit=world.commune,
        name="Tổ đã giải thể",
        established_on=datetime.date(2022, 1, 1),
        ended_on=datetime.date(2024, 1, 1),
    )
    ordered = list(CommunityModel.objects.order_by(*[k.order for k in keys]))
    position = [paging.encode(keys, item) for item in ordered]
    # Going down, the dissolved team comes first and the open-ended ones (empty) after it;
    # from each position, the rest of the list follows.
    assert ordered[0].name == "Tổ đã giải thể"
    for index, cursor in enumerate(position):
        rest = CommunityModel.objects.filter(
            paging.after(keys, paging.decode(keys, cursor))
        ).order_by(*[k.order for k in keys])
        assert list(rest) == ordered[index + 1 :]
