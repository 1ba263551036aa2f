"""An officer signs in on a phone, switches to a commune, and signs out."""

import pytest

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_switch_unit_and_sign_out(page, shot, world):
    page.goto(page.base + "/")
    assert "/signin/" in page.url
    page.get_by_label("Tên đăng nhập").fill("tinh.quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(page.base + "/")
    assert page.get_by_test_id("current-unit").inner_text() == "Tỉnh Lai Châu"
    shot("1-overview")

    page.get_by_test_id("switch-unit").click()
    page.get_by_test_id("unit-search").fill("Mồ Sì San")
    page.get_by_test_id("unit-search").press("Enter")
    page.get_by_role("button", name="Xã Mồ Sì San").click()
    page.wait_for_url(page.base + "/")
    assert page.get_by_test_id("current-unit").inner_text() == "Xã Mồ Sì San"
    crumbs = page.get_by_test_id("breadcrumbs").inner_text()
    assert "Lai Châu" in crumbs and "Phong Thổ" in crumbs
    shot("2-switched")

    page.get_by_role("button", name="Hiện menu").click()
    signout = page.get_by_test_id("signout")
    signout.wait_for(state="visible")
    with page.expect_navigation():
        signout.click()
    page.wait_for_url("**/signin/")
    assert page.get_by_text("Bạn đã đăng xuất.").is_visible()
    shot("3-signed-out")


def test_a_wrong_password_shows_the_vietnamese_message(page, world):
    page.goto(page.base + "/signin/")
    page.get_by_label("Tên đăng nhập").fill("tinh.quantri")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    assert page.get_by_test_id("signin-error").inner_text() == (
        "Tên đăng nhập hoặc mật khẩu không đúng."
    )
