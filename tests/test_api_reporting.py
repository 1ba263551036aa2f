"""The reporting cycle through the API as the pages live it: figures typed for a period (with
the page's checks and versions), a report submitted, returned with a comment, submitted again
and its two versions compared, approved, reopened with a reason; the reporting calendar kept
by those who keep it."""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from duan8.framework import actions, defaults, periods
from duan8.reporting import cycle
from duan8.reporting import defaults as reporting_defaults
from duan8.reporting.models import Figure, Regime, Submission
from tests.factories import token


def _call(client, method, url, user, data=None, **headers):
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token(user)}"
    if method == "GET":
        return client.get(url, data or {}, **headers)
    return client.generic(method, url, json.dumps(data), content_type="application/json", **headers)


@pytest.fixture
def typed(world):
    phase = defaults.load()
    area = phase.content_areas.get(code="ND1")
    indicator = actions.add_indicator(
        area,
        code="TGTT",
        name="Người tham gia sinh hoạt truyền thông",
        unit_of_measure="người",
        source="typed",
        breakdowns=["sex", "ethnic_minority"],
        measure="reporting.typed",
    )
    return phase, indicator


def test_a_commune_types_its_figures_and_a_second_officer_is_told_of_the_first(
    client, world, typed
):
    _phase, indicator = typed
    read = _call(
        client,
        "GET",
        reverse("api:typed_figures"),
        world.commune_editor,
        {"unit": world.commune.pk, "period": "2024-H1"},
    )
    assert read.status_code == 200, read.content
    row = next(r for r in read.json()["figures"] if r["code"] == "TGTT")
    assert (row["total"], row["version"], read.json()["may_edit"]) == (None, 0, True)
    body = {
        "unit": world.commune.pk,
        "period": "2024-H1",
        "figures": [{"indicator": indicator.pk, "total": 120, "women": 80, "version": 0}],
    }
    saved = _call(client, "PATCH", reverse("api:typed_figures_save"), world.commune_editor, body)
    assert saved.status_code == 200, saved.content
    row = next(r for r in saved.json()["figures"] if r["code"] == "TGTT")
    assert (Decimal(row["total"]), Decimal(row["women"])) == (120, 80) and row["version"] > 0
    # The district officer typed over it from a page read before the save: refused, both told.
    stale = {**body, "figures": [{**body["figures"][0], "total": 130}]}
    refused = _call(
        client, "PATCH", reverse("api:typed_figures_save"), world.district_approver, stale
    )
    assert refused.status_code == 409, refused.content
    assert refused.json()["version"] == row["version"]
    assert Figure.objects.get().total == 120
    # Without a version: 428; breakdowns above the total: the page's message, nothing stored.
    unversioned = {**body, "figures": [{"indicator": indicator.pk, "total": 5}]}
    assert (
        _call(
            client, "PATCH", reverse("api:typed_figures_save"), world.commune_editor, unversioned
        ).status_code
        == 428
    )
    wrong = {
        **body,
        "figures": [
            {"indicator": indicator.pk, "total": 10, "women": 12, "version": row["version"]}
        ],
    }
    answer = _call(client, "PATCH", reverse("api:typed_figures_save"), world.commune_editor, wrong)
    assert answer.status_code == 422 and "TGTT" in answer.json()["errors"]
    assert Figure.objects.get().total == 120
    # A viewer reads but cannot type.
    viewer = _call(
        client,
        "PATCH",
        reverse("api:typed_figures_save"),
        world.sibling_viewer,
        {**body, "unit": world.sibling_commune.pk},
    )
    assert viewer.status_code == 403


def test_an_indicator_counted_from_records_takes_no_typed_figure(client, world, typed):
    phase, _indicator = typed
    counted = phase.indicators().get(code="TTCĐ")
    answer = _call(
        client,
        "PATCH",
        reverse("api:typed_figures_save"),
        world.commune_editor,
        {
            "unit": world.commune.pk,
            "period": "2024",
            "figures": [{"indicator": counted.pk, "total": 3, "version": 0}],
        },
    )
    assert answer.status_code == 422 and not Figure.objects.exists()


def test_a_returned_report_is_fixed_submitted_again_compared_approved_and_reopened(client, world):
    defaults.load()
    reporting_defaults.load()
    act = reverse("api:report_act", kwargs={"unit_id": world.commune.pk, "period": "2024"})
    first = _call(client, "POST", act, world.commune_editor, {"action": "submit"})
    assert first.status_code == 200, first.content
    compare = reverse("api:report_compare", kwargs={"unit_id": world.commune.pk, "period": "2024"})
    assert _call(client, "GET", compare, world.commune_editor).status_code == 404  # one version
    no_comment = _call(client, "POST", act, world.district_approver, {"action": "return"})
    assert no_comment.status_code == 422 and no_comment.json()["detail"]
    returned = _call(
        client,
        "POST",
        act,
        world.district_approver,
        {
            "action": "return",
            "comment": "Thiếu tổ truyền thông bản Sì Choang",
            "seen_state": "submitted",
        },
    )
    assert returned.json()["state"] == "returned"
    from duan8.community.models import CommunityModel

    CommunityModel.objects.create(
        kind="communication_team",
        unit=world.commune,
        name="Tổ truyền thông xã",
        established_on=datetime.date(2024, 2, 1),
    )
    again = _call(
        client, "POST", act, world.commune_editor, {"action": "submit", "comment": "Đã bổ sung"}
    )
    assert [v["number"] for v in again.json()["versions"]] == [1, 2]
    rows = _call(client, "GET", compare, world.district_approver).json()
    assert (rows["first"], rows["second"]) == (1, 2)
    teams = next(r for r in rows["rows"] if r["code"] == "TTCĐ")
    assert (teams["before"], teams["after"], teams["changed"]) == ("1", "2", True)
    same = _call(client, "GET", compare, world.district_approver, {"from": 2, "to": 2}).json()
    assert not any(r["changed"] for r in same["rows"])
    assert _call(client, "GET", compare, world.district_approver, {"from": 3}).status_code == 404
    assert _call(client, "GET", compare, world.outsider).status_code == 404
    approved = _call(client, "POST", act, world.district_approver, {"action": "approve"})
    assert approved.json()["state"] == "approved"
    no_reason = _call(client, "POST", act, world.district_approver, {"action": "reopen"})
    assert no_reason.status_code == 422
    reopened = _call(
        client,
        "POST",
        act,
        world.district_approver,
        {"action": "reopen", "comment": "Sai số liệu đối thoại"},
    )
    assert reopened.json()["state"] == "returned"
    assert [s["action"] for s in reopened.json()["steps"]] == [
        "submit",
        "return",
        "submit",
        "approve",
        "reopen",
    ]
    assert Submission.objects.get().state == "returned"


def test_the_calendar_is_read_by_all_and_kept_by_those_who_keep_it(client, world):
    reporting_defaults.load()
    listed = _call(client, "GET", reverse("api:regimes"), world.commune_editor).json()
    assert listed and not any(r["editable"] for r in listed)
    body = {
        "scope": world.province.pk,
        "level": "commune",
        "reports_to": "province",
        "period_kind": "quarter",
        "due_day": 5,
        "valid_from": "2025-07-01",
        "legal_source": "Kế hoạch của tỉnh",
    }
    assert (
        _call(client, "POST", reverse("api:regimes"), world.commune_editor, body).status_code == 403
    )
    made = _call(client, "POST", reverse("api:regimes"), world.province_admin, body)
    assert made.status_code == 201, made.content
    regime = made.json()
    assert regime["editable"] and regime["version"] > 0
    url = reverse("api:regime_update", kwargs={"regime_id": regime["id"]})
    nation_row = Regime.objects.filter(scope=world.nation).first()
    other = _call(
        client,
        "PATCH",
        reverse("api:regime_update", kwargs={"regime_id": nation_row.pk}),
        world.province_admin,
        {"due_day": 3, "version": 0},
    )
    assert other.status_code == 403  # the nation's rows are the national administrators'
    assert _call(client, "PATCH", url, world.province_admin, {"due_day": 7}).status_code == 428
    changed = _call(
        client, "PATCH", url, world.province_admin, {"due_day": 7, "version": regime["version"]}
    )
    assert changed.status_code == 200 and changed.json()["due_day"] == 7
    stale = _call(
        client, "PATCH", url, world.province_admin, {"due_day": 9, "version": regime["version"]}
    )
    assert stale.status_code == 409 and stale.json()["changes"][0]["field"] == "due_day"
    wrong = _call(
        client,
        "PATCH",
        url,
        world.province_admin,
        {"reports_to": "district", "level": "province", "version": changed.json()["version"]},
    )
    assert wrong.status_code == 422 and "reports_to" in wrong.json()["errors"]
    assert _call(client, "GET", url, world.outsider).status_code == 404
    assert Regime.objects.get(pk=regime["id"]).due_day == 7
    period = periods.parse("2025-Q4")
    assert cycle.regime_of(world.commune, period).pk == regime["id"]  # the province's own row
