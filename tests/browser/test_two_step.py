"""An administrator sets up two-step sign-in on her phone's browser, then signs in with a code."""

import time

import pyotp
import pytest

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_with_password(page):
    page.goto(page.base + "/signin/")
    page.get_by_label("Tên đăng nhập").fill("Tinh.QuanTri")  # any case finds the account
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_an_administrator_sets_up_two_step_sign_in_and_signs_in_with_a_code(page, shot, world):
    sign_in_with_password(page)
    page.wait_for_url(page.base + "/")
    page.goto(page.base + "/two-step/")
    page.locator("button[value=start]").click()
    assert page.get_by_test_id("qr").locator("svg").is_visible()
    secret = page.get_by_test_id("secret").inner_text().replace(" ", "")
    assert secret in page.get_by_test_id("otpauth-uri").inner_text()
    shot("1-enrol")
    app = pyotp.TOTP(secret)
    page.locator("input[name=code]").fill(app.now())
    page.locator("button[value=confirm]").click()
    page.locator("button[value=disable]").wait_for()
    shot("2-on")

    page.context.clear_cookies()  # a new browser: the password alone does not sign in
    sign_in_with_password(page)
    page.wait_for_url("**/signin/code/")
    shot("3-code")
    page.locator("input[name=code]").fill(app.at(time.time(), counter_offset=1))
    page.locator("input[name=code]").press("Enter")
    page.wait_for_url(page.base + "/")
    assert page.get_by_test_id("current-unit").inner_text() == "Tỉnh Lai Châu"
