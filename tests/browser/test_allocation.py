"""A province officer splits a target between two districts and watches the remainder."""

from decimal import Decimal

import pytest

from duan8.framework import actions, defaults, periods
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_allocate_a_target_to_two_children_and_see_the_remainder(page, shot, world):
    phase = defaults.load()
    teams = phase.indicators().get(code="TTCĐ")
    actions.set_target(teams, world.province, periods.parse("2024-H2"), Decimal(79))
    page.goto(page.base + "/signin/")
    page.get_by_label("Tên đăng nhập").fill("tinh.quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(page.base + "/")

    page.goto(f"{page.base}/units/{world.province.pk}/allocation/?phase={phase.pk}&period=2024-H2")
    remainder = page.get_by_test_id("remainder-TTCĐ")
    assert remainder.inner_text() == "79"
    page.get_by_test_id("cell-Phong Thổ-TTCĐ").fill("24")
    assert remainder.inner_text() == "55"
    page.get_by_test_id("cell-Sìn Hồ-TTCĐ").fill("55")
    assert remainder.inner_text() == "0"
    shot("1-typed")
    page.get_by_test_id("save-allocation").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("remainder-TTCĐ").inner_text() == "0"
    assert page.get_by_test_id("cell-Sìn Hồ-TTCĐ").input_value() == "55"
    page.get_by_test_id("cell-Sìn Hồ-TTCĐ").fill("60")
    assert page.get_by_test_id("remainder-TTCĐ").inner_text() == "-5"
    shot("2-saved")
