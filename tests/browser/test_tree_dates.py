"""A province officer reads the same 2024 figure on the units of two dates."""

import datetime
from decimal import Decimal

import pytest

from duan8.community import actions as community_actions
from duan8.community.models import CommunityModel
from duan8.framework import actions as framework_actions
from duan8.framework import periods
from tests.factories import PASSWORD, ReformWorld, user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_2024_figure_is_read_on_the_former_and_on_todays_province(page, shot):
    reform = ReformWorld()
    framework_actions.set_target(
        reform.teams, reform.old_lai_chau, periods.parse("2024"), Decimal(79)
    )
    community_actions.save(
        CommunityModel(
            kind="communication_team",
            unit=reform.mu_sang,
            name="Tổ truyền thông Mù Sang",
            established_on=datetime.date(2024, 5, 1),
        )
    )
    user("tw.quantri", national_admin=True)

    page.goto(page.base + "/signin/")
    page.get_by_label("Tên đăng nhập").fill("tw.quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(page.base + "/")

    query = f"?phase={reform.phase.pk}&period=2024"
    page.goto(f"{page.base}/units/{reform.old_lai_chau.pk}/targets/{query}")
    assert "31/12/2024" in page.get_by_test_id("tree-date").inner_text()
    assert page.get_by_test_id("achieved-TTCĐ").inner_text() == "1"
    shot("1-former-province-2024")

    page.goto(f"{page.base}/units/{reform.lai_chau.pk}/targets/{query}")
    page.get_by_test_id("tree-date-input").fill("01/01/2026")
    page.get_by_role("button", name="Xem").click()
    page.wait_for_url("**on=01%2F01%2F2026**")
    assert "01/01/2026" in page.get_by_test_id("tree-date").inner_text()
    assert page.get_by_test_id("target-TTCĐ").inner_text() == "79"
    assert page.get_by_test_id("achieved-TTCĐ").inner_text() == "1"
    assert "Tỉnh Lai Châu" in page.get_by_test_id("carried-from-TTCĐ").inner_text()
    shot("2-todays-province-2024")

    page.get_by_test_id("achieved-TTCĐ").get_by_role("link").click()
    page.wait_for_url("**/models/**")
    assert "Tổ truyền thông Mù Sang" in page.get_by_test_id("model-list").inner_text()
    shot("3-records-behind-it")
