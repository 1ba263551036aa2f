"""An officer uploads a file with three bad rows and gets her own file back, marked."""

import io

import pytest
from openpyxl import load_workbook

from duan8.community.models import CommunityModel
from tests.factories import PASSWORD, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ["Xã, thôn", "Tên", "Ngày thành lập", "Ngày giải thể", "Thành viên nữ", "Thành viên nam"]


def test_a_refused_import_comes_back_with_the_three_bad_cells_marked(page, shot, world, tmp_path):
    rows = [["Xã Mồ Sì San", f"Tổ {i}", "01/02/2024", None, 5, 2] for i in range(20)]
    rows[3][0] = "Xã Không Có"
    rows[9][2] = "31/02/2024"
    rows[15][4] = -4
    upload = tmp_path / "to-truyen-thong.xlsx"
    upload.write_bytes(xlsx([HEADER, *rows]).read())

    page.goto(page.base + "/signin/")
    page.get_by_label("Tên đăng nhập").fill("tinh.quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(page.base + "/")

    page.goto(f"{page.base}/units/{world.province.pk}/models/import/?kind=communication_team")
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Nhập").click()
    errors = page.get_by_test_id("import-errors")
    errors.wait_for()
    assert errors.locator("li").count() == 3
    shot("refused")
    with page.expect_download() as download:
        page.get_by_test_id("annotated-file").click()
    saved = tmp_path / "marked.xlsx"
    download.value.save_as(str(saved))

    sheet = load_workbook(io.BytesIO(saved.read_bytes())).active
    marked = {
        (cell.row, sheet.cell(1, cell.column).value): cell.comment.text
        for row in sheet.iter_rows()
        for cell in row
        if cell.comment is not None
    }
    assert set(marked) == {(5, "Xã, thôn"), (11, "Ngày thành lập"), (17, "Thành viên nữ")}
    assert "31" in marked[(11, "Ngày thành lập")] and "-4" in marked[(17, "Thành viên nữ")]
    assert sheet.cell(5, 1).fill.start_color.rgb.endswith("FFC7CE")
    assert not CommunityModel.objects.filter(name__startswith="Tổ 1").exists()
