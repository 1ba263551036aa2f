"""A report goes up and down the chain in real pages, and the province sees the new figure."""

import pytest

from duan8.framework import defaults
from duan8.reporting import defaults as reporting_defaults
from tests.factories import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username):
    page.context.clear_cookies()
    page.goto(page.base + "/signin/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(page.base + "/")


def test_a_commune_report_is_returned_fixed_resubmitted_and_approved(page, shot):
    w = World()
    defaults.load()
    reporting_defaults.load()
    report = f"{page.base}/units/{w.commune.pk}/reports/2025/"

    # The commune sees its overdue annual report on its home page and sends it.
    sign_in(page, "xa.nhaplieu")
    assert "Báo cáo Năm 2025 của Xã Mồ Sì San" in page.get_by_test_id("reminders").inner_text()
    page.goto(report)
    page.get_by_label("Ý kiến gửi cấp duyệt").fill("Báo cáo năm 2025")
    page.get_by_role("button", name="Nộp báo cáo").click()
    assert "Đã nộp" in page.get_by_test_id("report-state").inner_text()
    shot("1-submitted")

    # Since 1/7/2025 the commune reports straight to the province, which returns it.
    sign_in(page, "tinh.quantri")
    assert "chờ duyệt" in page.get_by_test_id("reminders").inner_text()
    page.goto(report)
    page.get_by_label("Ý kiến (bắt buộc khi trả lại báo cáo)").fill("Thiếu tổ truyền thông mới")
    page.get_by_role("button", name="Trả lại kèm ý kiến").click()
    assert "Bị trả lại" in page.get_by_test_id("report-state").inner_text()
    page.goto(f"{page.base}/?period=2025")
    before = int(page.locator('tr[data-code="TTCĐ"] td.num').nth(0).inner_text() or 0)

    # The commune adds the missing team and sends the report again.
    sign_in(page, "xa.nhaplieu")
    assert "bị trả lại" in page.get_by_test_id("reminders").inner_text()
    page.goto(f"{page.base}/units/{w.commune.pk}/models/new/?kind=communication_team")
    page.get_by_label("Xã hoặc thôn, bản").select_option(label="Xã Mồ Sì San")
    page.get_by_label("Tên", exact=True).fill("Tổ truyền thông bản Nậm Cầy")
    page.get_by_label("Ngày thành lập").fill("15/03/2025")
    page.get_by_test_id("save").click()
    page.wait_for_url("**/models/*/")
    page.goto(report)
    page.get_by_role("button", name="Nộp báo cáo").click()
    assert "Đã nộp" in page.get_by_test_id("report-state").inner_text()

    # The province compares the two versions, approves, and its dashboard has the new team.
    sign_in(page, "tinh.quantri")
    page.goto(report)
    changed = page.get_by_test_id("report-compare").locator("tr.table-warning")
    assert "Tổ truyền thông cộng đồng" in changed.first.inner_text()
    page.get_by_role("button", name="Duyệt").click()
    assert "Đã duyệt" in page.get_by_test_id("report-state").inner_text()
    shot("2-approved")
    page.goto(f"{page.base}/?period=2025")
    after = int(page.locator('tr[data-code="TTCĐ"] td.num').nth(0).inner_text())
    assert after == before + 1
    shot("3-province-dashboard")

    # The approved year is locked: the commune can no longer add a team dated in it.
    sign_in(page, "xa.nhaplieu")
    page.goto(f"{page.base}/units/{w.commune.pk}/models/new/?kind=communication_team")
    page.get_by_label("Xã hoặc thôn, bản").select_option(label="Xã Mồ Sì San")
    page.get_by_label("Tên", exact=True).fill("Tổ muộn")
    page.get_by_label("Ngày thành lập").fill("20/03/2025")
    page.get_by_test_id("save").click()
    assert "đã được duyệt" in page.content()
