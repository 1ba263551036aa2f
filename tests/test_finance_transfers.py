"""Money handed down the tree: a province gives part of a line to a district or a commune,
which then spends it; totals count the money once, and what the giver still has shrinks."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from duan8.finance import actions, summary
from duan8.finance.models import BudgetLine, Disbursement, FundSource, Transfer
from tests.factories import token, unit, xlsx

D = datetime.date
M = 1_000_000
MARCH_FIRST = D(2024, 3, 1)


def line(holder, amount, *, year=2024, source=FundSource.CENTRAL) -> BudgetLine:
    return actions.save_line(
        BudgetLine(unit=holder, fiscal_year=year, source=source, original_amount=amount)
    )


def hand(from_line, to_unit, amount, day=MARCH_FIRST, voucher="UNC-01") -> Transfer:
    return actions.transfer(from_line, to_unit, date=day, amount=amount, voucher=voucher)


def test_a_transfer_moves_money_to_the_unit_below_and_counts_it_once(world):
    money = line(world.province, 1_000 * M)
    hand(money, world.commune, 300 * M)
    received = BudgetLine.objects.get(unit=world.commune)
    assert (received.amount, received.source, received.fiscal_year) == (
        300 * M,
        FundSource.CENTRAL,
        2024,
    )
    assert received.level == "commune"
    as_of = D(2024, 12, 31)
    assert summary.rates(world.province, 2024, as_of).total.available == 1_000 * M
    assert summary.rates(world.commune, 2024, as_of).total.available == 300 * M
    assert summary.rates(world.district, 2024, as_of).total.available == 300 * M
    by_level = summary.rates(world.province, 2024, as_of).by_level
    assert by_level["province"].available == 700 * M
    assert by_level["commune"].available == 300 * M
    assert summary.table(world.province, 2024).total.total.dong == 1_000 * M


def test_the_giver_cannot_spend_or_hand_over_what_it_already_handed_down(world):
    money = line(world.province, 1_000 * M)
    hand(money, world.commune, 600 * M)
    with pytest.raises(ValidationError) as refused:
        actions.record_disbursement(
            Disbursement(line=money, date=D(2024, 4, 1), amount=500 * M, voucher="PC-1")
        )
    assert "400.000.000" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        hand(money, world.sibling_commune, 401 * M)
    assert "400.000.000" in str(refused.value)
    assert Transfer.objects.count() == 1
    assert BudgetLine.objects.count() == 2  # nothing half-made by the refused transfer
    hand(money, world.sibling_commune, 400 * M)
    assert money.spendable() == 0


def test_money_goes_only_down_within_the_givers_tree_and_in_the_lines_window(world):
    money = line(world.district, 100 * M)
    for receiver in (world.province, world.sibling_commune, world.other_commune, world.district):
        with pytest.raises(ValidationError):
            hand(money, receiver, 10 * M)
    with pytest.raises(ValidationError):
        hand(money, world.village, 10 * M)  # villages hold no money
    with pytest.raises(ValidationError) as refused:
        hand(money, world.commune, 10 * M, day=D(2025, 2, 1))
    assert "31/12/2024" in str(refused.value)
    assert not Transfer.objects.exists()
    assert BudgetLine.objects.count() == 1


def test_the_receiver_spends_its_money_and_the_rate_reads_up_the_tree(world):
    money = line(world.province, 1_000 * M)
    transfer = hand(money, world.commune, 400 * M)
    actions.record_disbursement(
        Disbursement(line=transfer.to_line, date=D(2024, 5, 1), amount=100 * M, voucher="PC-2")
    )
    assert summary.rates(world.commune, 2024, D(2024, 6, 30)).total.rate_text == "25,00%"
    assert summary.rates(world.province, 2024, D(2024, 6, 30)).total.rate_text == "10,00%"
    with pytest.raises(ValidationError):
        actions.cancel_transfer(transfer)  # the commune has spent from it
    assert Transfer.objects.count() == 1


def test_a_transfer_not_yet_used_can_be_cancelled_and_the_giver_has_its_money_back(world):
    money = line(world.province, 1_000 * M)
    transfer = hand(money, world.commune, 400 * M)
    actions.cancel_transfer(transfer)
    assert not Transfer.objects.exists()
    assert BudgetLine.objects.count() == 1
    assert money.spendable() == 1_000 * M


def test_the_receivers_line_changes_only_through_the_transfer(world):
    transfer = hand(line(world.province, 1_000 * M), world.commune, 400 * M)
    received = transfer.to_line
    received.revised_amount = 500 * M
    with pytest.raises(ValidationError) as refused:
        actions.save_line(received)
    assert "Tỉnh Lai Châu" in str(refused.value)


def test_the_year_close_carries_only_what_neither_level_used(world):
    money = line(world.province, 1_000 * M)
    transfer = hand(money, world.commune, 400 * M)
    actions.record_disbursement(
        Disbursement(line=transfer.to_line, date=D(2024, 5, 1), amount=100 * M, voucher="PC-2")
    )
    proposal = actions.propose_close(world.province, 2024)
    carried = {item.line.unit.name: item.unspent for item in proposal.carry}
    assert carried == {"Tỉnh Lai Châu": 600 * M, "Xã Mồ Sì San": 300 * M}


def test_an_import_of_disbursements_counts_what_the_line_handed_down(world):
    from duan8.core.sheets import ImportRefused
    from duan8.finance.imports import import_disbursements

    money = line(world.province, 1_000 * M)
    hand(money, world.commune, 900 * M)
    upload = xlsx(
        [
            ["Mã dòng kinh phí", "Ngày", "Số tiền (đồng)", "Số chứng từ"],
            [money.pk, "10/04/2024", "150.000.000", "PC-7"],
        ]
    )
    with pytest.raises(ImportRefused) as refused:
        import_disbursements(upload, world.province)
    assert "100.000.000" in str(refused.value.errors[0])
    assert not Disbursement.objects.exists()


# Pages -----------------------------------------------------------------------------------------


def test_a_province_officer_hands_money_down_on_the_funds_page(client, world):
    money = line(world.province, 1_000 * M)
    client.force_login(world.province_admin)
    url = f"/units/{world.province.pk}/finance/?year=2024"
    page = client.get(url).content.decode()
    assert 'data-testid="transfer-form"' in page
    answer = client.post(
        f"/units/{world.province.pk}/finance/transfers/?year=2024",
        {
            "year": "2024",
            "hand-from_line": money.pk,
            "hand-to_unit": world.commune.pk,
            "hand-date": "15/03/2024",
            "hand-amount": "250.000.000",
            "hand-voucher": "UNC-15",
            "hand-decision_number": "120/QĐ-UBND",
            "hand-decision_date": "10/03/2024",
        },
    )
    assert answer.status_code == 302
    page = client.get(url).content.decode()
    assert "UNC-15" in page and "Xã Mồ Sì San" in page and "750,00" in page
    received = Transfer.objects.get().to_line
    assert received.decision_number == "120/QĐ-UBND"
    client.force_login(world.commune_editor)
    page = client.get(f"/units/{world.commune.pk}/finance/?year=2024").content.decode()
    assert "250,00" in page and "UNC-15" in page


def test_the_page_refuses_handing_more_than_is_left_and_stores_nothing(client, world):
    money = line(world.province, 100 * M)
    client.force_login(world.province_admin)
    answer = client.post(
        f"/units/{world.province.pk}/finance/transfers/?year=2024",
        {
            "year": "2024",
            "hand-from_line": money.pk,
            "hand-to_unit": world.commune.pk,
            "hand-date": "15/03/2024",
            "hand-amount": "250.000.000",
            "hand-voucher": "UNC-15",
        },
    )
    assert answer.status_code == 422
    assert "100.000.000" in answer.content.decode()
    assert not Transfer.objects.exists() and BudgetLine.objects.count() == 1


def test_a_commune_editor_cannot_hand_the_provinces_money(client, world):
    money = line(world.province, 100 * M)
    client.force_login(world.commune_editor)
    answer = client.post(
        f"/units/{world.commune.pk}/finance/transfers/?year=2024",
        {
            "year": "2024",
            "hand-from_line": money.pk,
            "hand-to_unit": world.village.pk,
            "hand-date": "15/03/2024",
            "hand-amount": "10.000.000",
            "hand-voucher": "UNC-1",
        },
    )
    assert answer.status_code == 422
    assert not Transfer.objects.exists()
    transfer = hand(money, world.commune, 10 * M)
    answer = client.post(f"/finance/transfers/{transfer.pk}/cancel/")
    assert answer.status_code == 404  # the province's records are not the commune's to read
    assert Transfer.objects.exists()


def test_a_disbursement_names_the_activity_it_paid_for(client, world):
    money = line(world.commune, 100 * M)
    client.force_login(world.commune_editor)
    page = client.get(f"/units/{world.commune.pk}/finance/?year=2024").content.decode()
    assert "Đối thoại về tảo hôn" in page
    answer = client.post(
        f"/units/{world.commune.pk}/finance/disbursements/?year=2024",
        {
            "year": "2024",
            "spend-line": money.pk,
            "spend-date": "21/08/2024",
            "spend-amount": "5.000.000",
            "spend-voucher": "PC-20",
            "spend-activity": world.dialogue.pk,
        },
    )
    assert answer.status_code == 302
    assert Disbursement.objects.get().activity == world.dialogue
    page = client.get(f"/activities/{world.dialogue.pk}/").content.decode()
    assert "PC-20" in page and "5,00" in page  # the activity shows what paid for it


def test_a_disbursement_cannot_name_an_activity_of_another_unit(client, world):
    other = unit("commune", "Xã Sì Lở Lầu", world.district)
    money = line(other, 100 * M)
    client.force_login(world.province_admin)
    answer = client.post(
        f"/units/{world.province.pk}/finance/disbursements/?year=2024",
        {
            "year": "2024",
            "spend-line": money.pk,
            "spend-date": "21/08/2024",
            "spend-amount": "5.000.000",
            "spend-voucher": "PC-20",
            "spend-activity": world.dialogue.pk,
        },
    )
    assert answer.status_code == 200
    assert not Disbursement.objects.exists()


# API ------------------------------------------------------------------------------------------


def test_the_api_hands_money_down_lists_it_and_cancels_it(api_client, client, world):
    import json

    money = line(world.district, 500 * M)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token(world.district_approver)}"}
    body = {
        "from_line": money.pk,
        "to_unit": world.commune.pk,
        "date": "2024-03-15",
        "amount": 600 * M,
        "voucher": "UNC-15",
    }
    refused = client.post(
        "/api/v1/finance/transfers", json.dumps(body), content_type="application/json", **headers
    )
    assert refused.status_code == 422 and "500.000.000" in refused.content.decode()
    answer = client.post(
        "/api/v1/finance/transfers",
        json.dumps({**body, "amount": 200 * M}),
        content_type="application/json",
        **headers,
    )
    assert answer.status_code == 201
    made = answer.json()
    assert (made["from_unit_id"], made["to_unit_id"], made["amount"]) == (
        world.district.pk,
        world.commune.pk,
        200 * M,
    )
    reader = api_client(token(world.commune_editor))
    listed = reader.get("/api/v1/finance/transfers", unit=world.commune.pk, year=2024).json()
    assert [item["voucher"] for item in listed["items"]] == ["UNC-15"]
    lines = reader.get("/api/v1/finance/lines", unit=world.district.pk, year=2024)
    assert lines.status_code == 404  # the district's lines are not the commune's to read
    lines = api_client(token(world.district_approver)).get(
        "/api/v1/finance/lines", unit=world.district.pk, year=2024
    )
    given = next(item for item in lines.json()["items"] if item["id"] == money.pk)
    assert (given["transferred"], given["available"]) == (200 * M, 300 * M)
    gone = client.delete(f"/api/v1/finance/transfers/{made['id']}", **headers)
    assert gone.status_code == 204
    assert not Transfer.objects.exists() and BudgetLine.objects.count() == 1
