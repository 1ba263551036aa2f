"""A large file goes to a background job: the officer watches its page, which follows the
job by itself (htmx, every second) until it says what was stored."""

import pytest

from duan8.community.models import CommunityModel
from duan8.core import jobs
from tests.factories import PASSWORD, run_jobs, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ["Xã, thôn", "Tên", "Ngày thành lập", "Thành viên nữ", "Thành viên nam"]


def test_the_job_page_follows_the_import_until_it_is_stored(
    page, shot, world, tmp_path, monkeypatch
):
    monkeypatch.setattr(jobs, "ROWS", 3)  # files of more than three rows are jobs here
    upload = tmp_path / "to-truyen-thong.xlsx"
    rows = [["Xã Mồ Sì San", f"Tổ nền {i}", "01/02/2024", 5, 2] for i in range(12)]
    upload.write_bytes(xlsx([HEADER, *rows]).read())

    page.goto(page.base + "/signin/")
    page.get_by_label("Tên đăng nhập").fill("tinh.quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(page.base + "/")

    page.goto(f"{page.base}/units/{world.province.pk}/models/import/?kind=communication_team")
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Nhập").click()
    page.wait_for_url("**/jobs/*/")
    page.locator("[data-state=queued]").wait_for()
    shot("queued")
    assert not CommunityModel.objects.filter(name__startswith="Tổ nền").exists()

    run_jobs()  # the worker takes the job

    page.locator("[data-state=done]").wait_for(timeout=15_000)  # the page saw it by itself
    assert "Đã lưu 12 hồ sơ" in page.get_by_test_id("job-status").inner_text()
    shot("done")
    assert CommunityModel.objects.filter(name__startswith="Tổ nền").count() == 12
