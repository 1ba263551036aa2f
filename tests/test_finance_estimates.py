"""Estimates (dự toán) from spending norms (định mức chi): the norm in force on a day, ceilings,
norms changed from a day, approval into budget lines, and who may do what.

The norms below are made up for the tests (their legal source says so), except the antenatal
travel support of 100.000 đồng per person per visit, which the brief gives from Circular
55/2023/TT-BTC."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from duan8.finance import estimates
from duan8.finance.models import (
    BudgetLine,
    Estimate,
    EstimateLine,
    EstimateState,
    NormKind,
    SpendingNorm,
)

D = datetime.date
FROM_OCTOBER_2023 = D(2023, 10, 1)
JANUARY_2024 = D(2024, 1, 15)
TEST_SOURCE = "Định mức thử nghiệm (không phải số liệu pháp lý)"


def norm(scope, code, amount, *, kind=NormKind.CEILING, start=FROM_OCTOBER_2023, **extra):
    return estimates.save_norm(
        SpendingNorm(
            scope=scope,
            code=code,
            item=extra.pop("item", f"Khoản {code}"),
            measure=extra.pop("measure", "person_day"),
            amount=amount,
            kind=kind,
            valid_from=start,
            legal_source=extra.pop("legal_source", TEST_SOURCE),
            **extra,
        )
    )


def estimate(unit, year=2024, day=JANUARY_2024):
    return estimates.save_estimate(Estimate(unit=unit, fiscal_year=year, reference_date=day))


def add(est, the_norm, quantity, unit_amount=None, area=None, activity="Tập huấn"):
    return estimates.add_line(
        EstimateLine(
            estimate=est,
            norm=the_norm,
            quantity=Decimal(quantity),
            unit_amount=unit_amount,
            content_area=area,
            activity=activity,
        )
    )


@pytest.fixture
def areas(world):
    from duan8.framework import defaults

    phase = defaults.load()
    return list(phase.content_areas.order_by("order", "code")[:2])


def test_the_provinces_own_norm_applies_over_the_nations_from_its_first_day(world):
    national = norm(world.nation, "hoc-vien", 150_000)
    provincial = norm(world.province, "HOC-VIEN", 120_000, start=D(2024, 7, 1))
    other = norm(world.nation, "bao-cao-vien", 500_000)
    assert estimates.norm_for(world.commune, "hoc-vien", D(2024, 6, 30)) == national
    assert estimates.norm_for(world.commune, "hoc-vien", D(2024, 7, 1)) == provincial
    assert estimates.norm_for(world.province, "hoc-vien", D(2024, 7, 1)) == provincial
    # Another province keeps the nation's norm; both see the nation's other items.
    assert estimates.norm_for(world.other_commune, "hoc-vien", D(2024, 7, 1)) == national
    in_force = estimates.norms_in_force(world.commune, D(2024, 7, 1))
    assert {n.pk for n in in_force} == {provincial.pk, other.pk}
    # Before its first day a norm does not apply at all.
    assert estimates.norm_for(world.commune, "hoc-vien", D(2023, 9, 30)) is None


def test_a_norm_changed_from_a_day_applies_from_that_day_and_closes_the_old_one(world):
    old = norm(world.nation, "hoc-vien", 150_000)
    new = estimates.change_norm(old, D(2025, 1, 1), amount=200_000, legal_source=TEST_SOURCE)
    old.refresh_from_db()
    assert old.valid_until == D(2025, 1, 1) and new.previous == old
    assert estimates.norm_for(world.commune, "hoc-vien", D(2024, 12, 31)) == old
    assert estimates.norm_for(world.commune, "hoc-vien", D(2025, 1, 1)) == new
    with pytest.raises(ValidationError):  # two versions of one item on the same days
        norm(world.nation, "hoc-vien", 1_000, start=D(2025, 6, 1))


def test_a_line_above_its_ceiling_is_stored_and_flagged(world):
    ceiling = norm(world.nation, "hoc-vien", 150_000)
    est = estimate(world.commune)
    within = add(est, ceiling, "60", 150_000)
    above = add(est, ceiling, "10", 180_000)
    assert not within.above_ceiling and above.above_ceiling
    assert estimates.flagged(est) == [above]
    assert est.total == 60 * 150_000 + 10 * 180_000


def test_a_fixed_norm_gives_the_unit_amount_and_a_ceiling_wants_one_typed(world):
    fixed = norm(
        world.nation,
        "di-lai-kham-thai",
        100_000,
        kind=NormKind.FIXED,
        item="Hỗ trợ đi lại khám thai 4 lần",
        measure="person_visit",
        legal_source="Thông tư 55/2023/TT-BTC ngày 15/8/2023 của Bộ Tài chính",
    )
    ceiling = norm(world.nation, "hoc-vien", 150_000)
    est = estimate(world.commune)
    line = add(est, fixed, "2.5")
    assert (line.unit_amount, line.amount) == (100_000, 250_000)
    with pytest.raises(ValidationError) as refused:
        add(est, ceiling, "3")
    assert "unit_amount" in refused.value.message_dict


def test_a_norm_not_in_force_on_the_estimates_day_is_refused(world):
    later = norm(world.nation, "hoc-vien", 150_000, start=D(2025, 1, 1))
    other_province = norm(world.other_province, "tai-lieu", 20_000)
    est = estimate(world.commune)
    for wrong in (later, other_province):
        with pytest.raises(ValidationError) as refused:
            add(est, wrong, "1", 10_000)
        assert "norm" in refused.value.message_dict
    assert not est.lines.exists()


def test_a_norm_changed_from_a_day_leaves_earlier_estimates_as_they_were(world):
    old = norm(world.nation, "hoc-vien", 150_000, kind=NormKind.FIXED)
    est_2024 = estimate(world.commune)
    line = add(est_2024, old, "40")
    assert line.amount == 6_000_000
    new = estimates.change_norm(old, D(2025, 1, 1), amount=200_000)
    line.refresh_from_db()
    assert (line.norm_id, line.unit_amount, line.amount) == (old.pk, 150_000, 6_000_000)
    assert est_2024.total == 6_000_000
    est_2025 = estimate(world.commune, 2025, D(2025, 1, 10))
    assert add(est_2025, new, "40").amount == 8_000_000
    # The version estimates used cannot be rewritten in place.
    old.refresh_from_db()
    old.amount = 1
    with pytest.raises(ValidationError):
        estimates.save_norm(old)
    with pytest.raises(ValidationError):  # closed before the day an estimate used it
        estimates.close_norm(old, D(2024, 1, 1))


def test_quantity_times_unit_amount_is_rounded_to_whole_dong(world):
    ceiling = norm(world.nation, "hoc-vien", 150_000)
    est = estimate(world.commune)
    assert add(est, ceiling, "0.33", 100_001).amount == 33_000  # 33.000,33 → 33.000
    assert add(est, ceiling, "0.5", 3).amount == 2  # 1,5 → 2 (half up)


def test_approval_makes_budget_lines_adding_up_to_the_estimate_and_twice_is_refused(world, areas):
    first, second = areas
    ceiling = norm(world.nation, "hoc-vien", 150_000)
    speaker = norm(world.nation, "bao-cao-vien", 500_000, kind=NormKind.FIXED, measure="session")
    est = estimate(world.commune)
    add(est, ceiling, "33.33", 149_999, area=first)
    add(est, speaker, "3", area=first)
    add(est, ceiling, "12.5", 151_111, area=second)  # above the ceiling: flagged, kept
    add(est, speaker, "1")
    total = est.total
    made = estimates.approve(
        est,
        source="central",
        decision_number="125/QĐ-UBND",
        decision_date=D(2024, 2, 1),
        decision_issuer="UBND xã Mồ Sì San",
    )
    est.refresh_from_db()
    assert est.state == EstimateState.APPROVED
    assert len(made) == 3
    lines = BudgetLine.objects.filter(estimate=est)
    assert sum(line.amount for line in lines) == total
    assert {line.content_area_id for line in lines} == {first.pk, second.pk, None}
    by_area = {line.content_area_id: line.amount for line in lines}
    assert by_area[first.pk] == round(Decimal("33.33") * 149_999) + 1_500_000
    assert all(
        (line.source, line.fiscal_year, line.decision_number, line.unit_id)
        == ("central", 2024, "125/QĐ-UBND", world.commune.pk)
        for line in lines
    )
    with pytest.raises(ValidationError):
        estimates.approve(
            est, source="central", decision_number="126/QĐ-UBND", decision_date=D(2024, 2, 2)
        )
    assert BudgetLine.objects.filter(estimate=est).count() == 3
    with pytest.raises(ValidationError):  # locked once approved
        add(est, speaker, "1")


def test_approval_without_a_decision_stores_nothing(world):
    ceiling = norm(world.nation, "hoc-vien", 150_000)
    est = estimate(world.commune)
    add(est, ceiling, "1", 100_000)
    with pytest.raises(ValidationError):
        estimates.approve(est, source="central", decision_number="", decision_date=None)
    est.refresh_from_db()
    assert est.state == EstimateState.DRAFT and not BudgetLine.objects.exists()


# Pages and who may do what ------------------------------------------------------------------


def _norm_post(scope, code="hoc-vien"):
    return {
        "scope": scope.pk,
        "code": code,
        "item": "Học viên",
        "measure": "person_day",
        "amount": "150.000",
        "kind": "ceiling",
        "valid_from": "01/01/2024",
        "legal_source": TEST_SOURCE,
    }


def test_a_commune_editor_cannot_add_a_nation_wide_norm(client, world):
    client.force_login(world.commune_editor)
    response = client.post(reverse("finance:norms"), _norm_post(world.nation))
    assert response.status_code == 403
    assert not SpendingNorm.objects.exists()


def test_a_province_admin_adds_a_norm_for_her_province_not_the_nation(client, world):
    client.force_login(world.province_admin)
    assert client.post(reverse("finance:norms"), _norm_post(world.province)).status_code == 302
    assert SpendingNorm.objects.get().scope == world.province
    refused = client.post(reverse("finance:norms"), _norm_post(world.nation, "khac"))
    assert refused.status_code == 422 and SpendingNorm.objects.count() == 1
    # Her commune's editor reads it; Sơn La's viewer does not.
    client.force_login(world.commune_editor)
    assert "Học viên" in client.get(reverse("finance:norms")).content.decode()
    client.force_login(world.outsider)
    assert "Học viên" not in client.get(reverse("finance:norms")).content.decode()


def test_a_viewer_cannot_approve_an_estimate(client, world):
    from duan8.accounts.models import Role
    from tests.factories import user

    viewer = user("xa.xem", role=Role.VIEWER, on=world.commune)
    est = estimate(world.commune)
    add(est, norm(world.nation, "hoc-vien", 150_000), "1", 100_000)
    client.force_login(viewer)
    page = client.get(reverse("finance:estimate", args=[est.pk]))
    assert page.status_code == 200 and 'data-testid="approve-form"' not in page.content.decode()
    response = client.post(
        reverse("finance:estimate_approve", args=[est.pk]),
        {"source": "central", "decision_number": "1/QĐ", "decision_date": "01/02/2024"},
    )
    assert response.status_code == 403
    est.refresh_from_db()
    assert est.is_draft and not BudgetLine.objects.exists()


def test_an_estimate_built_on_the_pages_shows_its_flag_and_total_and_becomes_budget_lines(
    client, world
):
    ceiling = norm(world.nation, "hoc-vien", 150_000)
    client.force_login(world.commune_editor)
    started = client.post(
        reverse("finance:estimates", args=[world.commune.pk]) + "?year=2024",
        {
            "year": "2024",
            "fiscal_year": "2024",
            "title": "Dự toán 2024",
            "reference_date": "15/01/2024",
        },
    )
    est = Estimate.objects.get()
    assert started.status_code == 302 and started.url == reverse("finance:estimate", args=[est.pk])
    url = reverse("finance:estimate", args=[est.pk])
    for quantity, unit_amount in (("40", "150.000"), ("2,5", "160.000")):
        posted = client.post(
            url,
            {
                "activity": "Tập huấn",
                "norm": ceiling.pk,
                "quantity": quantity,
                "unit_amount": unit_amount,
            },
        )
        assert posted.status_code == 302
    page = client.get(url).content.decode()
    assert 'data-testid="above-ceiling"' in page
    assert 'data-testid="estimate-total">6,40<' in page  # 6.000.000 + 400.000 đồng
    client.force_login(world.district_approver)
    approved = client.post(
        reverse("finance:estimate_approve", args=[est.pk]),
        {"source": "central", "decision_number": "12/QĐ-UBND", "decision_date": "01/02/2024"},
    )
    assert approved.status_code == 302
    assert [line.amount for line in BudgetLine.objects.filter(estimate=est)] == [6_400_000]
    again = client.post(
        reverse("finance:estimate_approve", args=[est.pk]),
        {"source": "central", "decision_number": "13/QĐ-UBND", "decision_date": "02/02/2024"},
    )
    assert again.status_code == 422 and BudgetLine.objects.count() == 1
    listing = client.get(reverse("finance:estimates", args=[world.commune.pk]), {"year": 2024})
    assert "6,40" in listing.content.decode()
    funds = client.get(reverse("finance:unit", args=[world.commune.pk]), {"year": 2024})
    assert reverse("finance:estimates", args=[world.commune.pk]) in funds.content.decode()


# API ---------------------------------------------------------------------------------------


def _api(client, account, method, url, data=None, **params):
    from tests.factories import token

    headers = {"HTTP_AUTHORIZATION": f"Bearer {token(account)}", "HTTP_ACCEPT_LANGUAGE": "vi"}
    if method == "GET":
        return client.get(url, params, **headers)
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def test_the_api_gives_the_norms_the_pages_rule_gives_with_their_legal_source(client, world):
    norm(world.nation, "hoc-vien", 150_000)
    provincial = norm(
        world.province, "hoc-vien", 120_000, start=D(2024, 7, 1), legal_source="NQ 12/2024"
    )
    norm(world.nation, "bao-cao-vien", 500_000)
    url = reverse("api:finance_norms")
    for day in (D(2024, 6, 30), D(2024, 7, 1)):
        answer = _api(client, world.commune_editor, "GET", url, unit=world.commune.pk, on=day)
        assert answer.status_code == 200
        rule = estimates.norms_in_force(world.commune, day)
        assert [n["id"] for n in answer.json()] == [n.pk for n in rule]
    given = {n["code"]: n for n in answer.json()}
    assert given["hoc-vien"]["id"] == provincial.pk
    assert given["hoc-vien"]["legal_source"] == "NQ 12/2024"
    assert given["hoc-vien"]["scope_name"] == "Tỉnh Lai Châu"
    assert given["bao-cao-vien"]["legal_source"] == TEST_SOURCE


def test_a_viewer_cannot_start_an_estimate_or_add_a_line_through_the_api(client, world):
    from duan8.accounts.models import Role
    from tests.factories import user

    viewer = user("xa.xem", role=Role.VIEWER, on=world.commune)
    est = estimate(world.commune)
    ceiling = norm(world.nation, "hoc-vien", 150_000)
    started = _api(
        client,
        viewer,
        "POST",
        reverse("api:estimate_create"),
        {"unit": world.commune.pk, "fiscal_year": 2024},
    )
    assert started.status_code == 403 and started.json()["detail"]
    line = {"activity": "Tập huấn", "norm": ceiling.pk, "quantity": 1, "unit_amount": 1_000}
    url = reverse("api:estimate_line_create", kwargs={"estimate_id": est.pk})
    assert _api(client, viewer, "POST", url, line).status_code == 403
    assert Estimate.objects.count() == 1 and not EstimateLine.objects.exists()
    # She reads them.
    read = _api(client, viewer, "GET", reverse("api:estimate", kwargs={"estimate_id": est.pk}))
    assert read.status_code == 200 and read.json()["state"] == "draft"


def test_a_unit_out_of_scope_answers_404_through_the_api(client, world):
    est = estimate(world.commune)
    ceiling = norm(world.nation, "hoc-vien", 150_000)
    outsider = world.outsider
    for url, params in (
        (reverse("api:finance_norms"), {"unit": world.commune.pk}),
        (reverse("api:estimates"), {"unit": world.commune.pk, "year": 2024}),
        (reverse("api:estimate", kwargs={"estimate_id": est.pk}), {}),
    ):
        assert _api(client, outsider, "GET", url, **params).status_code == 404, url
    started = _api(
        client,
        outsider,
        "POST",
        reverse("api:estimate_create"),
        {"unit": world.commune.pk, "fiscal_year": 2024},
    )
    line = {"activity": "Tập huấn", "norm": ceiling.pk, "quantity": 1, "unit_amount": 1_000}
    added = _api(
        client,
        outsider,
        "POST",
        reverse("api:estimate_line_create", kwargs={"estimate_id": est.pk}),
        line,
    )
    assert started.status_code == 404 and added.status_code == 404
    assert Estimate.objects.count() == 1 and not EstimateLine.objects.exists()


def test_a_line_above_its_ceiling_is_flagged_in_the_apis_answer(client, world):
    ceiling = norm(world.nation, "hoc-vien", 150_000)
    elsewhere = norm(world.other_province, "bao-cao-vien", 500_000)
    editor = world.commune_editor
    started = _api(
        client,
        editor,
        "POST",
        reverse("api:estimate_create"),
        {"unit": world.commune.pk, "fiscal_year": 2024, "reference_date": "2024-01-15"},
    )
    assert started.status_code == 201, started.json()
    est_id = started.json()["id"]
    url = reverse("api:estimate_line_create", kwargs={"estimate_id": est_id})
    within = _api(
        client,
        editor,
        "POST",
        url,
        {"activity": "Tập huấn", "norm": ceiling.pk, "quantity": "40", "unit_amount": 150_000},
    )
    above = _api(
        client,
        editor,
        "POST",
        url,
        {"activity": "Tập huấn", "norm": ceiling.pk, "quantity": 2.5, "unit_amount": 160_000},
    )
    assert within.status_code == above.status_code == 201
    assert within.json()["above_ceiling"] is False
    assert above.json()["above_ceiling"] is True
    assert above.json()["amount"] == 400_000 and above.json()["norm_amount"] == 150_000
    # A ceiling wants its unit amount; another province's norm does not apply here.
    without = {"activity": "X", "norm": ceiling.pk, "quantity": 1}
    missing = _api(client, editor, "POST", url, without)
    assert missing.status_code == 422 and "unit_amount" in missing.json()["errors"]
    foreign = {"activity": "X", "norm": elsewhere.pk, "quantity": 1, "unit_amount": 1}
    refused = _api(client, editor, "POST", url, foreign)
    assert refused.status_code == 422
    assert "không áp dụng" in refused.json()["errors"]["norm"][0]
    detail = _api(client, editor, "GET", reverse("api:estimate", kwargs={"estimate_id": est_id}))
    body = detail.json()
    assert body["total"] == 6_400_000 and body["flagged"] == 1
    assert [line["above_ceiling"] for line in body["lines"]] == [False, True]
    assert body["by_area"] == [{"content_area_id": None, "amount": 6_400_000}]
    listed = _api(client, editor, "GET", reverse("api:estimates"), unit=world.commune.pk, year=2024)
    assert [(e["id"], e["total"]) for e in listed.json()["items"]] == [(est_id, 6_400_000)]
