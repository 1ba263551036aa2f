"""Setting norms, removing estimate lines and approving estimates through the API: the pages'
functions under the pages' access checks, with the audit trail and versions.

The norms are made up for the tests (their legal source says so), except the antenatal travel
support of 100.000 đồng per person per visit, which the brief gives from Circular
55/2023/TT-BTC."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from duan8.core import versions
from duan8.core.models import AuditEvent
from duan8.finance import estimates
from duan8.finance.models import (
    BudgetLine,
    Estimate,
    EstimateLine,
    EstimateState,
    NormKind,
    SpendingNorm,
)
from tests.factories import token

D = datetime.date
TEST_SOURCE = "Định mức thử nghiệm (không phải số liệu pháp lý)"
APPROVED_ALREADY = "Dự toán này đã được phê duyệt."
FROM_OCTOBER_2023 = D(2023, 10, 1)
JANUARY_2024 = D(2024, 1, 15)


def call(client, account, method, url, data=None, *, if_match=None, **params):
    """The API as ``account`` (a bearer token), answering in Vietnamese."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token(account)}", "HTTP_ACCEPT_LANGUAGE": "vi"}
    if if_match is not None:
        headers["HTTP_IF_MATCH"] = f'"{if_match}"'
    if method == "GET":
        return client.get(url, params, **headers)
    body = None if data is None else json.dumps(data)
    return client.generic(method, url, body or "", content_type="application/json", **headers)


def norm_body(scope, code="hoc-vien", **extra):
    return {
        "scope": scope.pk,
        "code": code,
        "item": "Học viên (thử nghiệm)",
        "measure": "person_day",
        "amount": 150_000,
        "kind": "ceiling",
        "valid_from": "2023-10-01",
        "legal_source": TEST_SOURCE,
        **extra,
    }


def norm(scope, code, amount, *, kind=NormKind.CEILING, start=FROM_OCTOBER_2023):
    return estimates.save_norm(
        SpendingNorm(
            scope=scope,
            code=code,
            item=f"Khoản {code}",
            measure="person_day",
            amount=amount,
            kind=kind,
            valid_from=start,
            legal_source=TEST_SOURCE,
        )
    )


def estimate(unit, day=JANUARY_2024):
    return estimates.save_estimate(Estimate(unit=unit, fiscal_year=2024, reference_date=day))


def add(est, the_norm, quantity, unit_amount=None, area=None):
    return estimates.add_line(
        EstimateLine(
            estimate=est,
            norm=the_norm,
            quantity=Decimal(quantity),
            unit_amount=unit_amount,
            content_area=area,
            activity="Tập huấn",
        )
    )


def norm_url(name, the_norm):
    return reverse(f"api:finance_norm_{name}", kwargs={"norm_id": the_norm.pk})


def approve_url(est):
    return reverse("api:estimate_approve", kwargs={"estimate_id": est.pk})


DECISION = {"source": "central", "decision_number": "125/QĐ-UBND", "decision_date": "2024-02-01"}


@pytest.fixture
def areas(world):
    from duan8.framework import defaults

    return list(defaults.load().content_areas.order_by("order", "code")[:2])


# Norms ---------------------------------------------------------------------------------------


def test_norms_added_changed_and_closed_through_the_api_appear_on_the_norms_page(client, world):
    admin = world.national_admin
    added = call(
        client,
        admin,
        "POST",
        reverse("api:finance_norm_create"),
        norm_body(
            world.nation,
            "di-lai-kham-thai",
            item="Hỗ trợ đi lại khám thai",
            measure="person_visit",
            amount=100_000,
            kind="fixed",
            legal_source="Thông tư 55/2023/TT-BTC ngày 15/8/2023 của Bộ Tài chính",
        ),
    )
    assert added.status_code == 201, added.json()
    first = SpendingNorm.objects.get(pk=added.json()["id"])
    assert added.json()["version"] == versions.of(first) > 0
    assert (first.scope, first.amount, first.kind) == (world.nation, 100_000, "fixed")

    changed = call(
        client,
        admin,
        "POST",
        norm_url("change", first),
        {
            "version": added.json()["version"],
            "valid_from": "2025-01-01",
            "amount": 120_000,
            "legal_source": TEST_SOURCE,
        },
    )
    assert changed.status_code == 201, changed.json()
    second = SpendingNorm.objects.get(pk=changed.json()["id"])
    first.refresh_from_db()
    assert first.valid_until == D(2025, 1, 1)  # closed on 31/12/2024 (the end is exclusive)
    assert (second.previous, second.valid_from, second.amount) == (first, D(2025, 1, 1), 120_000)
    assert (second.kind, second.item) == ("fixed", "Hỗ trợ đi lại khám thai")  # kept
    assert changed.json()["previous_id"] == first.pk

    closed = call(
        client,
        admin,
        "POST",
        norm_url("close", second),
        {"version": changed.json()["version"], "valid_until": "2026-01-01"},
    )
    assert closed.status_code == 200, closed.json()
    assert closed.json()["valid_until"] == "2026-01-01"
    second.refresh_from_db()
    assert second.valid_until == D(2026, 1, 1)

    # The page lists both versions, with their days, to a commune's officer.
    client.force_login(world.commune_editor)
    page = client.get(reverse("finance:norms"), {"on": "01/06/2025"}).content.decode()
    assert f'data-norm="{first.pk}"' in page and f'data-norm="{second.pk}"' in page
    assert "01/10/2023 – 01/01/2025" in page and "01/01/2025 – 01/01/2026" in page
    assert "120.000" in page and "Hỗ trợ đi lại khám thai" in page
    # The rule gives each version on its days; the API lists every version, newest first.
    assert estimates.norm_for(world.commune, "di-lai-kham-thai", D(2024, 12, 31)) == first
    assert estimates.norm_for(world.commune, "di-lai-kham-thai", D(2025, 6, 1)) == second
    assert estimates.norm_for(world.commune, "di-lai-kham-thai", D(2026, 1, 1)) is None
    listed = call(client, world.commune_editor, "GET", reverse("api:finance_norm_versions"))
    assert [n["id"] for n in listed.json()["items"]] == [second.pk, first.pk]
    # Each write is in the audit trail, by the administrator, from the API.
    events = AuditEvent.objects.filter(
        content_type__model="spendingnorm", object_id__in=[str(first.pk), str(second.pk)]
    )
    assert [(e.action, e.source, e.actor_id) for e in events.order_by("pk")] == [
        ("create", "api", admin.pk),
        ("update", "api", admin.pk),
        ("create", "api", admin.pk),
        ("update", "api", admin.pk),
    ]


def test_a_commune_officer_cannot_add_a_nation_wide_norm(client, world):
    answer = call(
        client,
        world.commune_editor,
        "POST",
        reverse("api:finance_norm_create"),
        norm_body(world.nation),
    )
    assert answer.status_code == 403
    assert answer.json()["detail"] == "Bạn không có quyền thực hiện thao tác này tại đây."
    assert not SpendingNorm.objects.exists()


def test_a_province_administrator_sets_her_provinces_norms_not_another_provinces(client, world):
    url = reverse("api:finance_norm_create")
    admin = world.province_admin
    own = call(client, admin, "POST", url, norm_body(world.province))
    assert own.status_code == 201 and own.json()["scope_id"] == world.province.pk
    other = call(client, admin, "POST", url, norm_body(world.other_province))
    assert other.status_code == 404 and other.json()["detail"] == "Không tìm thấy."
    nation = call(client, admin, "POST", url, norm_body(world.nation, "khac"))
    assert nation.status_code == 403
    district = call(client, admin, "POST", url, norm_body(world.district, "khac"))
    assert district.status_code == 403  # norms are set for the nation or a province
    assert list(SpendingNorm.objects.values_list("scope_id", flat=True)) == [world.province.pk]
    # Nor does she change or close the nation's norms, or another province's.
    national = norm(world.nation, "bao-cao-vien", 500_000)
    elsewhere = norm(world.other_province, "bao-cao-vien", 400_000)
    for target, status in ((national, 403), (elsewhere, 404)):
        body = {"version": versions.of(target), "valid_until": "2026-01-01"}
        assert call(client, admin, "POST", norm_url("close", target), body).status_code == status
        target.refresh_from_db()
        assert target.valid_until is None


def test_the_same_code_twice_on_the_same_days_is_refused_in_vietnamese(client, world):
    url = reverse("api:finance_norm_create")
    assert (
        call(client, world.national_admin, "POST", url, norm_body(world.nation)).status_code == 201
    )
    again = call(client, world.national_admin, "POST", url, norm_body(world.nation, "HOC-VIEN "))
    assert again.status_code == 422
    assert again.json()["detail"] == "Bản ghi không hợp lệ."
    assert again.json()["errors"]["valid_from"][0].startswith("Ở đây đã có định mức mang mã này")
    bad_area = call(
        client, world.national_admin, "POST", url, norm_body(world.nation, "x", content_area=999)
    )
    assert bad_area.status_code == 422 and bad_area.json()["detail"] == "Không có nội dung này."
    assert SpendingNorm.objects.count() == 1


def test_a_version_an_estimate_used_is_neither_closed_nor_changed_before_that_estimates_day(
    client, world
):
    used = norm(world.nation, "hoc-vien", 150_000)
    add(estimate(world.commune, D(2024, 6, 1)), used, "10", 150_000)
    admin = world.national_admin
    for name, body in (
        ("close", {"valid_until": "2024-06-01"}),
        ("change", {"valid_from": "2024-03-01", "amount": 200_000}),
    ):
        body["version"] = versions.of(used)
        refused = call(client, admin, "POST", norm_url(name, used), body)
        assert refused.status_code == 422, name
        assert refused.json()["errors"]["valid_until"] == [
            "Có dự toán lập sau ngày đó dùng định mức này."
        ]
    used.refresh_from_db()
    assert used.valid_until is None and SpendingNorm.objects.count() == 1
    # From the day after the estimate's, it may change: the estimate keeps its version.
    body = {"version": versions.of(used), "valid_from": "2024-06-02", "amount": 200_000}
    assert call(client, admin, "POST", norm_url("change", used), body).status_code == 201
    assert EstimateLine.objects.get().norm == used


def test_changing_or_closing_a_norm_needs_the_version_read_and_refuses_a_stale_one(client, world):
    target = norm(world.nation, "hoc-vien", 150_000)
    admin = world.national_admin
    read = call(client, admin, "GET", reverse("api:finance_norm", kwargs={"norm_id": target.pk}))
    version = read.json()["version"]
    missing = call(client, admin, "POST", norm_url("close", target), {"valid_until": "2026-01-01"})
    assert missing.status_code == 428 and missing.json()["detail"].startswith("Hãy gửi phiên bản")
    # Someone closes it meanwhile (on the page); the change sent with the old version is refused.
    estimates.close_norm(target, D(2025, 7, 1))
    stale = call(
        client,
        admin,
        "POST",
        norm_url("close", target),
        {"version": version, "valid_until": "2026-01-01"},
    )
    assert stale.status_code == 409
    assert stale.json()["version"] == versions.of(target) > version
    assert [c["field"] for c in stale.json()["changes"]] == ["valid_until"]
    changed = call(
        client,
        admin,
        "POST",
        norm_url("change", target),
        {"version": version, "valid_from": "2025-01-01", "amount": 1_000},
    )
    assert changed.status_code == 409 and SpendingNorm.objects.count() == 1
    target.refresh_from_db()
    assert target.valid_until == D(2025, 7, 1)
    # With the version now (here in an If-Match header), it goes through.
    again = call(
        client,
        admin,
        "POST",
        norm_url("close", target),
        {"valid_until": "2026-01-01"},
        if_match=stale.json()["version"],
    )
    assert again.status_code == 200 and again.json()["valid_until"] == "2026-01-01"


# Estimates -----------------------------------------------------------------------------------


def test_approval_turns_the_estimate_into_budget_lines_the_summary_counts(client, world, areas):
    first, second = areas
    ceiling = norm(world.nation, "hoc-vien", 150_000)
    est = estimate(world.commune)
    add(est, ceiling, "40", 150_000, area=first)
    add(est, ceiling, "2.5", 160_000, area=first)  # above the ceiling: flagged, kept
    add(est, ceiling, "10", 100_000, area=second)
    total = est.total
    assert total == 6_000_000 + 400_000 + 1_000_000
    answer = call(
        client,
        world.district_approver,
        "POST",
        approve_url(est),
        {**DECISION, "decision_issuer": "UBND huyện Phong Thổ"},
    )
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["state"] == "approved" and body["source"] == "central"
    assert (body["decision_number"], body["decision_date"]) == ("125/QĐ-UBND", "2024-02-01")
    assert body["decision_issuer"] == "UBND huyện Phong Thổ"
    made = {line["content_area_id"]: line["amount"] for line in body["budget_lines"]}
    assert made == {first.pk: 6_400_000, second.pk: 1_000_000}
    assert all(line["estimate_id"] == est.pk for line in body["budget_lines"])
    assert BudgetLine.objects.filter(estimate=est, unit=world.commune).count() == 2
    # The summary counts them, and the lines' list gives them with the estimate.
    summary = call(
        client,
        world.commune_editor,
        "GET",
        reverse("api:finance_summary"),
        unit=world.commune.pk,
        year=2024,
        as_of="2024-06-30",
    )
    assert summary.status_code == 200
    assert summary.json()["available"] == total and summary.json()["disbursed"] == 0
    assert summary.json()["table"][0]["total"] == total
    by_area = {row["key"]: row["available"] for row in summary.json()["by_area"]}
    assert by_area == {str(first.pk): 6_400_000, str(second.pk): 1_000_000}
    lines = call(
        client,
        world.commune_editor,
        "GET",
        reverse("api:budget_lines"),
        unit=world.commune.pk,
        year=2024,
    )
    assert {line["estimate_id"] for line in lines.json()["items"]} == {est.pk}
    read = call(
        client, world.commune_editor, "GET", reverse("api:estimate", kwargs={"estimate_id": est.pk})
    )
    assert [line["id"] for line in read.json()["budget_lines"]] == [
        line["id"] for line in body["budget_lines"]
    ]
    # In the audit trail, by the approver, from the API.
    event = AuditEvent.objects.filter(content_type__model="estimate", object_id=str(est.pk)).last()
    assert (event.action, event.source, event.actor_id) == (
        "update",
        "api",
        world.district_approver.pk,
    )


def test_approving_twice_is_refused_in_vietnamese_and_an_approved_estimate_does_not_change(
    client, world
):
    ceiling = norm(world.nation, "hoc-vien", 150_000)
    est = estimate(world.commune)
    line = add(est, ceiling, "1", 100_000)
    admin = world.province_admin
    assert call(client, admin, "POST", approve_url(est), DECISION).status_code == 200
    again = call(
        client, admin, "POST", approve_url(est), {**DECISION, "decision_number": "126/QĐ-UBND"}
    )
    assert again.status_code == 422
    assert again.json()["errors"] == {"__all__": [APPROVED_ALREADY]}
    assert BudgetLine.objects.count() == 1
    assert Estimate.objects.get().decision_number == "125/QĐ-UBND"
    # Its lines neither go nor come.
    editor = world.commune_editor
    removed = call(
        client,
        editor,
        "DELETE",
        reverse("api:estimate_line_delete", kwargs={"estimate_id": est.pk, "line_id": line.pk}),
    )
    assert removed.status_code == 422
    assert removed.json()["errors"] == {
        "__all__": ["Dự toán đã được phê duyệt: không thể thay đổi các dòng."]
    }
    added = call(
        client,
        editor,
        "POST",
        reverse("api:estimate_line_create", kwargs={"estimate_id": est.pk}),
        {"activity": "Tập huấn", "norm": ceiling.pk, "quantity": 1, "unit_amount": 1_000},
    )
    assert added.status_code == 422
    assert EstimateLine.objects.count() == 1


def test_a_commune_editor_who_is_not_an_approver_cannot_approve(client, world):
    est = estimate(world.commune)
    add(est, norm(world.nation, "hoc-vien", 150_000), "1", 100_000)
    refused = call(client, world.commune_editor, "POST", approve_url(est), DECISION)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Bạn không có quyền thực hiện thao tác này tại đây."
    outside = call(client, world.sibling_viewer, "POST", approve_url(est), DECISION)
    assert outside.status_code == 404
    est.refresh_from_db()
    assert est.state == EstimateState.DRAFT and not BudgetLine.objects.exists()


def test_an_approval_without_lines_or_from_carried_money_is_refused(client, world):
    est = estimate(world.commune)
    empty = call(client, world.district_approver, "POST", approve_url(est), DECISION)
    assert empty.status_code == 422
    assert empty.json()["errors"] == {"__all__": ["Dự toán chưa có dòng nào."]}
    add(est, norm(world.nation, "hoc-vien", 150_000), "1", 100_000)
    carried = call(
        client, world.district_approver, "POST", approve_url(est), {**DECISION, "source": "carried"}
    )
    assert carried.status_code == 422 and "source" in carried.json()["errors"]
    blank = call(
        client,
        world.district_approver,
        "POST",
        approve_url(est),
        {**DECISION, "decision_number": "   "},
    )
    assert blank.status_code == 422 and "decision_number" in blank.json()["errors"]
    est.refresh_from_db()
    assert est.is_draft and not BudgetLine.objects.exists()


def test_an_editor_removes_a_line_from_a_draft_estimate(client, world):
    ceiling = norm(world.nation, "hoc-vien", 150_000)
    est = estimate(world.commune)
    kept, gone = add(est, ceiling, "1", 100_000), add(est, ceiling, "2", 100_000)
    other = add(estimate(world.sibling_commune), ceiling, "1", 100_000)

    def url(line, of=est):
        return reverse(
            "api:estimate_line_delete", kwargs={"estimate_id": of.pk, "line_id": line.pk}
        )

    from duan8.accounts.models import Role
    from tests.factories import user

    viewer = user("xa.xem", role=Role.VIEWER, on=world.commune)
    assert call(client, viewer, "DELETE", url(gone)).status_code == 403
    assert call(client, world.outsider, "DELETE", url(gone)).status_code == 404
    # A line of another estimate is not this estimate's.
    assert call(client, world.commune_editor, "DELETE", url(other)).status_code == 404
    removed = call(client, world.commune_editor, "DELETE", url(gone))
    assert removed.status_code == 204
    assert list(EstimateLine.objects.filter(estimate=est)) == [kept]
    assert EstimateLine.objects.filter(pk=other.pk).exists()
    assert call(client, world.commune_editor, "DELETE", url(gone)).status_code == 404
    event = AuditEvent.objects.get(
        content_type__model="estimateline", object_id=str(gone.pk), action="delete"
    )
    assert (event.source, event.actor_id) == ("api", world.commune_editor.pk)
