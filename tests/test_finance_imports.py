"""Budget lines and disbursements from Excel and back, through the shared importer: the whole
file checked, nothing partial, every bad row with its row, column and reason, the marked file;
an export imports back without storing anything twice."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from duan8.core import sheets
from duan8.finance import actions, imports, summary
from duan8.finance.models import BudgetLine, Disbursement, FundSource
from tests.factories import downloaded, unit, xlsx

D = datetime.date
M = 1_000_000
SPEND = ["Mã dòng kinh phí", "Ngày chi", "Số tiền (đồng)", "Số chứng từ"]
LINES = [
    "Đơn vị",
    "Năm ngân sách",
    "Nguồn vốn",
    "Số tiền được giao (đồng)",
    "Số quyết định",
    "Ngày quyết định",
]


def line(unit, amount, *, year=2024, source=FundSource.CENTRAL, **extra) -> BudgetLine:
    return actions.save_line(
        BudgetLine(unit=unit, fiscal_year=year, source=source, original_amount=amount, **extra)
    )


def spend(line, amount, day, voucher="PC-01") -> Disbursement:
    return actions.record_disbursement(
        Disbursement(line=line, date=day, amount=amount, voucher=voucher)
    )


def post(client, world, what: str, file, user=None, **extra):
    client.force_login(user or world.province_admin)
    return client.post(
        reverse(f"finance:{what}_import", args=[world.province.pk]) + "?year=2024",
        {"file": file, "year": "2024", **extra},
    )


def test_a_missing_line_a_date_outside_the_year_and_too_much_money_store_nothing(client, world):
    """The acceptance of issue 12: exactly those three rows are reported."""
    first = line(world.commune, 100 * M, decision_number="12/QĐ-UBND")
    spend(first, 30 * M, D(2024, 3, 1), "PC-00")
    file = xlsx(
        [
            SPEND,
            [first.pk, "15/04/2024", "10.000.000", "PC-01"],  # fine
            [999_999, "15/04/2024", "1.000.000", "PC-02"],  # no such line
            [first.pk, "15/01/2025", "1.000.000", "PC-03"],  # outside 2024
            [first.pk, "20/04/2024", "50.000.000", "PC-04"],  # fine: 90 of 100 used
            [first.pk, "25/04/2024", "20.000.000", "PC-05"],  # goes over: 10 left
        ]
    )
    page = post(client, world, "disbursements", file)
    assert page.status_code == 422
    errors = page.context["errors"]
    assert [(e.row, e.column) for e in errors] == [
        (3, "Mã dòng kinh phí"),
        (4, "Ngày chi"),
        (6, "Số tiền (đồng)"),
    ]
    assert "999999" in errors[0].message
    assert "01/01/2024" in errors[1].message and "31/12/2024" in errors[1].message
    # The rows before it on the line (row 4 included: its money is meant to be spent too).
    assert "9.000.000" in errors[2].message and "9,00" in errors[2].message
    assert "2, 4, 5" in errors[2].message
    assert Disbursement.objects.count() == 1  # nothing stored
    with pytest.raises(sheets.ImportRefused) as caught:
        imports.import_disbursements(file, world.province)
    assert [e.row for e in caught.value.errors] == [3, 4, 6]


def test_a_good_file_stores_everything_and_the_rate_changes(client, world):
    first = line(world.commune, 100 * M, decision_number="12/QĐ-UBND")
    before = summary.rates(world.province, 2024, D(2024, 12, 31))
    assert before.total.disbursed == 0
    file = xlsx(
        [
            ["Đơn vị", "Năm", "Nguồn", "Số quyết định", "Ngày", "Số tiền", "Chứng từ"],
            ["Xã Mồ Sì San", 2024, "NSTW", "12/QĐ-UBND", "15/04/2024", "25.000.000", "PC-1"],
            [
                "mo si san, h. phong tho",
                2024,
                "Trung ương",
                "12/qđ-ubnd",
                D(2024, 5, 2),
                5e6,
                "PC-2",
            ],
            ["03553", "2024", "central", "12/QĐ-UBND", "03/05/2024", 1000, "PC-3"],
        ]
    )
    response = post(client, world, "disbursements", file)
    assert response.status_code == 302, response.context and response.context["errors"]
    stored = list(Disbursement.objects.order_by("voucher").values_list("voucher", "amount"))
    assert stored == [("PC-1", 25 * M), ("PC-2", 5 * M), ("PC-3", 1000)]
    assert all(d.line_id == first.pk for d in Disbursement.objects.all())
    page = client.get(reverse("finance:unit", args=[world.province.pk]), {"year": "2024"})
    rates = summary.rates(world.province, 2024, D(2024, 12, 31))
    assert rates.total.disbursed == 30_001_000 and rates.total.rate_text == "30,00%"
    assert page.context["rates"].total.disbursed == 30_001_000


def test_budget_lines_import_with_diacritics_and_a_district_after_a_comma(client, world):
    unit("commune", "Xã Pa Tần", world.district)  # a namesake in Phong Thổ
    file = xlsx(
        [
            LINES,
            ["Xã Mồ Sì San", 2024, "Ngân sách trung ương", "1.234.567", "12/QĐ-UBND", "11/12/2023"],
            ["Xã Pa Tần, Huyện Sìn Hồ", 2024, "NSĐP", 2_000_000, "", ""],
            ["Huyện Phong Thổ", 2024, "Chuyển nguồn", "3.000.000", "", ""],
        ]
    )
    response = post(client, world, "lines", file)
    assert response.status_code == 302, response.context and response.context["errors"]
    stored = {
        (x.unit_id, x.source, x.original_amount, x.level)
        for x in BudgetLine.objects.filter(fiscal_year=2024)
    }
    assert stored == {
        (world.commune.pk, "central", 1_234_567, "commune"),
        (world.sibling_commune.pk, "local", 2_000_000, "commune"),
        (world.district.pk, "carried", 3_000_000, "district"),
    }
    decided = BudgetLine.objects.get(unit=world.commune)
    assert decided.decision_date == D(2023, 12, 11)
    table = summary.table(world.province, 2024)
    assert table.total.total.dong == 1_234_567 + 2_000_000 + 3_000_000


def test_an_ambiguous_name_and_bad_amounts_are_reported_row_by_row(world):
    unit("commune", "Xã Pa Tần", world.district)
    file = xlsx(
        [
            LINES,
            ["Xã Pa Tần", 2024, "NSTW", "1.000.000", "", ""],
            ["Xã Mồ Sì San", 2024, "Ngân hàng", "1.5", "", "31/02/2024"],
            ["Xã Mồ Sì San", 2024, "NSTW", "-5", "", ""],
        ]
    )
    with pytest.raises(sheets.ImportRefused) as caught:
        imports.import_lines(file, world.province)
    found = {(e.row, e.column) for e in caught.value.errors}
    assert found == {
        (2, "Đơn vị"),
        (3, "Nguồn vốn"),
        (3, "Số tiền được giao (đồng)"),
        (3, "Ngày quyết định"),
        (4, "Số tiền được giao (đồng)"),
    }
    assert not BudgetLine.objects.exists()


def _export(client, world, what: str) -> bytes:
    response = client.get(
        reverse(f"finance:{what}_export", args=[world.province.pk]), {"year": "2024"}
    )
    assert response.status_code == 200
    return downloaded(response)


def test_an_export_imports_back_and_changes_nothing(client, world):
    first = line(world.commune, 100 * M, decision_number='=HYPERLINK("x")')
    line(world.district, 50 * M, source=FundSource.CARRIED)
    spend(first, 10 * M, D(2024, 3, 1), "PC-01")
    spend(first, 5 * M, D(2024, 4, 1), "PC-02")
    client.force_login(world.province_admin)
    lines_file, spent_file = (
        _export(client, world, "lines"),
        _export(client, world, "disbursements"),
    )
    sheet = load_workbook(io.BytesIO(spent_file)).active
    assert [c.value for c in sheet[1]][: len(imports.DISBURSEMENT_HEADERS)] == (
        imports.DISBURSEMENT_HEADERS
    )
    assert sheet.max_row == 3
    lines_sheet = load_workbook(io.BytesIO(lines_file)).active
    cells = [c for row in lines_sheet.iter_rows(min_row=2) for c in row]
    decision = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert decision.data_type == "s" and decision.quotePrefix
    counts = (BudgetLine.objects.count(), Disbursement.objects.count())
    for what, content in (("lines", lines_file), ("disbursements", spent_file)):
        response = post(client, world, what, SimpleUploadedFile(f"{what}.xlsx", content))
        assert response.status_code == 302, response.context and response.context["errors"]
    assert (BudgetLine.objects.count(), Disbursement.objects.count()) == counts
    # Without the ids, the same line, voucher and date is still the same disbursement.
    rows = [r[1:] for r in load_workbook(io.BytesIO(spent_file)).active.iter_rows(values_only=True)]
    again = xlsx([list(r) for r in rows])
    assert len(imports.import_disbursements(again, world.province)) == 0
    assert Disbursement.objects.count() == 2


def test_the_refused_file_comes_back_marked(client, world):
    first = line(world.commune, 10 * M)
    file = xlsx(
        [
            SPEND,
            [first.pk, "15/04/2024", "9.000.000", "PC-1"],
            [first.pk, "16/04/2024", "2.000.000", "PC-2"],
        ]
    )
    page = post(client, world, "disbursements", file)
    url = page.context["annotated_url"]
    sheet = load_workbook(io.BytesIO(downloaded(client.get(url)))).active
    assert sheet["C3"].comment is not None and "1.000.000" in sheet["C3"].comment.text
    assert sheet["C2"].comment is None
    assert not Disbursement.objects.exists()


def test_a_viewer_may_export_but_not_import(client, world):
    from duan8.accounts.models import Role
    from tests.factories import user

    viewer = user("tinh.xem", role=Role.VIEWER, on=world.province)
    line(world.commune, 10 * M)
    client.force_login(viewer)
    url = reverse("finance:disbursements_import", args=[world.province.pk])
    assert client.get(url).status_code in (403, 404)
    refused = client.post(url, {"file": xlsx([SPEND, [1, "15/04/2024", 1, "PC"]])})
    assert refused.status_code in (403, 404)
    assert not Disbursement.objects.exists()
    assert _export(client, world, "lines")
    page = client.get(reverse("finance:unit", args=[world.province.pk]), {"year": "2024"})
    assert b"import-disbursements" not in page.content
    assert reverse("finance:lines_export", args=[world.province.pk]).encode() in page.content


def test_a_formula_cell_is_refused_and_a_name_starting_with_equals_is_text(world):
    first = line(world.commune, 10 * M)
    book = Workbook()
    book.active.append(SPEND)
    book.active.append([first.pk, "15/04/2024", "=1000*2", "PC-1"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    with pytest.raises(sheets.ImportRefused) as caught:
        imports.import_disbursements(out, world.province)
    (error,) = caught.value.errors
    assert (error.row, error.column) == (2, "Số tiền (đồng)") and "=1000*2" in error.message
    text = xlsx([SPEND, [first.pk, "15/04/2024", "1.000", "=PC-1"]])
    imports.import_disbursements(text, world.province)
    assert Disbursement.objects.get().voucher == "=PC-1"


def test_the_templates_offer_units_and_sources_and_say_how_to_fill_them(client, world):
    client.force_login(world.province_admin)
    for what, columns in (
        ("lines", imports.LINE_COLUMNS),
        ("disbursements", imports.DISBURSEMENT_COLUMNS),
    ):
        response = client.get(reverse(f"finance:{what}_template", args=[world.province.pk]))
        book = load_workbook(io.BytesIO(response.content))
        data, guide, lists = book.worksheets
        assert [c.value for c in data[1]] == [c.header for c in columns]
        validations = data.data_validations.dataValidation
        assert len(validations) == 2
        listed = [c.value for c in next(lists.iter_cols(min_col=1, max_col=1))]
        assert "Xã Mồ Sì San" in listed and "Huyện Phong Thổ" in listed
        assert any("1.234.567" in str(c.value) for c in guide["C"])


def test_large_files_and_exports_run_as_jobs_and_the_api_takes_the_finance_kinds(
    client, world, monkeypatch
):
    from duan8.core import jobs
    from duan8.core.models import Job
    from tests.factories import run_jobs, token

    monkeypatch.setattr(jobs, "ROWS", 2)
    first = line(world.commune, 100 * M)
    rows = [[first.pk, f"0{i}/04/2024", "1.000.000", f"PC-{i}"] for i in range(1, 5)]
    response = post(client, world, "disbursements", xlsx([SPEND, *rows]))
    assert response.status_code == 302 and "/jobs/" in response.url
    run_jobs()
    job = Job.objects.get()
    assert job.state == "done" and job.result["created"] == 4
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token(world.province_admin)}"}
    answer = client.post(
        reverse("api:import_create"),
        {
            "what": "budget_lines",
            "unit_id": world.province.pk,
            "file": xlsx([LINES, ["Xã Mồ Sì San", 2024, "NSĐP", "5.000.000", "", ""]]),
        },
        **bearer,
    )
    assert answer.status_code == 202, answer.content
    exported = client.post(
        reverse("api:export_create"),
        {"what": "disbursements", "unit_id": world.province.pk, "year": 2024},
        content_type="application/json",
        **bearer,
    )
    assert exported.status_code == 202, exported.content
    run_jobs()
    imported = client.get(answer.json()["url"], **bearer).json()
    assert imported["state"] == "done" and imported["result"]["created"] == 1
    polled = client.get(exported.json()["url"], **bearer).json()
    assert polled["state"] == "done" and polled["result"]["rows"] == 4


def test_an_edited_lines_export_updates_the_revised_amount_when_asked(client, world):
    first = line(world.commune, 100 * M, decision_number="12/QĐ-UBND")
    spend(first, 60 * M, D(2024, 3, 1))
    client.force_login(world.province_admin)
    book = load_workbook(io.BytesIO(_export(client, world, "lines")))
    sheet = book.active
    column = [c.value for c in sheet[1]].index("Số tiền điều chỉnh (đồng)") + 1
    sheet.cell(row=2, column=column, value="50.000.000")  # less than already disbursed
    out = io.BytesIO()
    book.save(out)
    refused = post(
        client, world, "lines", SimpleUploadedFile("l.xlsx", out.getvalue()), existing="update"
    )
    (error,) = refused.context["errors"]
    assert error.column == "Số tiền điều chỉnh (đồng)" and "60.000.000" in error.message
    sheet.cell(row=2, column=column, value="80.000.000")
    out = io.BytesIO()
    book.save(out)
    skipped = post(client, world, "lines", SimpleUploadedFile("l.xlsx", out.getvalue()))
    assert skipped.status_code == 302
    first.refresh_from_db()
    assert first.revised_amount is None  # skipped by default
    post(client, world, "lines", SimpleUploadedFile("l.xlsx", out.getvalue()), existing="update")
    first.refresh_from_db()
    assert first.revised_amount == 80 * M and BudgetLine.objects.count() == 1
