"""A generated six-month report made into a PDF by LibreOffice headless and read back with
poppler (``pdfinfo``, ``pdftotext``): its pages and its words, and the PDF of an issued
document downloaded from its page and from the API.

Without LibreOffice or poppler these tests are skipped with the reason, unless
DUAN8_REQUIRE_PDF is set (CI sets it), in which case they fail."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from duan8.documents import actions, pdf
from duan8.documents.models import Kind, Letterhead
from duan8.framework import defaults, periods
from duan8.framework.actions import set_target
from tests.factories import World, token

H2 = periods.parse("2024-H2")
DAY = datetime.date(2024, 12, 10)
POPPLER = ("pdfinfo", "pdftotext")


def missing_tools() -> list[str]:
    missing = [] if pdf.available() else ["LibreOffice (soffice)"]
    return missing + [name for name in POPPLER if shutil.which(name) is None]


@pytest.fixture
def pdf_tools():
    """Skip (or, with DUAN8_REQUIRE_PDF, fail) where the programs are not installed."""
    missing = missing_tools()
    if not missing:
        return
    reason = (
        f"{', '.join(missing)} not installed: PDF tests skipped. Enable them with "
        "`sudo apt-get install libreoffice-writer-nogui poppler-utils`."
    )
    if os.environ.get("DUAN8_REQUIRE_PDF"):
        pytest.fail(f"DUAN8_REQUIRE_PDF is set but {reason}")
    pytest.skip(reason)


@pytest.fixture
def report(world: World):
    """The province's issued report for the second half of 2024: dialogues 1 of 71 (the
    world's dialogue of 20/8/2024), 4.000 million đồng of central budget, the officer's
    difficulties."""
    from duan8.finance.models import BudgetLine

    world.phase = defaults.load()
    Letterhead.objects.create(
        unit=world.province,
        parent_body="HỘI LHPN TỈNH LAI CHÂU",
        issuing_body="BAN THƯỜNG VỤ",
        name_in_text="Ban Thường vụ Hội LHPN tỉnh Lai Châu",
        issuer_code="BTV",
        place="Lai Châu",
        signer_authority="TM. BAN THƯỜNG VỤ",
        signer_title="CHỦ TỊCH",
        signer_name="Khoàng Thị Thanh Nga",
        recipients="- Trung ương Hội LHPN Việt Nam;\n- Lưu: VT.",
    )
    dialogues = world.phase.indicators().get(code="DTCS")
    set_target(dialogues, world.province, H2, Decimal(71), doc_number="", doc_issuer="")
    BudgetLine(
        unit=world.province, fiscal_year=2024, source="central", original_amount=4_000_000_000
    ).save()
    admin = world.province_admin
    draft = actions.generate(admin, Kind.REPORT, world.province, period=H2, today=DAY)
    actions.update(draft, {}, {"difficulties": "Giải ngân chậm ở các xã vùng cao."})
    return actions.issue(admin, draft, number=45)


def pages_of(data: bytes, tmp_path: Path) -> int:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)$", info.stdout, re.MULTILINE).group(1))


def text_of(data: bytes, tmp_path: Path, *, layout: bool = False) -> str:
    """The PDF's words, each run of blanks and line ends made one space; with ``layout``,
    line by line as printed (a table's row on one line)."""
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    options = ["-layout"] if layout else []
    found = subprocess.run(
        ["pdftotext", *options, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    text = found.stdout.decode()
    if layout:
        return "\n".join(" ".join(line.split()) for line in text.splitlines())
    return " ".join(text.split())


def test_a_six_month_report_becomes_a_pdf_with_its_header_summary_and_figures(
    pdf_tools, report, tmp_path
):
    data = pdf.to_pdf(actions.docx_of(report))
    assert data.startswith(b"%PDF-")
    # The header, results, children, money and texts of a province fit on a few A4 pages.
    assert 2 <= pages_of(data, tmp_path) <= 6
    text = text_of(data, tmp_path)
    for expected in (
        "HỘI LHPN TỈNH LAI CHÂU",
        "BAN THƯỜNG VỤ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 45/BC-BTV",
        "Lai Châu, ngày 10 tháng 12 năm 2024",
        "BÁO CÁO",
        " ".join(report.summary.split()),
        "Giải ngân chậm ở các xã vùng cao.",
        "Khoàng Thị Thanh Nga",
    ):
        assert expected in text, expected
    # The dialogues' row: target 71, result 1, 1,4%; the money: 4.000 million, none spent.
    rows = text_of(data, tmp_path, layout=True)
    assert re.search(r"^STT Chỉ tiêu ", rows, re.MULTILINE), rows
    assert re.search(r"^2 Đối thoại chính sách .* 71 1 1,4% 1$", rows, re.MULTILINE), rows
    assert "\nTổng cộng 4.000 0 0,00%\n" in rows, rows


def test_the_issued_pdf_is_downloaded_from_its_page_and_the_api(
    pdf_tools, report, client, tmp_path
):
    officer = report.issued_by
    client.force_login(officer)
    page = client.get(reverse("documents:pdf", args=[report.pk]))
    assert page.status_code == 200
    assert page["Content-Type"] == "application/pdf"
    assert page["Content-Disposition"] == 'attachment; filename="45-BC-BTV.pdf"'
    assert "Số: 45/BC-BTV" in text_of(page.content, tmp_path)
    # Made once and kept with the issued document: the API gives the same file.
    report.refresh_from_db()
    assert report.pdf.name.endswith("45-BC-BTV.pdf")
    api = client.get(
        reverse("api:document_pdf", args=[report.pk]),
        HTTP_AUTHORIZATION=f"Bearer {token(officer)}",
    )
    assert api.status_code == 200
    assert api.content == page.content


def test_another_provinces_reader_gets_no_pdf(report, client, world):
    client.force_login(world.outsider)
    assert client.get(reverse("documents:pdf", args=[report.pk])).status_code == 404
    api = client.get(
        reverse("api:document_pdf", args=[report.pk]),
        HTTP_AUTHORIZATION=f"Bearer {token(world.outsider)}",
    )
    assert api.status_code == 404
