"""The support-package API: what the pages do, under the same rules, and the payment list's
personal fields only with the permission to export personal data."""

from __future__ import annotations

import json

import pytest

from duan8.accounts.models import Membership
from duan8.benefits import entitlements
from duan8.benefits.models import Entitlement, ItemAmount
from duan8.core import versions
from duan8.finance.models import BudgetLine, Disbursement
from duan8.maternal.models import PersonalDataAccess
from tests.benefits_factories import (
    D,
    birth,
    lump_amount,
    lump_item,
    package,
    travel_amount,
    travel_item,
)
from tests.factories import token

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def setup(world):
    pack = package(world.nation)
    world.travel = travel_item(pack)
    world.lump = lump_item(pack)
    travel_amount(world.travel, world.nation)
    lump_amount(world.lump, world.province)
    return world


def _call(client, method, url, user, body=None, language="vi", **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token(user)}", "HTTP_ACCEPT_LANGUAGE": language}
    if method == "get":
        return client.get(url, params, **headers)
    return client.generic(
        method.upper(),
        url,
        json.dumps(body or {}),
        content_type="application/json",
        **headers,
    )


def test_the_items_in_force_say_which_are_not_configured(client, setup):
    world = setup
    response = _call(
        client,
        "get",
        f"{API}/benefits/amounts/in-force",
        world.commune_editor,
        unit=world.commune.pk,
        on="2024-06-01",
    )
    found = {row["support_item_name"]: row for row in response.json()}
    assert found["Hỗ trợ đi lại khám thai"]["configured"] is True
    assert found["Hỗ trợ đi lại khám thai"]["amount"]["amount"] == 100_000
    assert found["Hỗ trợ trọn gói khi sinh"] == {
        **found["Hỗ trợ trọn gói khi sinh"],
        "configured": False,
        "amount": None,
    }


def test_a_birth_is_proposed_with_its_occasions_capped(client, setup):
    world = setup
    found = birth(world.village, D(2025, 4, 10), delivery="caesarean")
    url = f"{API}/benefits/births/{found.pk}/entitlements"
    response = _call(
        client,
        "post",
        url,
        world.commune_editor,
        {"counts": [{"support_item": world.travel.pk, "count": 7}]},
    )
    assert response.status_code == 201
    made = {row["support_item_id"]: row for row in response.json()}
    assert (made[world.travel.pk]["count"], made[world.travel.pk]["amount"]) == (4, 400_000)
    assert made[world.lump.pk]["amount"] == 2_400_000
    listed = _call(client, "get", url, world.sibling_viewer)
    assert listed.status_code == 404
    shown = _call(client, "get", url, world.district_approver).json()
    assert shown["eligible"] is True
    assert {row["state"] for row in shown["items"]} == {"proposed"}


def test_steps_out_of_order_answer_422_with_the_reason(client, setup):
    world = setup
    found = birth(world.village, D(2025, 4, 10))
    entitlements.propose(found)
    proposed = Entitlement.objects.get(birth=found, item=world.lump)
    url = f"{API}/benefits/entitlements/{proposed.pk}/pay"
    response = _call(
        client,
        "post",
        url,
        world.commune_editor,
        {"paid_on": "2025-05-02", "payer": "A", "voucher": "PC-1"},
        language="en",
    )
    assert response.status_code == 422
    assert "Only an approved entitlement can be paid" in json.dumps(response.json())
    response = _call(
        client, "post", f"{API}/benefits/entitlements/{proposed.pk}/approve", world.commune_editor
    )
    assert response.status_code == 403


def test_paying_more_than_the_line_has_is_refused_and_nothing_stored(client, setup):
    world = setup
    line = BudgetLine.objects.create(
        unit=world.commune, fiscal_year=2025, source="central", original_amount=2_000_000
    )
    found = birth(world.village, D(2025, 4, 10))
    entitlements.propose(found)
    approved = entitlements.approve(Entitlement.objects.get(birth=found, item=world.lump))
    response = _call(
        client,
        "post",
        f"{API}/benefits/entitlements/{approved.pk}/pay",
        world.commune_editor,
        {"paid_on": "2025-05-02", "payer": "A", "voucher": "PC-1", "line": line.pk},
    )
    assert response.status_code == 422
    assert "2.000.000" in response.json()["errors"]["budget_line"][0]
    approved.refresh_from_db()
    assert approved.state == "approved" and not Disbursement.objects.exists()
    line.original_amount = 10_000_000
    line.save()
    response = _call(
        client,
        "post",
        f"{API}/benefits/entitlements/{approved.pk}/pay",
        world.commune_editor,
        {"paid_on": "2025-05-02", "payer": "A", "voucher": "PC-1", "line": line.pk},
    )
    assert response.status_code == 200
    assert response.json()["disbursement_id"] == Disbursement.objects.get().pk


def test_an_amount_is_changed_from_a_day_with_the_version_read(client, setup):
    world = setup
    current = ItemAmount.objects.get(item=world.lump)
    url = f"{API}/benefits/amounts/{current.pk}/change"
    body = {"valid_from": "2026-01-01", "amount": 2_500_000}
    assert _call(client, "post", url, world.province_admin, body).status_code == 428
    response = _call(
        client, "post", url, world.province_admin, {**body, "version": versions.of(current)}
    )
    assert response.status_code == 201
    new = response.json()
    assert (new["amount"], new["amount_caesarean"], new["previous_id"]) == (
        2_500_000,
        2_400_000,
        current.pk,
    )
    # a change over a version changed since is refused with both values
    url = f"{API}/benefits/amounts/{new['id']}/change"
    body = {"valid_from": "2026-06-01", "amount": 2_600_000, "version": 1}
    response = _call(client, "post", url, world.province_admin, body)
    assert response.status_code == 409


def test_the_payment_list_gives_personal_fields_only_with_the_permission(client, setup):
    world = setup
    found = birth(world.village, D(2025, 4, 10))
    entitlements.propose(found)
    entitlements.approve(Entitlement.objects.get(birth=found, item=world.lump))
    url = f"{API}/benefits/payments"
    plain = _call(
        client, "get", url, world.district_approver, unit=world.commune.pk, period="2025"
    ).json()
    assert plain["personal"] is False and plain["count"] == 1 and plain["total"] == 2_200_000
    row = plain["items"][0]
    assert row["mother_name"] == found.mother.full_name
    assert (row["citizen_id"], row["phone"], row["mother_birth_date"]) == (None, None, None)
    assert not PersonalDataAccess.objects.exists()
    Membership.objects.filter(user=world.district_approver).update(may_export_personal_data=True)
    full = _call(
        client,
        "get",
        url,
        world.district_approver,
        unit=world.commune.pk,
        period="2025",
        purpose="Đối chiếu danh sách chi trả",
    ).json()
    assert full["personal"] is True
    assert full["items"][0]["citizen_id"] == found.mother.citizen_id
    log = PersonalDataAccess.objects.get()
    assert (log.what, log.source, log.purpose, log.count) == (
        "api",
        "api",
        "Đối chiếu danh sách chi trả",
        1,
    )
