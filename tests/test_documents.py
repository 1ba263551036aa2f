"""Official documents: drafts written from the data, edited, issued into the register with
the next number of their issuer, kind and year, their Word file read back cell by cell, the
records they decided pointing to them, the pages, the API and the command line."""

from __future__ import annotations

import datetime
import io
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from docx import Document as WordDocument
from docx.shared import Pt

from duan8.documents import actions, templates, word
from duan8.documents.models import Kind, Letterhead, OfficialDocument
from duan8.framework import allocation, defaults, periods
from duan8.framework.actions import set_target
from tests.factories import World, token

H2 = periods.parse("2024-H2")
DAY = datetime.date(2024, 6, 28)


@pytest.fixture
def lai_chau(world: World):
    """The world's province with its letterhead and dialogues allocated for 2024-H2: Phong Thổ
    41, Sìn Hồ 30 (notice 32/TB-BTV)."""
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
        recipients="- Hội LHPN các huyện, thành phố;\n- Lưu: VT, BTGCSLP.",
    )
    dialogues = world.phase.indicators().get(code="DTCS")
    set_target(dialogues, world.province, H2, Decimal(71), doc_number="", doc_issuer="")
    allocation.save(
        world.province,
        world.phase,
        H2,
        {
            (world.district.pk, dialogues.pk): Decimal(41),
            (world.sibling_district.pk, dialogues.pk): Decimal(30),
        },
    )
    world.dialogues = dialogues
    return world


def notice(world, day=DAY) -> OfficialDocument:
    return actions.generate(world.province_admin, Kind.NOTICE, world.province, period=H2, today=day)


# The Word file -------------------------------------------------------------------------------


def test_the_notice_is_a_word_file_in_the_decree_30_layout(lai_chau):
    document = actions.issue(lai_chau.province_admin, notice(lai_chau), number=32)
    doc = WordDocument(io.BytesIO(actions.docx_of(document)))
    section = doc.sections[0]
    # A4; top and bottom 20 mm, left 30 mm, right 15 mm; Times New Roman 14 pt.
    sizes = [
        round(length.mm)
        for length in (
            section.page_width,
            section.page_height,
            section.top_margin,
            section.bottom_margin,
            section.left_margin,
            section.right_margin,
        )
    ]
    assert sizes == [210, 297, 20, 20, 30, 15]
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert doc.styles["Normal"].font.size == Pt(14)
    # Header: the parent body above the issuing body (bold), the number; the motto.
    left, right = doc.tables[0].rows[0].cells
    parent, issuer, rule, number = left.paragraphs
    assert (parent.text, bool(parent.runs[0].bold)) == ("HỘI LHPN TỈNH LAI CHÂU", False)
    assert (issuer.text, issuer.runs[0].bold) == ("BAN THƯỜNG VỤ", True)
    assert (
        rule._p.pPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pBdr")
        is not None
    )
    assert number.text == "Số: 32/TB-BTV"
    motto, words, _rule, place = right.paragraphs
    assert motto.text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and motto.runs[0].bold
    assert words.text == "Độc lập - Tự do - Hạnh phúc"
    assert (place.text, place.runs[0].italic) == ("Lai Châu, ngày 28 tháng 6 năm 2024", True)
    texts = [p.text for p in doc.paragraphs]
    assert "THÔNG BÁO" in texts
    assert any(t.startswith("Giao chỉ tiêu thực hiện Dự án 8 “Thực hiện bình") for t in texts)
    # Signature block: recipients (Nơi nhận: bold italic 12, entries 11), the signer.
    recipients, signer = doc.tables[-1].rows[0].cells
    heading = recipients.paragraphs[0]
    assert heading.text == "Nơi nhận:" and heading.runs[0].bold and heading.runs[0].italic
    assert heading.runs[0].font.size == Pt(12)
    assert [p.text for p in recipients.paragraphs[1:]] == [
        "- Hội LHPN các huyện, thành phố;",
        "- Lưu: VT, BTGCSLP.",
    ]
    assert recipients.paragraphs[1].runs[0].font.size == Pt(11)
    lines = [p.text for p in signer.paragraphs if p.text]
    assert lines == ["TM. BAN THƯỜNG VỤ", "CHỦ TỊCH", "Khoàng Thị Thanh Nga"]


def test_the_allocation_table_is_read_back_cell_by_cell(lai_chau):
    data = actions.render(notice(lai_chau))
    (table,) = [t for t in word.tables_of(data) if t[0][:2] == ["STT", "Đơn vị"]]
    assert table[0][2].startswith(lai_chau.dialogues.name)
    assert table[1:] == [
        ["1", "Huyện Phong Thổ", "41"],
        ["2", "Huyện Sìn Hồ", "30"],
        ["", "Tổng cộng", "71"],
    ]
    assert "(Phong Thổ 41, Sìn Hồ 30)." in word.text_of(data)


def test_a_draft_carries_no_number_and_a_one_digit_number_has_a_leading_zero(lai_chau):
    draft = notice(lai_chau)
    assert "Số:       /TB-BTV" in word.tables_of(actions.render(draft))[0][0][0]
    issued = actions.issue(lai_chau.province_admin, draft)
    assert issued.number_text == "01/TB-BTV"


def test_the_officers_edits_are_in_the_file(lai_chau):
    draft = notice(lai_chau)
    actions.update(
        draft,
        {"summary": "Kết luận của đồng chí Chủ tịch", "signer_name": "Nguyễn Thị A"},
        {"requests": "Yêu cầu các đơn vị báo cáo trước ngày 15/12.\nĐoạn thứ hai."},
    )
    text = word.text_of(actions.render(draft))
    assert "Kết luận của đồng chí Chủ tịch" in text
    assert "Yêu cầu các đơn vị báo cáo trước ngày 15/12.\nĐoạn thứ hai." in text
    assert "Nguyễn Thị A" in text


def test_without_the_motto_its_lines_are_left_out(lai_chau):
    Letterhead.objects.filter(unit=lai_chau.province).update(show_motto=False)
    text = word.text_of(actions.render(notice(lai_chau)))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in text
    assert "Lai Châu, ngày 28 tháng 6 năm 2024" in text


def test_a_report_reads_results_money_and_reports_from_the_reading_path(lai_chau):
    from duan8.finance.models import BudgetLine

    BudgetLine(
        unit=lai_chau.province, fiscal_year=2024, source="central", original_amount=4_000_000_000
    ).save()
    document = actions.generate(
        lai_chau.province_admin, Kind.REPORT, lai_chau.province, period="2024-H2"
    )
    tables = word.tables_of(actions.render(document))
    (results,) = [t for t in tables if t[0][:2] == ["STT", "Chỉ tiêu"]]
    row = [r for r in results if r[1] == lai_chau.dialogues.name][0]
    # The world's dialogue of 20/8/2024 in the commune counts under the province: 1 of 71.
    assert row[3:6] == ["71", "1", "1,4%"]
    (money,) = [t for t in tables if t[0][0] == "Nguồn kinh phí"]
    assert money[-1] == ["Tổng cộng", "4.000", "0", "0,00%"]
    keys = [s["key"] for s in document.sections]
    assert {"results", "difficulties", "proposals"} <= set(keys)


def test_a_year_plan_and_a_decision_are_written(lai_chau):
    from duan8.activities.models import TrainerAppointment, TrainerQualification

    plan = actions.generate(lai_chau.province_admin, Kind.PLAN, lai_chau.province, period="2024")
    assert word.text_of(actions.render(plan)).count("KẾ HOẠCH") == 1
    TrainerQualification.objects.create(
        trainer=lai_chau.trainer, programme="gender_me", completed_on=datetime.date(2023, 5, 4)
    )
    appointment = TrainerAppointment(
        unit=lai_chau.province, number="tạm", date=datetime.date(2024, 8, 1), signer="X"
    )
    appointment.save()
    appointment.trainers.add(lai_chau.trainer)
    decision = actions.generate(
        lai_chau.province_admin, Kind.DECISION, lai_chau.province, appointment=appointment
    )
    data = actions.render(decision)
    (trainers,) = [t for t in word.tables_of(data) if t[0][:2] == ["STT", "Họ và tên"]]
    assert trainers[1][1] == "Lò Thị Mai"
    assert "Đánh giá" not in trainers[1][3]
    assert "QUYẾT ĐỊNH:" in word.text_of(data)


# The register ------------------------------------------------------------------------------


def test_numbers_run_per_issuer_kind_and_year(lai_chau):
    admin = lai_chau.province_admin
    first = actions.issue(admin, notice(lai_chau))
    second = actions.issue(admin, notice(lai_chau))
    assert (first.number, second.number) == (1, 2)
    # Another kind of the same issuer starts at 1; so does the next year.
    plan = actions.issue(
        admin,
        actions.generate(admin, Kind.PLAN, lai_chau.province, period="2024", today=DAY),
    )
    assert plan.number == 1 and plan.number_text == "01/KH-BTV"
    next_year = actions.issue(admin, notice(lai_chau, datetime.date(2025, 1, 5)))
    assert (next_year.year, next_year.number) == (2025, 1)
    # Another issuer starts at 1.
    district = actions.generate(
        lai_chau.district_approver, Kind.NOTICE, lai_chau.district, period=H2, today=DAY
    )
    assert actions.issue(lai_chau.district_approver, district).number == 1
    assert actions.next_number(lai_chau.province, Kind.NOTICE, 2024) == 3


def test_a_typed_number_is_kept_and_the_next_follows_it(lai_chau):
    admin = lai_chau.province_admin
    assert actions.issue(admin, notice(lai_chau), number=32).number == 32
    assert actions.issue(admin, notice(lai_chau)).number == 33


def test_no_two_documents_get_the_same_number(lai_chau):
    admin = lai_chau.province_admin
    actions.issue(admin, notice(lai_chau), number=5)
    with pytest.raises(ValidationError) as refused:
        actions.issue(admin, notice(lai_chau), number=5)
    assert "5" in refused.value.message_dict["number"][0]
    # The database refuses it too, whatever the code does.
    from django.db import IntegrityError, transaction

    draft = notice(lai_chau)
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficialDocument.objects.filter(pk=draft.pk).update(number=5, year=2024, state="issued")


def test_an_issued_document_cannot_be_changed_or_issued_again(lai_chau):
    issued = actions.issue(lai_chau.province_admin, notice(lai_chau))
    for change in (
        lambda: actions.update(issued, {"summary": "x"}, {}),
        lambda: actions.issue(lai_chau.province_admin, issued),
        lambda: actions.delete_draft(issued),
        lambda: actions.refresh(issued),
    ):
        with pytest.raises(ValidationError):
            change()


@pytest.mark.django_db(transaction=True)
def test_two_officers_shown_the_same_next_number_get_two_numbers(lai_chau):
    first, second = notice(lai_chau), notice(lai_chau)
    # Both pages propose 1; the first officer issues, then the second, leaving it empty.
    assert actions.next_number(lai_chau.province, Kind.NOTICE, 2024) == 1
    assert actions.issue(lai_chau.province_admin, first).number == 1
    assert actions.issue(lai_chau.district_approver, second).number == 2


@pytest.mark.django_db(transaction=True)
def test_two_officers_issuing_at_once_get_two_numbers():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # The test run's in-memory SQLite locks whole tables between threads, without waiting;
        # duan8's own SQLite file waits its turn (immediate transactions). CI runs this on
        # PostgreSQL, where the sequence row's lock is what keeps the numbers apart.
        pytest.skip("threads need a database that waits for locks (PostgreSQL in CI)")
    world = World()
    world.phase = defaults.load()
    drafts = [notice(world) for _ in range(4)]
    numbers, errors = [], []

    def issue(draft):
        try:
            numbers.append(actions.issue(world.province_admin, draft).number)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(d,)) for d in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(numbers) == [1, 2, 3, 4]


def test_a_notice_links_its_targets_both_ways(lai_chau):
    issued = actions.issue(lai_chau.province_admin, notice(lai_chau), number=32)
    from duan8.framework.models import Target

    targets = Target.objects.for_period(H2).filter(indicator=lai_chau.dialogues)
    assert {t.official_document_id for t in targets} == {issued.pk}
    assert {t.doc_number for t in targets} == {"32/TB-BTV"}
    assert set(issued.targets.all()) == set(targets)
    linked = actions.linked_records(issued)
    assert len(linked["targets"]) == 3


def test_a_decision_and_a_report_link_their_records(lai_chau):
    from duan8.activities.models import TrainerAppointment
    from duan8.reporting import cycle

    appointment = TrainerAppointment(
        unit=lai_chau.province, number="tạm", date=datetime.date(2024, 8, 1), signer="X"
    )
    appointment.save()
    appointment.trainers.add(lai_chau.trainer)
    admin = lai_chau.province_admin
    decision = actions.issue(
        admin,
        actions.generate(
            admin, Kind.DECISION, lai_chau.province, appointment=appointment, today=DAY
        ),
    )
    appointment.refresh_from_db()
    assert appointment.official_document == decision
    assert (appointment.number, appointment.signer) == ("01/QĐ-BTV", "Khoàng Thị Thanh Nga")
    assert list(decision.appointments.all()) == [appointment]
    period = periods.parse("2024")
    cycle.submit(lai_chau.commune_editor, lai_chau.commune, period)
    report = actions.issue(
        lai_chau.commune_editor,
        actions.generate(lai_chau.commune_editor, Kind.REPORT, lai_chau.commune, period=period),
    )
    assert cycle.submission_of(lai_chau.commune, period).official_document == report


def test_every_write_is_audited(lai_chau):
    from duan8.core.models import AuditEvent

    issued = actions.issue(lai_chau.province_admin, notice(lai_chau))
    events = AuditEvent.objects.filter(
        object_id=str(issued.pk), content_type__model="officialdocument"
    )
    assert list(events.order_by("pk").values_list("action", flat=True)) == ["create", "update"]


# Templates -------------------------------------------------------------------------------------


def test_the_shipped_template_is_the_one_the_code_draws():
    shipped = word.text_of(templates.DEFAULT.read_bytes())
    assert shipped == word.text_of(word.default_template())
    for name in ("parent_body", "issuing_body", "number", "place_date", "body", "signer_name"):
        assert "{{%s}}" % name in shipped  # noqa: UP031


def test_a_province_template_replaces_the_default(lai_chau, client):
    doc = WordDocument(io.BytesIO(templates.default_bytes()))
    doc.add_paragraph("Mẫu riêng của tỉnh {{issuing_body}}")
    out = io.BytesIO()
    doc.save(out)
    client.force_login(lai_chau.province_admin)
    response = client.post(
        reverse("documents:templates", args=[lai_chau.province.pk]),
        {"kind": "", "file": SimpleUploadedFile("mau.docx", out.getvalue())},
    )
    assert response.status_code == 302
    text = word.text_of(actions.render(notice(lai_chau)))
    assert "Mẫu riêng của tỉnh BAN THƯỜNG VỤ" in text
    # A district's documents follow its province's template.
    district = actions.generate(
        lai_chau.district_approver, Kind.NOTICE, lai_chau.district, period=H2
    )
    assert "Mẫu riêng của tỉnh" in word.text_of(actions.render(district))
    # A file without the body's place is refused.
    bad = WordDocument()
    bad.add_paragraph("không có chỗ cho nội dung")
    out = io.BytesIO()
    bad.save(out)
    response = client.post(
        reverse("documents:templates", args=[lai_chau.province.pk]),
        {"kind": "report", "file": SimpleUploadedFile("mau.docx", out.getvalue())},
    )
    assert response.status_code == 200
    assert "{{body}}" in response.content.decode()


def test_without_a_letterhead_the_units_names_are_proposed(world):
    world.phase = defaults.load()
    document = actions.generate(world.commune_editor, Kind.REPORT, world.commune, period="2024")
    assert (document.parent_body, document.issuing_body) == ("HUYỆN PHONG THỔ", "XÃ MỒ SÌ SAN")
    assert document.number_text.strip() == "/BC"


# Pages ---------------------------------------------------------------------------------------


def test_generate_edit_issue_and_download_on_the_pages(lai_chau, client):
    client.force_login(lai_chau.province_admin)
    response = client.post(
        reverse("documents:generate", args=[lai_chau.province.pk]),
        {"kind": "report", "period": "2024-H2"},
    )
    assert response.status_code == 302
    draft = OfficialDocument.objects.get()
    page = client.get(response.url)
    assert "Khó khăn, vướng mắc" in page.content.decode()
    data = {
        "summary": draft.summary,
        "place": "Lai Châu",
        "doc_date": "10/12/2024",
        "recipients": "- Lưu: VT.",
        "signer_authority": "TM. BAN THƯỜNG VỤ",
        "signer_title": "CHỦ TỊCH",
        "signer_name": "Khoàng Thị Thanh Nga",
        "section-difficulties": "Giải ngân chậm.",
    }
    assert client.post(response.url, data).status_code == 302
    issued = client.post(reverse("documents:issue", args=[draft.pk]), {"number": ""})
    assert issued.status_code == 302
    draft.refresh_from_db()
    assert draft.number_text == "01/BC-BTV" and draft.doc_date == datetime.date(2024, 12, 10)
    file = client.get(reverse("documents:docx", args=[draft.pk]))
    assert file["Content-Disposition"] == 'attachment; filename="01-BC-BTV.docx"'
    assert "Giải ngân chậm." in word.text_of(file.content)
    listing = client.get(reverse("documents:register", args=[lai_chau.province.pk]), {"q": "1"})
    assert ">01/BC-BTV</a>" in listing.content.decode()
    # Issued: no more edits.
    assert client.post(response.url, data).status_code == 403


def test_the_register_is_searched_within_what_the_reader_may_see(lai_chau, client):
    admin = lai_chau.province_admin
    actions.issue(admin, notice(lai_chau), number=32)
    district = actions.generate(
        lai_chau.district_approver, Kind.NOTICE, lai_chau.district, period=H2, today=DAY
    )
    actions.issue(lai_chau.district_approver, district, number=7)
    url = reverse("documents:register", args=[lai_chau.province.pk])
    client.force_login(admin)

    def listed(response) -> set[str]:
        import re

        return set(re.findall(r'/register/\d+/">([^<]+)</a>', response.content.decode()))

    assert listed(client.get(url)) == {"32/TB-BTV", "07/TB"}
    assert listed(client.get(url, {"q": "32/TB-BTV"})) == {"32/TB-BTV"}
    assert listed(client.get(url, {"q": "Giao chỉ tiêu"})) == {"32/TB-BTV", "07/TB"}
    assert listed(client.get(url, {"kind": "plan"})) == set()
    assert listed(client.get(url, {"year": "2025"})) == set()
    assert listed(client.get(url, {"from": "29/06/2024"})) == set()
    # The district's approver sees the district's register, not the province's.
    client.force_login(lai_chau.district_approver)
    own = client.get(reverse("documents:register", args=[lai_chau.district.pk]))
    assert listed(own) == {"07/TB"}
    assert client.get(url).status_code == 404


def test_the_letterhead_is_set_by_the_units_administrators(world, client):
    url = reverse("documents:letterhead", args=[world.district.pk])
    client.force_login(world.district_approver)
    assert client.get(url).status_code == 403
    client.force_login(world.province_admin)
    response = client.post(
        url,
        {
            "parent_body": "HUYỆN ỦY PHONG THỔ",
            "issuing_body": "HỘI LHPN HUYỆN PHONG THỔ",
            "issuer_code": "HPN",
            "place": "Phong Thổ",
            "show_motto": "on",
        },
    )
    assert response.status_code == 302
    assert Letterhead.objects.get(unit=world.district).issuer_code == "HPN"


def test_pdf_without_libreoffice_says_so(lai_chau, client, monkeypatch):
    monkeypatch.setenv("DUAN8_SOFFICE", "/nonexistent/soffice")
    draft = notice(lai_chau)
    client.force_login(lai_chau.province_admin)
    response = client.get(reverse("documents:pdf", args=[draft.pk]), follow=True)
    assert "LibreOffice" in response.content.decode()
    api = client.get(
        reverse("api:document_pdf", args=[draft.pk]),
        HTTP_AUTHORIZATION=f"Bearer {token(lai_chau.province_admin)}",
    )
    assert api.status_code == 409


# API and command line ------------------------------------------------------------------------


def test_the_api_generates_issues_lists_and_downloads(lai_chau, client):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token(lai_chau.province_admin)}"}
    made = client.post(
        reverse("api:documents"),
        {"kind": "notice", "unit_id": lai_chau.province.pk, "period": "2024-H2"},
        content_type="application/json",
        **headers,
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    issued = client.post(
        reverse("api:document_issue", args=[pk]),
        {"number": 32},
        content_type="application/json",
        **headers,
    )
    assert issued.json()["number_text"] == "32/TB-BTV"
    listed = client.get(reverse("api:documents"), {"unit": lai_chau.province.pk}, **headers)
    assert [d["number_text"] for d in listed.json()["items"]] == ["32/TB-BTV"]
    file = client.get(reverse("api:document_docx", args=[pk]), **headers)
    assert "Số: 32/TB-BTV" in word.tables_of(file.content)[0][0][0]
    again = client.post(
        reverse("api:documents"),
        {"kind": "plan", "unit_id": lai_chau.province.pk, "period": "2024-H2"},
        content_type="application/json",
        **headers,
    )
    assert again.status_code == 422


def test_the_command_line_writes_a_report(lai_chau, tmp_path):
    out = tmp_path / "bao-cao.docx"
    call_command(
        "document",
        "--kind",
        "report",
        "--unit",
        "12",
        "--period",
        "2024H2",
        "--section",
        "proposals=Đề nghị tỉnh hỗ trợ giảng viên.",
        "--issue",
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    text = word.text_of(out.read_bytes())
    assert "Đề nghị tỉnh hỗ trợ giảng viên." in text
    assert OfficialDocument.objects.get().number_text == "01/BC-BTV"


def test_a_period_must_fit_the_kind_of_document(world):
    world.phase = defaults.load()
    with pytest.raises(ValidationError):
        actions.generate(world.province_admin, Kind.PLAN, world.province, period="2024-H1")
    with pytest.raises(ValidationError):
        actions.generate(world.province_admin, Kind.REPORT, world.province, period="2024-Q1")
    with pytest.raises(ValidationError):
        actions.generate(world.province_admin, Kind.DECISION, world.province)
