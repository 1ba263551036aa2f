"""Money: budget lines, disbursements, the year-end close and the figures of a year."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from duan8.core.formatting import format_million_dong
from duan8.finance import actions, summary
from duan8.finance.models import BudgetLine, Disbursement, FundSource, YearClose
from tests.factories import REFORM, successor_commune, unit

D = datetime.date
M = 1_000_000  # one triệu đồng


def line(unit, amount, *, year=2024, source=FundSource.CENTRAL, **extra) -> BudgetLine:
    return actions.save_line(
        BudgetLine(unit=unit, fiscal_year=year, source=source, original_amount=amount, **extra)
    )


def spend(line, amount, day, voucher="PC-01") -> Disbursement:
    return actions.record_disbursement(
        Disbursement(line=line, date=day, amount=amount, voucher=voucher)
    )


def phong_tho_2024(world):
    """Seed 003 §IV: district level 1.300 new + 1.959,46 carried; commune level 2.559 new +
    1.770,17 carried (in several lines on the commune and its neighbour of the district)."""
    other = unit("commune", "Xã Sì Lở Lầu", world.district)
    line(world.district, 1_300 * M)
    line(world.district, 1_959_460_000, source=FundSource.CARRIED)
    line(world.commune, 1_500 * M)
    line(other, 1_059 * M, source=FundSource.LOCAL)
    line(world.commune, 1_000_000_001, source=FundSource.CARRIED)
    line(other, 770_169_999, source=FundSource.CARRIED)


def test_phong_tho_2024_budget_table_gives_the_plans_figures(world):
    phong_tho_2024(world)
    table = summary.table(world.district, 2024)
    assert table.total.total.million == "7.588,63"
    assert table.total.new.million == "3.859,00"
    assert table.total.carried.million == "3.729,63"
    assert table.total.total.dong == 7_588_630_000
    levels = {row.key: row for row in table.levels}
    district, commune = levels["district"], levels["commune"]
    assert (district.total.million, district.new.million, district.carried.million) == (
        "3.259,46",
        "1.300,00",
        "1.959,46",
    )
    assert (commune.total.million, commune.new.million, commune.carried.million) == (
        "4.329,17",
        "2.559,00",
        "1.770,17",
    )


def test_kon_tum_2022_rate_at_30_november_is_36_38_percent(world):
    kon_tum = unit("province", "Tỉnh Kon Tum", world.nation, code="62")
    first = line(kon_tum, 2_000 * M, year=2022)
    second = line(kon_tum, 1_829 * M, year=2022)
    spend(first, 900 * M, D(2022, 6, 15))
    spend(second, 493 * M, D(2022, 11, 30))
    spend(second, 100 * M, D(2022, 12, 5))
    rates = summary.rates(kon_tum, 2022, D(2022, 11, 30))
    assert (rates.total.available, rates.total.disbursed) == (3_829 * M, 1_393 * M)
    assert rates.total.rate_text == "36,38%"
    assert rates.elapsed_text == "91,51%"


def _end_districts_at_the_reform(world):
    from duan8.geo.models import AdminUnit

    AdminUnit.objects.filter(kind="district").update(valid_until=REFORM)
    for district in (world.district, world.sibling_district):
        district.refresh_from_db()


def test_the_rate_as_of_a_day_counts_the_disbursements_made_by_then(world):
    money = line(world.commune, 200 * M)
    spend(money, 20 * M, D(2024, 3, 1))
    spend(money, 30 * M, D(2024, 5, 10), voucher="PC-02")
    before = summary.rates(world.commune, 2024, D(2024, 5, 9))
    after = summary.rates(world.commune, 2024, D(2024, 5, 10))
    assert (before.total.disbursed, before.total.rate_text) == (20 * M, "10,00%")
    assert (after.total.disbursed, after.total.rate_text) == (50 * M, "25,00%")
    # and it rolls up: the district and the province read the same money
    assert summary.rates(world.province, 2024, D(2024, 12, 31)).total.disbursed == 50 * M


def test_spending_more_than_the_line_has_left_is_refused_with_the_amount_available(world):
    money = line(world.commune, 100 * M, revised_amount=80 * M)
    spend(money, 30_500_000, D(2024, 4, 1))
    with pytest.raises(ValidationError) as refused:
        spend(money, 50 * M, D(2024, 4, 2), voucher="PC-02")
    assert "49.500.000" in str(refused.value) and "49,50" in str(refused.value)
    assert Disbursement.objects.count() == 1
    spend(money, 49_500_000, D(2024, 4, 2), voucher="PC-02")  # exactly what is left


def test_a_disbursement_outside_the_lines_year_or_its_units_life_is_refused(world):
    money = line(world.commune, 100 * M)
    with pytest.raises(ValidationError) as refused:
        spend(money, M, D(2025, 1, 2))
    assert "31/12/2024" in str(refused.value)
    _end_districts_at_the_reform(world)
    money_2025 = line(world.district, 10 * M, year=2025)
    with pytest.raises(ValidationError) as refused:
        spend(money_2025, M, D(2025, 8, 1))
    assert "01/07/2025" in str(refused.value)


def test_amounts_are_whole_dong_shown_in_trieu_with_two_decimals(world):
    money = line(world.commune, 1_234_567_891)
    money.refresh_from_db()
    assert money.original_amount == 1_234_567_891 and isinstance(money.original_amount, int)
    assert summary.table(world.commune, 2024).total.total.million == "1.234,57"
    assert summary.Money(5_000).million == "0,01"


def test_rounding_a_table_of_many_odd_amounts_never_loses_a_dong(world):
    amounts = [1_000_000 * k + 4_999 + 7 * k for k in range(1, 60)]
    for index, amount in enumerate(amounts):
        target = world.commune if index % 2 else world.district
        line(target, amount, source=FundSource.CARRIED if index % 3 else FundSource.CENTRAL)
    table = summary.table(world.province, 2024)
    assert table.total.total.dong == sum(amounts)
    assert table.total.total.million == format_million_dong(sum(amounts))
    assert sum(row.total.dong for row in table.levels) == sum(amounts)
    assert table.total.new.dong + table.total.carried.dong == sum(amounts)


def test_closing_a_year_proposes_then_stores_the_carry_over_once(world):
    money = line(world.commune, 100 * M, decision_number="2689/QĐ-UBND")
    spent_out = line(world.district, 10 * M)
    spend(money, 40 * M, D(2024, 9, 1))
    spend(spent_out, 10 * M, D(2024, 9, 1))
    proposal = actions.propose_close(world.district, 2024)
    assert [(item.line, item.unspent, item.to) for item in proposal.carry] == [
        (money, 60 * M, world.commune)
    ]
    assert not BudgetLine.objects.filter(fiscal_year=2025).exists()  # proposing stores nothing
    closed = actions.close(world.district, 2024, document="15/QĐ-UBND")
    carried = BudgetLine.objects.get(fiscal_year=2025)
    assert (carried.unit, carried.source, carried.amount, carried.carried_from) == (
        world.commune,
        FundSource.CARRIED,
        60 * M,
        money,
    )
    assert closed.carried_lines.get() == carried
    from duan8.core.models import AuditEvent

    assert AuditEvent.objects.for_object(carried).exists()
    assert AuditEvent.objects.for_object(closed).exists()
    with pytest.raises(ValidationError):
        actions.close(world.district, 2024)
    assert BudgetLine.objects.filter(fiscal_year=2025).count() == 1
    # carried-over money counts as available in 2025 and may be spent then
    spend(carried, 60 * M, D(2025, 3, 1))
    assert summary.rates(world.commune, 2025, D(2025, 3, 1)).by_source["carried"].rate == 100


def test_reopening_a_year_needs_a_reason_and_nothing_spent_from_what_it_carried(world):
    money = line(world.commune, 100 * M)
    actions.close(world.district, 2024, document="15/QĐ-UBND")
    with pytest.raises(ValidationError):
        actions.reopen(world.district, 2024, "  ")
    carried = BudgetLine.objects.get(fiscal_year=2025)
    spend(carried, M, D(2025, 2, 1))
    with pytest.raises(ValidationError):
        actions.reopen(world.district, 2024, "Sai số liệu")
    Disbursement.objects.get().delete()
    reopened = actions.reopen(world.district, 2024, "Sai số liệu")
    assert reopened.reopen_reason == "Sai số liệu"
    assert not BudgetLine.objects.filter(fiscal_year=2025).exists()
    actions.close(world.district, 2024)  # may be closed again
    assert BudgetLine.objects.get(fiscal_year=2025).carried_from == money
    assert YearClose.objects.filter(unit=world.district, year=2024).count() == 2


def test_a_districts_unspent_2025_money_is_carried_to_the_province_or_the_unit_it_names(world):
    _end_districts_at_the_reform(world)
    new_commune = successor_commune(world)
    district_money = line(world.district, 500 * M, year=2025)
    other_money = line(world.sibling_district, 80 * M, year=2025)
    spend(district_money, 200 * M, D(2025, 3, 1))
    proposal = actions.propose_close(world.province, 2025)
    assert {item.line: item.to for item in proposal.carry} == {
        district_money: world.province,
        other_money: world.province,
    }
    actions.close(
        world.province,
        2025,
        document="30/QĐ-UBND tỉnh",
        to_unit={world.sibling_district: new_commune},
    )
    carried = {c.carried_from: c for c in BudgetLine.objects.filter(fiscal_year=2026)}
    assert (carried[district_money].unit, carried[district_money].amount) == (
        world.province,
        300 * M,
    )
    assert carried[district_money].level == "province"
    assert (carried[other_money].unit, carried[other_money].level) == (new_commune, "commune")


def test_2024_district_money_shows_under_todays_province_after_the_reform(world):
    from duan8.geo.models import AdminUnit, Succession

    money = line(world.district, 100 * M)
    spend(money, 25 * M, D(2024, 6, 1))
    AdminUnit.objects.exclude(kind="nation").update(valid_until=REFORM)
    today = unit("province", "Tỉnh Lai Châu (mới)", world.nation, valid_from=REFORM)
    Succession.objects.create(predecessor=world.province, successor=today, effective_on=REFORM)
    rates = summary.rates(today, 2024, D(2024, 12, 31))
    assert (rates.total.available, rates.total.disbursed, rates.on) == (100 * M, 25 * M, REFORM)
    assert summary.table(today, 2024).total.total.million == "100,00"


def test_units_below_the_last_checkpoint_passed_are_lagging(world):
    slow = line(world.commune, 100 * M)
    fast = line(world.sibling_commune, 100 * M)
    spend(fast, 35 * M, D(2024, 6, 1))
    spend(slow, 10 * M, D(2024, 6, 1))
    assert summary.lagging(world.province, 2024, D(2024, 6, 29)) == []  # no checkpoint yet
    lagging = summary.lagging(world.province, 2024, D(2024, 7, 1))
    assert [(item.unit, item.threshold) for item in lagging] == [(world.district, 30)]
    spend(slow, 25 * M, D(2024, 7, 1))
    assert summary.lagging(world.province, 2024, D(2024, 7, 1)) == []
    assert [i.unit for i in summary.lagging(world.province, 2024, D(2024, 10, 1))] == [
        world.district,
        world.sibling_district,
    ]


def test_the_finance_page_shows_the_year_and_refuses_overspending(client, world):
    money = line(world.commune, 100 * M)
    line(world.province, 900 * M)
    client.force_login(world.commune_editor)
    url = f"/units/{world.commune.pk}/finance/?year=2024&as_of=30/06/2024"
    page = client.get(url).content.decode()
    assert "100,00" in page and "900,00" not in page  # a commune sees its own lines only
    answer = client.post(
        f"/units/{world.commune.pk}/finance/disbursements/?year=2024",
        {
            "year": "2024",
            "spend-line": money.pk,
            "spend-date": "01/06/2024",
            "spend-amount": "150.000.000",
            "spend-voucher": "PC-9",
        },
    )
    assert answer.status_code == 200 and "100.000.000" in answer.content.decode()
    assert not Disbursement.objects.exists()
    answer = client.post(
        f"/units/{world.commune.pk}/finance/disbursements/?year=2024",
        {
            "year": "2024",
            "spend-line": money.pk,
            "spend-date": "01/06/2024",
            "spend-amount": "40.000.000",
            "spend-voucher": "PC-9",
        },
    )
    assert answer.status_code == 302
    assert "40,00%" in client.get(url).content.decode()
    client.force_login(world.province_admin)
    page = client.get(f"/units/{world.province.pk}/finance/?year=2024").content.decode()
    assert "1.000,00" in page  # the province sees its own lines and its communes'
    close = client.post(
        f"/units/{world.province.pk}/finance/close/", {"year": "2024", "action": "close"}
    )
    assert close.status_code == 302
    assert BudgetLine.objects.filter(fiscal_year=2025).count() == 2


def test_the_api_lists_records_and_refuses_overspending(api_client, client, world):
    import json

    from tests.factories import token

    money = line(world.commune, 100 * M)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token(world.commune_editor)}"}
    answer = client.post(
        "/api/v1/finance/disbursements",
        json.dumps({"line": money.pk, "date": "2024-05-01", "amount": 120 * M, "voucher": "x"}),
        content_type="application/json",
        **headers,
    )
    assert answer.status_code == 422 and "100.000.000" in json.dumps(
        answer.json(), ensure_ascii=False
    )
    answer = client.post(
        "/api/v1/finance/disbursements",
        json.dumps({"line": money.pk, "date": "2024-05-01", "amount": 30 * M, "voucher": "x"}),
        content_type="application/json",
        **headers,
    )
    assert answer.status_code == 201
    reader = api_client(token(world.commune_editor))
    summary_answer = reader.get(
        "/api/v1/finance/summary", unit=world.commune.pk, year=2024, as_of="2024-06-30"
    ).json()
    assert (summary_answer["rate"], summary_answer["table"][0]["total_million"]) == (
        30.0,
        "100,00",
    )
    lines = reader.get("/api/v1/finance/lines", unit=world.commune.pk, year=2024).json()
    assert lines["items"][0]["available"] == 70 * M
    outsider = api_client(token(world.outsider))
    assert (
        outsider.get("/api/v1/finance/lines", unit=world.commune.pk, year=2024).status_code == 404
    )
