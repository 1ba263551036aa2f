"""A district officer records a disbursement on the funds page and sees the rate rise and the
commune leave the list of units below the checkpoint."""

import datetime

import pytest

from duan8.finance import actions
from duan8.finance.models import BudgetLine, Disbursement
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_a_disbursement_and_see_the_rate_and_the_warnings_change(page, shot, world):
    line = actions.save_line(
        BudgetLine(unit=world.commune, fiscal_year=2024, source="central", original_amount=10**8)
    )
    actions.record_disbursement(
        Disbursement(line=line, date=datetime.date(2024, 3, 1), amount=10**7, voucher="PC-1")
    )
    page.goto(page.base + "/signin/")
    page.get_by_label("Tên đăng nhập").fill("huyen.pheduyet")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(page.base + "/")

    page.goto(f"{page.base}/units/{world.district.pk}/finance/?year=2024&as_of=01/07/2024")
    assert page.get_by_test_id("rate").inner_text() == "10,00%"
    assert "Xã Mồ Sì San" in page.get_by_test_id("lagging").inner_text()
    shot("1-lagging")

    page.locator("#id_spend-line").select_option(value=str(line.pk))
    page.locator("#id_spend-date").fill("01/07/2024")
    page.locator("#id_spend-amount").fill("25.000.000")
    page.locator("#id_spend-voucher").fill("PC-2")
    page.get_by_test_id("record").click()
    page.wait_for_url("**/finance/?year=2024&as_of=*")
    assert page.get_by_test_id("rate").inner_text() == "35,00%"
    assert "Xã Mồ Sì San" not in page.get_by_test_id("lagging").inner_text()
    shot("2-recorded")
