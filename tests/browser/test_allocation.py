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


def _signed_in(browser, base, username):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="vi-VN", reduced_motion="reduce"
    )
    officer = context.new_page()
    officer.set_default_timeout(20_000)
    officer.goto(base + "/signin/")
    officer.get_by_label("Tên đăng nhập").fill(username)
    officer.get_by_label("Mật khẩu").fill(PASSWORD)
    officer.get_by_role("button", name="Đăng nhập").click()
    officer.wait_for_url(base + "/")
    return officer


def test_two_officers_on_one_grid_in_two_browsers(browser, live_server, world):
    from duan8.accounts.models import Role
    from duan8.framework.models import Target
    from tests.factories import user

    phase = defaults.load()
    teams = phase.indicators().get(code="TTCĐ")
    actions.set_target(teams, world.province, periods.parse("2024-H2"), Decimal(79))
    user("tinh.quantri2", role=Role.UNIT_ADMIN, on=world.province)
    grid = (
        f"{live_server.url}/units/{world.province.pk}/allocation/?phase={phase.pk}&period=2024-H2"
    )
    first = _signed_in(browser, live_server.url, "tinh.quantri")
    second = _signed_in(browser, live_server.url, "tinh.quantri2")
    first.goto(grid)
    second.goto(grid)

    first.get_by_test_id("cell-Phong Thổ-TTCĐ").fill("24")
    first.get_by_test_id("save-allocation").click()
    first.wait_for_load_state()
    # The second grid is stale: its Phong Thổ cell is still empty. Saving Sìn Hồ keeps 24.
    second.get_by_test_id("cell-Sìn Hồ-TTCĐ").fill("55")
    second.get_by_test_id("save-allocation").click()
    second.wait_for_load_state()
    below = Target.objects.filter(indicator=teams, unit__parent=world.province)
    assert {t.unit.short_name: t.effective for t in below} == {"Phong Thổ": 24, "Sìn Hồ": 55}

    # Both change Phong Thổ: the later save comes back with both values and stores nothing.
    first.goto(grid)
    second.goto(grid)
    first.get_by_test_id("cell-Phong Thổ-TTCĐ").fill("20")
    first.get_by_test_id("save-allocation").click()
    first.wait_for_load_state()
    second.get_by_test_id("cell-Phong Thổ-TTCĐ").fill("30")
    second.get_by_test_id("save-allocation").click()
    second.wait_for_load_state()
    assert "tinh.quantri" in second.get_by_role("alert").first.inner_text()
    assert second.get_by_test_id("cell-Phong Thổ-TTCĐ").input_value() == "30"
    assert Target.objects.get(unit=world.district, indicator=teams).effective == 20
    second.context.close()
    first.context.close()
