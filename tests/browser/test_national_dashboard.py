"""The national dashboard of the demo in a real browser, on a laptop and on a phone.

The demo (all official units and the national end-2023 situation) is loaded once, for both
widths. Its screenshots are the ones kept in docs/screenshots/: run with
DUAN8_DOCS_SCREENSHOTS=1 to refresh them there; otherwise they go to screenshots/.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DEMO_PASSWORD = "duan8-demo"


def _save(page, name: str) -> None:
    folder = DOCS if os.environ.get("DUAN8_DOCS_SCREENSHOTS") else SCREENSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


def _sign_in(page):
    page.goto(page.base + "/signin/")
    page.get_by_label("Tên đăng nhập").fill("admin")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(page.base + "/")


SIZES = [(1366, 768, "national-dashboard-desktop.png"), (390, 844, "national-dashboard-phone.png")]


def test_the_national_dashboard_at_desktop_and_phone_width(browser, live_server):
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    for width, height, name in SIZES:
        _look(browser, live_server, width, height, name)


def _look(browser, live_server, width, height, name):
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="vi-VN", reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.base = live_server.url
    try:
        _sign_in(page)
        page.goto(page.base + "/?period=2023")
        for code, shown in (
            ("TTCĐ", "84,7%"),
            ("SINHKE", "36,8%"),
            ("DCTC", "146,2%"),
            ("CLB", "62,9%"),
            ("GSBDG", "38,8%"),
        ):
            assert shown in page.get_by_test_id(f"phase-percent-{code}").inner_text()
        assert "vượt chỉ tiêu" in page.get_by_test_id("phase-percent-DCTC").inner_text()
        assert "Chậm so với tỷ lệ thời gian đã qua" in page.get_by_test_id("lagging").inner_text()
        # The chart is drawn from the library the app serves.
        page.wait_for_function("() => window.Chart && Chart.getChart('trend-chart')")
        if width >= 1200:
            # The main menu fits one line of a laptop screen.
            links = page.locator("#mainnav .nav-link")
            tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
            assert len(tops) == 1, f"the menu wraps onto {len(tops)} lines"
        _save(page, name)
    finally:
        context.close()
