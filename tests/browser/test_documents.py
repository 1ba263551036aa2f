"""A commune officer writes her six-month report from the data, types its difficulties and
proposals, issues it with its number and downloads it as Word and as PDF; the first page of
the PDF is kept as a picture (docs/screenshots/six-month-report.png)."""

import io
import os
import shutil
import subprocess
from decimal import Decimal

import pytest
from docx import Document as WordDocument

from duan8.documents import pdf
from duan8.documents.models import Letterhead, OfficialDocument
from duan8.framework import defaults, periods
from duan8.framework.actions import set_target
from duan8.reporting import cycle
from tests.browser.conftest import SCREENSHOTS
from tests.factories import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

H2 = periods.parse("2024-H2")
DIFFICULTIES = "Đường vào bản Sì Choang sạt lở, hai cuộc đối thoại phải dời sang tháng 1."
PROPOSALS = "Đề nghị Hội LHPN huyện hỗ trợ một giảng viên nguồn cho tập huấn tháng 3."


def commune_with_a_target() -> World:
    """The world's commune with its letterhead, 2 dialogues to hold in 2024-H2 (it held one,
    on 20/8/2024) and its figures for the half-year sent up."""
    world = World()
    phase = defaults.load()
    Letterhead.objects.create(
        unit=world.commune,
        parent_body="HỘI LHPN HUYỆN PHONG THỔ",
        issuing_body="BCH HỘI LHPN XÃ MỒ SÌ SAN",
        name_in_text="Ban Chấp hành Hội LHPN xã Mồ Sì San",
        issuer_code="HPN",
        place="Mồ Sì San",
        signer_authority="TM. BAN CHẤP HÀNH",
        signer_title="CHỦ TỊCH",
        signer_name="Lò Thị Hoa",
        recipients="- Hội LHPN huyện Phong Thổ;\n- Đảng ủy, UBND xã;\n- Lưu: VT.",
    )
    dialogues = phase.indicators().get(code="DTCS")
    set_target(dialogues, world.commune, H2, Decimal(2))
    cycle.submit(world.commune_editor, world.commune, H2)
    return world


def sign_in(page, username):
    page.goto(page.base + "/signin/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(page.base + "/")


def download(page, test_id: str) -> bytes:
    with page.expect_download() as started:
        page.get_by_test_id(test_id).click()
    return started.value.path().read_bytes()


def test_write_edit_issue_and_download_a_six_month_report(page, shot, tmp_path):
    world = commune_with_a_target()
    sign_in(page, "xa.nhaplieu")

    # From the menu to the commune's documents, then a report for the second half of 2024.
    page.get_by_role("button", name="Hiện menu").click()
    page.get_by_role("link", name="Văn bản").first.click()
    page.wait_for_url(f"**/units/{world.commune.pk}/register/")
    # The register leads to the report forms too, the default Project 8 form among them.
    page.get_by_test_id("report-forms").click()
    page.wait_for_url("**/report-forms/")
    assert "01/DA8" in page.locator("main").inner_text()
    page.go_back()
    page.get_by_test_id("generate").click()
    page.get_by_label("Loại văn bản").select_option(value="report")
    page.get_by_label("Kỳ", exact=True).fill("2024-H2")
    page.get_by_test_id("write").click()
    page.wait_for_url("**/register/*/")
    draft = OfficialDocument.objects.get()
    form = page.get_by_test_id("draft-form")
    assert "Đối thoại chính sách" in form.inner_text()
    shot("1-draft")

    # Her date and texts, saved and shown again.
    page.get_by_label("Ngày", exact=True).fill("10/12/2024")
    page.get_by_label("Khó khăn, vướng mắc").fill(DIFFICULTIES)
    page.get_by_label("Đề xuất, kiến nghị").fill(PROPOSALS)
    page.get_by_test_id("save-draft").click()
    page.wait_for_url(f"**/register/{draft.pk}/")
    assert page.get_by_label("Khó khăn, vướng mắc").input_value() == DIFFICULTIES

    # Issued with the next number, which the page proposed, after a confirmation that shows
    # the number and the record the report will lock.
    assert page.get_by_label("Số", exact=True).get_attribute("placeholder") == "1"
    page.get_by_test_id("issue").click()
    page.wait_for_url(f"**/register/{draft.pk}/issue/**")
    assert page.get_by_test_id("number-to-give").inner_text().startswith("01/BC-HPN")
    assert page.get_by_test_id("to-link").get_by_role("link").count() == 1
    draft.refresh_from_db()
    assert not draft.is_issued
    page.get_by_test_id("confirm-issue").click()
    page.wait_for_url(f"**/register/{draft.pk}/")
    assert page.get_by_test_id("number").inner_text() == "01/BC-HPN"
    assert DIFFICULTIES in page.get_by_test_id("preview").inner_text()
    # The half-year's report submission points to it, and its page leads there.
    assert cycle.submission_of(world.commune, H2).official_document_id == draft.pk
    linked = page.get_by_test_id("linked")
    assert "Báo cáo nộp" in linked.inner_text()
    link = linked.get_by_role("link").get_attribute("href")
    assert link == f"/units/{world.commune.pk}/reports/2024-H2/"
    shot("2-issued")

    # The Word file carries her texts and the number.
    doc = WordDocument(io.BytesIO(download(page, "download-docx")))
    paragraphs = [p.text for p in doc.paragraphs]
    assert DIFFICULTIES in paragraphs and PROPOSALS in paragraphs
    header = doc.tables[0].rows[0].cells
    assert "Số: 01/BC-HPN" in header[0].text
    assert "Mồ Sì San, ngày 10 tháng 12 năm 2024" in header[1].text

    # The PDF, and a picture of its first page.
    tools = pdf.available() and shutil.which("pdftoppm")
    if not tools and not os.environ.get("DUAN8_REQUIRE_PDF"):
        pytest.skip("LibreOffice or pdftoppm not installed: the PDF step is skipped.")
    data = download(page, "download-pdf")
    assert data.startswith(b"%PDF-")
    (tmp_path / "report.pdf").write_bytes(data)
    SCREENSHOTS.mkdir(exist_ok=True)
    stem = SCREENSHOTS / "six-month-report"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"]
        + [str(tmp_path / "report.pdf"), str(stem)],
        check=True,
    )
    assert stem.with_suffix(".png").stat().st_size > 10_000
