"""Bad input gets a clear 4xx, never a 500, and changes nothing."""

import datetime

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from duan8.accounts import lockout
from duan8.accounts.models import SignInFailure
from duan8.core import versions
from duan8.core.middleware import client_ip
from tests.factories import token

HUGE = str(10**23)


@pytest.mark.parametrize("value", ["abc", "", HUGE, "-1"])
def test_switching_to_a_unit_that_is_not_an_id_finds_nothing(client, world, value):
    client.force_login(world.province_admin)
    assert client.post(reverse("geo:switch"), {"unit": value}).status_code == 404


def test_a_unit_page_with_an_id_beyond_any_database_finds_nothing(client, world):
    client.force_login(world.national_admin)
    assert client.get(f"/units/{HUGE}/").status_code == 404
    assert client.get(f"/manage/users/{HUGE}/").status_code == 404


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/units", {"offset": HUGE}),
        ("/api/v1/units", {"limit": HUGE}),
        ("/api/v1/units", {"limit": "0"}),
        ("/api/v1/units", {"parent": HUGE}),
        ("/api/v1/units", {"kind": "galaxy"}),
        ("/api/v1/units", {"on": "31/02/2024"}),
        (f"/api/v1/units/{HUGE}", {}),
        ("/api/v1/audit", {"unit": "abc"}),
    ],
)
def test_the_api_answers_unreadable_parameters_with_422(api_client, world, url, params):
    response = api_client(token(world.national_admin)).get(url, **params)
    assert response.status_code == 422, response.content
    assert response.json()["detail"]


def test_a_unit_cannot_be_dated_outside_its_parent(api_client, world):
    response = api_client(token(world.national_admin)).patch(
        reverse("api:unit_update", kwargs={"unit_id": world.district.pk}),
        {"valid_from": "2020-01-01"},
        if_match=versions.of(world.district),
    )
    assert response.status_code == 422
    assert "valid_from" in response.json()["errors"]
    world.district.refresh_from_db()
    assert world.district.valid_from == datetime.date(2021, 1, 1)


def test_a_unit_cannot_end_before_the_units_below_it(api_client, world):
    response = api_client(token(world.national_admin)).patch(
        reverse("api:unit_update", kwargs={"unit_id": world.district.pk}),
        {"valid_until": "2025-07-01"},
        if_match=versions.of(world.district),
    )
    assert response.status_code == 422
    assert "valid_until" in response.json()["errors"]


def test_the_lock_message_counts_from_the_oldest_failure_in_the_window(db, settings):
    settings.SIGNIN_MAX_FAILURES, settings.SIGNIN_LOCK_MINUTES = 3, 15
    now = timezone.now()
    for minutes_ago in (14, 2, 1):
        SignInFailure.objects.create(username="x", at=now - datetime.timedelta(minutes=minutes_ago))
    assert lockout.minutes_blocked(lockout.Attempt(name="x", account=None, ip=None)) == 1


@override_settings(AUDIT_TRUST_FORWARDED_FOR=True)
def test_behind_a_proxy_the_audited_address_is_the_one_the_proxy_added():
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"
    spoofed = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(spoofed) is None


def test_an_administrator_cannot_change_her_own_role(client, world):
    client.force_login(world.province_admin)
    client.post(
        reverse("accounts:membership_add", args=[world.province_admin.pk]),
        {"m-unit": world.province.pk, "m-role": "viewer"},
    )
    assert world.province_admin.memberships.get().role == "unit_admin"
