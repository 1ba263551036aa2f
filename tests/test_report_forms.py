"""Report forms as data: defined by administrators, filled from the one reading path for any
unit, period and tree date, previewed and downloaded as Excel, through the pages, the API and
the command line."""

from __future__ import annotations

import datetime
import importlib
import io
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from duan8.analytics import dashboard, reading
from duan8.community.models import CommunityModel
from duan8.core import versions
from duan8.framework import actions as framework_actions
from duan8.framework import defaults, periods
from duan8.reportforms import actions, fill
from duan8.reportforms.models import CellKind, FormRow, ReportForm
from tests.factories import PASSWORD, REFORM, ReformWorld, downloaded, form_fields, token

DEFAULT = "du-an-8"
CODES = ["TTCĐ", "GOI04", "SINHKE", "DCTC", "MBN", "CLB", "DTCS", "CBNU", "CT2", "CT3", "GSBDG"]


def default_form() -> ReportForm:
    return ReportForm.objects.get(builtin=DEFAULT)


def _model(kind: str, where, day: datetime.date, ended: datetime.date | None = None):
    return CommunityModel.objects.create(
        kind=kind,
        unit=where,
        name=f"{kind} {where.name} {day}",
        established_on=day,
        ended_on=ended,
        members_women=5,
    )


@pytest.fixture
def framed(world):
    """The test world with the phase-I framework, records in both districts over the years,
    and targets for the province, its districts and the nation."""
    world.phase = defaults.load()
    world.indicator = {i.code: i for i in world.phase.indicators()}
    day = datetime.date
    for year in (2021, 2022, 2023, 2024):
        _model("communication_team", world.commune, day(year, 5, 1))
        _model("leaders_club", world.sibling_commune, day(year, 6, 1))
    _model("communication_team", world.sibling_commune, day(2023, 2, 1))
    _model("communication_team", world.other_commune, day(2024, 2, 1))
    _model("trusted_address", world.commune, day(2022, 1, 1), ended=day(2024, 3, 1))
    phase = world.phase.period
    for code, unit_, value in [
        ("TTCĐ", world.province, 10),
        ("TTCĐ", world.district, 6),
        ("TTCĐ", world.sibling_district, 4),
        ("CLB", world.province, 8),
        ("CLB", world.sibling_district, 5),
        ("DTCS", world.province, 3),
    ]:
        framework_actions.set_target(world.indicator[code], unit_, phase, Decimal(value))
    year = periods.parse("2024")
    framework_actions.set_target(world.indicator["TTCĐ"], world.province, year, Decimal(3))
    framework_actions.set_target(world.indicator["TTCĐ"], world.district, year, Decimal(2))
    return world


def sheet_of(content: bytes):
    return load_workbook(io.BytesIO(content)).worksheets[0]


def table_of(sheet) -> tuple[int, list[list]]:
    """The row of the table's first header ("STT") and the sheet's rows as values."""
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r and r[0] == "STT")
    return header, rows


def number(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def download(client, user, report: ReportForm, **query) -> bytes:
    client.force_login(user)
    response = client.get(reverse("reportforms:download", args=[report.pk]), query)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return downloaded(response)


# The default form ---------------------------------------------------------------------------


def test_the_default_project_8_form_exists_after_migrate_and_loading_it_again_adds_nothing(db):
    form = default_form()
    assert form.scope is None and form.code == "01/DA8"
    assert "01/2022/TT-UBDT" in form.legal_basis and "552/QĐ-BDTTG" in form.legal_basis
    rows = list(form.rows.order_by("order"))
    assert [r.code for r in rows if r.kind == "heading"] == ["ND1", "ND2", "ND3", "ND4", "GSĐG"]
    assert [r.code for r in rows if r.kind == "indicator"][: len(CODES)] == CODES
    # Its rows are the framework's indicators by content area.
    phase = defaults.load()
    by_area = [
        (area.code, [i.code for i in area.indicators.order_by("order")])
        for area in phase.content_areas.all()
    ]
    shipped, area = [], None
    for row in rows:
        if row.kind == "heading":
            area = (row.code, [])
            shipped.append(area)
        else:
            area[1].append(row.code)
    assert shipped == by_area
    migration = importlib.import_module("duan8.reportforms.migrations.0002_default_form")
    migration.load(apps, None)
    assert ReportForm.objects.filter(builtin=DEFAULT).count() == 1
    assert form.rows.count() == len(rows)


# Filled from the reading path ----------------------------------------------------------------


def test_the_default_form_filled_for_a_province_gives_the_dashboards_numbers_cell_by_cell(
    client, framed
):
    w = framed
    content = download(client, w.province_admin, default_form(), unit=w.province.pk, period="2024")
    sheet = sheet_of(content)
    header, rows = table_of(sheet)
    texts = [r[0] for r in rows[:header] if r[0]]
    assert "TỔNG HỢP KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU DỰ ÁN 8" in texts
    assert any("01/2022/TT-UBDT" in t for t in texts)
    assert "Đơn vị báo cáo: Tỉnh Lai Châu" in texts
    assert "Kỳ báo cáo: Năm 2024 (2024)" in texts
    assert "Số liệu theo đơn vị hành chính ngày 31/12/2024" in texts
    # Headers: each unit's name merged over its four cells, what each cell shows below.
    units = [w.province, w.sibling_district, w.district]  # the province, then by code
    top = rows[header]
    assert top[:3] == ["STT", "Chỉ tiêu", "Đơn vị tính"]
    assert [top[3 + 4 * i] for i in range(3)] == [u.name for u in units]
    assert rows[header + 1][3:7] == [
        "Kết quả thực hiện trong kỳ",
        "Lũy kế từ đầu giai đoạn",
        "Chỉ tiêu giai đoạn",
        "Tỷ lệ so với chỉ tiêu giai đoạn (%)",
    ]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert f"D{header + 1}:G{header + 1}" in merged and f"A{header + 1}:A{header + 2}" in merged
    # Every indicator row, every unit: the numbers the dashboard and the reading path read.
    board = dashboard.build(w.province, w.phase, periods.parse("2024"))
    year, to_date = periods.parse("2024"), periods.parse("2021-2024")
    indicators = list(w.phase.indicators())
    in_year = reading.read_many(indicators, units[1:], year)
    so_far = reading.read_many(indicators, units[1:], to_date, datetime.date(2024, 12, 31))
    found = {r[1]: r for r in rows[header + 2 :] if r[1]}
    checked = 0
    for row in board.rows:
        line = found[row.indicator.name]
        assert line[2] == (row.unit_of_measure and _raw_unit(row.indicator))
        assert [number(v) for v in line[3:7]] == [
            row.period.value,
            row.to_date.value,
            row.phase_target,
            row.phase_percent,
        ], row.indicator.code
        for index, child in enumerate(units[1:], start=1):
            phase_target = reading.target_values(
                row.indicator, w.phase.period, datetime.date(2024, 12, 31)
            ).get(child.pk)
            expected = [
                in_year[(row.indicator.pk, child.pk)].value,
                so_far[(row.indicator.pk, child.pk)].value,
                phase_target,
                dashboard.percent(so_far[(row.indicator.pk, child.pk)].value, phase_target),
            ]
            assert [number(v) for v in line[3 + 4 * index : 7 + 4 * index]] == expected
            checked += 1
    assert checked == 2 * len(board.rows)
    # Not copied from the output: the records above give these.
    teams = found[w.indicator["TTCĐ"].name]
    # Teams are counted as maintained at the period's end: six of the province's ten.
    assert teams[3:7] == [6, 6, 10, 60]
    assert teams[11:15] == [5, 5, 6, pytest.approx(83.3)]  # Phong Thổ: five of six
    # Numbers are numbers, with Vietnamese-style number formats; headings are text rows.
    cell = sheet.cell(row=header + 3 + 1, column=4)
    assert isinstance(cell.value, int) and cell.number_format == "#,##0"
    percent_cell = next(
        sheet.cell(row=r, column=7)
        for r in range(header + 3, sheet.max_row + 1)
        if sheet.cell(row=r, column=7).value is not None
    )
    assert percent_cell.number_format == "#,##0.0"
    assert rows[header + 2][0] == "I" and rows[header + 2][3:] == [None] * 12


def _raw_unit(indicator) -> str:
    return indicator.version_on(datetime.date(2024, 1, 1)).unit_of_measure


def test_the_preview_shows_the_same_numbers_as_the_download(client, framed):
    w = framed
    client.force_login(w.district_approver)
    page = client.get(
        reverse("reportforms:fill", args=[default_form().pk]),
        {"unit": w.district.pk, "period": "2024"},
    )
    assert page.status_code == 200
    filled = page.context["filled"]
    assert [c.unit for c in filled.columns] == [w.district, w.commune]
    body = page.content.decode()
    assert "Huyện Phong Thổ" in body and "Xã Mồ Sì San" in body
    content = download(
        client, w.district_approver, default_form(), unit=w.district.pk, period="2024"
    )
    header, rows = table_of(sheet_of(content))
    teams = next(r for r in rows if r[1] == w.indicator["TTCĐ"].name)
    line = next(line for line in filled.lines if line.code == "TTCĐ")
    assert [number(v) for v in teams[3:]] == [v for cells in line.cells for v in cells]
    assert "83,3" in body  # 5 of 6 teams, the Vietnamese way


def test_a_viewer_fills_the_form_only_with_the_units_she_views(client, framed):
    w = framed
    client.force_login(w.sibling_viewer)
    page = client.get(
        reverse("reportforms:fill", args=[default_form().pk]),
        {"unit": w.province.pk, "period": "2024"},
    )
    assert page.status_code == 404  # the province is not in her view
    page = client.get(
        reverse("reportforms:fill", args=[default_form().pk]),
        {"unit": w.sibling_district.pk, "period": "2024"},
    )
    assert [c.unit for c in page.context["filled"].columns] == [
        w.sibling_district,
        w.sibling_commune,
    ]


def test_columns_as_periods_give_the_trend_of_the_dashboard(client, framed, api_client):
    w = framed
    api = api_client(token(w.national_admin))
    body = {
        "title": "Xu hướng theo năm",
        "columns": "periods",
        "cells": ["value", "to_date", "phase_percent"],
        "rows": [{"kind": "indicator", "code": "TTCĐ"}, {"kind": "indicator", "code": "CLB"}],
        "period_columns": [{"period": str(y)} for y in (2021, 2022, 2023, 2024)],
    }
    raw = client.post(
        "/api/v1/report-forms",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token(w.national_admin)}",
    )
    assert raw.status_code == 201, raw.content
    form_id = raw.json()["id"]
    filled = api.get(
        f"/api/v1/report-forms/{form_id}/fill", unit=w.province.pk, period="2024"
    ).json()
    assert filled["on"] == "2024-12-31" and filled["period"] == "2024"
    assert [c["header"] for c in filled["columns"]] == [
        periods.parse(str(y)).label for y in (2021, 2022, 2023, 2024)
    ]
    board = dashboard.build(w.province, w.phase, periods.parse("2024"))
    trend = {indicator.code: values for indicator, values in board.trend.series}
    for row in filled["rows"]:
        shares = [values[2] for values in row["values"]]
        assert [None if s is None else Decimal(str(s)) for s in shares] == trend[row["code"]]
        results = [values[0] for values in row["values"]]
        yearly = [
            reading.read(w.indicator[row["code"]], w.province, periods.parse(str(y))).value
            for y in (2021, 2022, 2023, 2024)
        ]
        assert results == [int(v) for v in yearly]
    # Teams maintained at the end of each year, from the records above.
    assert [v[0] for v in filled["rows"][0]["values"]] == [1, 3, 5, 6]


def test_a_form_read_on_the_tree_of_2024_and_of_1_7_2025_lists_that_days_units(db):
    w = ReformWorld()
    day = datetime.date
    _model("communication_team", w.mu_sang, day(2024, 3, 1))
    _model("communication_team", w.ma_ly_pho, day(2024, 4, 1))
    _model("communication_team", w.ma_ly_pho, day(2024, 5, 1))
    report = ReportForm(title="Tổ truyền thông", cells=["value"], with_total=True)
    actions.save(report, rows=[{"kind": "indicator", "code": "TTCĐ"}])
    year = periods.parse("2024")

    old = fill.fill(report, w.old_lai_chau, year)
    assert old.day == day(2024, 12, 31)
    assert [c.unit for c in old.columns] == [w.old_lai_chau, w.phong_tho]
    assert [c[0] for c in old.lines[0].cells] == [3, 3]

    new = fill.fill(report, w.lai_chau, year, REFORM)
    assert new.day == REFORM
    assert [c.unit for c in new.columns] == [
        w.lai_chau,
        w.dao_san,
        w.khong_lao,
        w.phong_tho_commune,
    ]
    values = [c[0] for c in new.lines[0].cells]
    expected = [
        reading.read(w.teams, u, year, REFORM).value
        for u in (w.lai_chau, w.dao_san, w.khong_lao, w.phong_tho_commune)
    ]
    assert values == expected == [3, 1, Decimal("1.2"), Decimal("0.8")]

    # The nation on each day's tree: the former province, then today's.
    assert [c.unit for c in fill.fill(report, w.nation, year).columns] == [w.nation, w.old_lai_chau]
    assert [c.unit for c in fill.fill(report, w.nation, year, REFORM).columns] == [
        w.nation,
        w.lai_chau,
    ]


def test_a_part_of_a_measure_and_a_subtotal(framed):
    w = framed
    report = ReportForm(title="Mô hình", cells=["value", "target", "percent"], with_total=False)
    actions.save(
        report,
        rows=[
            {"kind": "heading", "label": "Mô hình cộng đồng"},
            {"kind": "indicator", "code": "TTCĐ"},
            {
                "kind": "indicator",
                "code": "TTCĐ",
                "part": "community.communication_team.established",
                "label": "Tổ truyền thông thành lập mới trong kỳ",
            },
            {"kind": "indicator", "code": "CLB"},
            {"kind": "subtotal", "label": "Cộng"},
        ],
    )
    filled = fill.fill(report, w.province, periods.parse("2021-2025"))
    lines = {line.label: line for line in filled.lines}
    district = [c.unit for c in filled.columns].index(w.district)
    maintained = lines[w.indicator["TTCĐ"].name].cells[district]
    established = lines["Tổ truyền thông thành lập mới trong kỳ"].cells[district]
    assert maintained == [Decimal(5), Decimal(6), Decimal("83.3")]
    assert (
        established[0]
        == reading.measure_values(
            ["community.communication_team.established"],
            w.district,
            periods.parse("2021-2025"),
            datetime.date(2025, 12, 31),
        )["community.communication_team.established"]
    )
    assert established[1:] == [None, None]
    subtotal = lines["Cộng"].cells[district]
    clubs = lines[w.indicator["CLB"].name].cells[district]
    assert subtotal[0] == maintained[0] + established[0] + (clubs[0] or 0)
    assert subtotal[1] == 6  # only the teams have a target in Phong Thổ
    assert subtotal[2] == Decimal("83.3")  # over the rows that have a target
    assert [line.number for line in filled.lines] == ["I", "1", "2", "3", ""]


def test_a_row_that_names_no_indicator_or_a_part_of_other_records_is_refused(framed):
    from django.core.exceptions import ValidationError

    report = ReportForm(title="Sai", cells=["value"])
    with pytest.raises(ValidationError) as refused:
        actions.save(report, rows=[{"kind": "indicator", "code": "KHONGCO"}])
    assert "rows" in refused.value.message_dict
    assert not ReportForm.objects.filter(title="Sai").exists()
    with pytest.raises(ValidationError):
        actions.save(
            ReportForm(title="Sai", cells=["value"]),
            rows=[
                {"kind": "indicator", "code": "DTCS", "part": "community.leaders_club.established"}
            ],
        )
    with pytest.raises(ValidationError):
        actions.save(ReportForm(title="Sai", cells=["value"], period="2024-H3"))
    assert not ReportForm.objects.filter(title="Sai").exists()


# Who defines, who fills ---------------------------------------------------------------------


@pytest.fixture
def son_la_form(framed):
    w = framed
    report = ReportForm(scope=w.other_province, title="Biểu riêng của Sơn La", cells=["value"])
    return actions.save(report, rows=[{"kind": "indicator", "code": "TTCĐ"}])


@pytest.fixture
def lai_chau_form(framed):
    w = framed
    report = ReportForm(scope=w.province, title="Biểu riêng của Lai Châu", cells=["value"])
    return actions.save(report, rows=[{"kind": "indicator", "code": "TTCĐ"}])


def test_a_province_administrator_edits_her_provinces_forms_not_the_nations_nor_anothers(
    client, framed, son_la_form, lai_chau_form
):
    w = framed
    client.force_login(w.province_admin)
    edit = lambda form: reverse("reportforms:edit", args=[form.pk])  # noqa: E731
    assert client.get(edit(default_form())).status_code == 403
    assert client.get(edit(son_la_form)).status_code == 404
    assert client.get(edit(lai_chau_form)).status_code == 200
    # She reads and fills the nation's form and her province's, not Sơn La's.
    listed = client.get(reverse("reportforms:list")).context["rows"]
    assert {f.pk for f in listed} >= {default_form().pk, lai_chau_form.pk}
    assert son_la_form.pk not in {f.pk for f in listed}
    assert client.get(reverse("reportforms:fill", args=[son_la_form.pk])).status_code == 404
    # The API says the same.
    api = {"HTTP_AUTHORIZATION": f"Bearer {token(w.province_admin)}"}
    patch = lambda form: client.patch(  # noqa: E731
        f"/api/v1/report-forms/{form.pk}",
        json.dumps({"version": versions.of(form), "title": "Đổi"}),
        content_type="application/json",
        **api,
    )
    assert patch(default_form()).status_code == 403
    assert patch(son_la_form).status_code == 404
    assert patch(lai_chau_form).status_code == 200
    create = client.post(
        "/api/v1/report-forms",
        json.dumps({"title": "Toàn quốc?", "cells": ["value"]}),
        content_type="application/json",
        **api,
    )
    assert create.status_code == 403  # the nation's forms are the national administrators'
    # Nobody changes a form through the audit-free path: every save is in the audit trail.
    from duan8.core.models import AuditEvent

    assert AuditEvent.objects.for_object(lai_chau_form).filter(actor=w.province_admin).exists()


def test_an_administrator_defines_a_form_on_the_page_and_fills_it(client, framed):
    w = framed
    client.force_login(w.province_admin)
    page = client.get(reverse("reportforms:create"))
    assert page.status_code == 200
    data = form_fields(page)
    data.update(
        {
            "scope": str(w.province.pk),
            "code": "02/LC",
            "title": "Biểu của tỉnh",
            "legal_basis": "Kế hoạch 71/KH-BTV ngày 17/8/2022",
            "period": "2024-h2",
            "columns": "units",
            "with_total": "on",
            "cells": ["value", "phase_percent"],
            "rows-0-kind": "heading",
            "rows-0-code": "ND1",
            "rows-1-kind": "indicator",
            "rows-1-code": "TTCĐ",
            "rows-2-kind": "indicator",
            "rows-2-code": "CLB",
        }
    )
    response = client.post(reverse("reportforms:create"), data)
    assert response.status_code == 302, _errors(response)
    report = ReportForm.objects.get(code="02/LC")
    assert report.scope == w.province and report.period == "2024-H2"
    assert report.cells == ["value", "phase_percent"]
    assert [(r.kind, r.code) for r in report.rows.order_by("order")] == [
        ("heading", "ND1"),
        ("indicator", "TTCĐ"),
        ("indicator", "CLB"),
    ]
    page = client.get(response["Location"])
    filled = page.context["filled"]
    assert filled.period.code == "2024-H2" and filled.unit == w.province
    assert filled.lines[0].label == w.phase.content_areas.get(code="ND1").name
    # Someone else's nation-wide form is refused to her.
    data["scope"] = ""
    data["code"] = "03/LC"
    assert client.post(reverse("reportforms:create"), data).status_code == 403


def _errors(response) -> str:
    context = getattr(response, "context", None) or {}
    found = []
    for name in ("form", "rows", "columns"):
        item = context.get(name)
        if item is not None:
            found.append(f"{name}: {getattr(item, 'errors', '')}")
    return "; ".join(found)


def test_a_stale_edit_of_a_form_is_refused_and_shows_who_saved_meanwhile(client, framed):
    w = framed
    client.force_login(w.national_admin)
    url = reverse("reportforms:edit", args=[default_form().pk])
    opened = form_fields(client.get(url))
    rows_before = list(default_form().rows.values_list("code", flat=True))
    # Meanwhile another administrator removes a row through the API.
    other = w.national_admin.__class__.objects.create(
        username="tw.khac", full_name="Quản trị khác", is_national_admin=True
    )
    other.set_password(PASSWORD)
    other.save()
    changed = client.patch(
        f"/api/v1/report-forms/{default_form().pk}",
        json.dumps(
            {
                "version": versions.of(default_form()),
                "rows": [
                    {"kind": r.kind, "code": r.code}
                    for r in default_form().rows.order_by("order")
                    if r.code != "MBN"
                ],
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token(other)}",
    )
    assert changed.status_code == 200
    # The first administrator saves the title she typed over the version she opened.
    opened["title"] = "Tiêu đề mới"
    refused = client.post(url, opened)
    assert refused.status_code == 422
    assert "tw.khac" in refused.content.decode()
    assert default_form().title != "Tiêu đề mới"
    assert "MBN" not in default_form().rows.values_list("code", flat=True)
    assert len(rows_before) == default_form().rows.count() + 1
    # The API: 428 without a version, 409 over an older one.
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token(w.national_admin)}"}
    url_api = f"/api/v1/report-forms/{default_form().pk}"
    body = lambda **kw: json.dumps({"title": "API", **kw})  # noqa: E731
    assert (
        client.patch(url_api, body(), content_type="application/json", **headers).status_code == 428
    )
    stale = client.patch(
        url_api, body(version=int(opened["version"])), content_type="application/json", **headers
    )
    assert stale.status_code == 409 and stale.json()["version"] == versions.of(default_form())


def test_the_api_lists_reads_and_fills_forms(framed, api_client):
    w = framed
    api = api_client(token(w.commune_editor))
    listed = api.get("/api/v1/report-forms").json()["items"]
    assert any(item["id"] == default_form().pk for item in listed)
    found = api.get(f"/api/v1/report-forms/{default_form().pk}").json()
    assert found["scope_id"] is None and found["cells"] == [
        "value",
        "to_date",
        "phase_target",
        "phase_percent",
    ]
    assert [r["code"] for r in found["rows"] if r["kind"] == "indicator"][:2] == ["TTCĐ", "GOI04"]
    filled = api.get(
        f"/api/v1/report-forms/{default_form().pk}/fill", unit=w.commune.pk, period="2024"
    ).json()
    assert [c["unit_id"] for c in filled["columns"]] == [w.commune.pk, w.village.pk]
    teams = next(r for r in filled["rows"] if r["code"] == "TTCĐ")
    assert teams["values"][0][:2] == [
        int(reading.read(w.indicator["TTCĐ"], w.commune, periods.parse("2024")).value),
        int(reading.read(w.indicator["TTCĐ"], w.commune, periods.parse("2021-2024")).value),
    ]
    sheet = api.get(
        f"/api/v1/report-forms/{default_form().pk}/fill.xlsx", unit=w.commune.pk, period="2024"
    )
    assert sheet.status_code == 200
    header, rows = table_of(sheet_of(sheet.content))
    assert rows[header][3] == "Xã Mồ Sì San"
    outside = api.get(
        f"/api/v1/report-forms/{default_form().pk}/fill", unit=w.other_commune.pk, period="2024"
    )
    assert outside.status_code == 404
    # A span of thousands of years is a typing mistake, not years to read one by one.
    far = api.get(
        f"/api/v1/report-forms/{default_form().pk}/fill", unit=w.commune.pk, period="1001-9998"
    )
    assert far.status_code == 422


def test_the_command_line_fills_a_form_into_a_file(framed, tmp_path):
    w = framed
    out = tmp_path / "bieu.xlsx"
    call_command(
        "fill-form",
        "--form",
        "01/DA8",
        "--unit",
        "province:12",
        "--period",
        "2024",
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    header, rows = table_of(sheet_of(out.read_bytes()))
    teams = next(r for r in rows if r[1] == w.indicator["TTCĐ"].name)
    assert teams[3:7] == [6, 6, 10, 60]
    as_json = tmp_path / "bieu.json"
    call_command(
        "fill-form",
        "--form",
        str(default_form().pk),
        "--unit",
        f"id:{w.district.pk}",
        "--period",
        "2021-2025",
        "--on",
        "01/07/2025",
        "--out",
        str(as_json),
        stdout=io.StringIO(),
    )
    filled = json.loads(as_json.read_text())
    assert filled["on"] == "2025-07-01" and filled["unit_name"] == "Huyện Phong Thổ"


def test_the_units_below_are_read_on_the_tree_date_of_the_world_after_the_reform(framed):
    """A commune merged at the reform: the province's form read on 1/7/2025 names the new
    commune and carries the old commune's teams to it."""
    from tests.factories import successor_commune

    w = framed
    new = successor_commune(w)
    report = default_form()
    phase = periods.parse("2021-2025")
    before = fill.fill(report, w.district, phase, datetime.date(2025, 6, 30))
    after = fill.fill(report, w.province, phase, REFORM)
    assert [c.unit for c in before.columns] == [w.district, w.commune]
    assert new in [c.unit for c in after.columns]
    teams = next(line for line in after.lines if line.code == "TTCĐ")
    index = [c.unit for c in after.columns].index(new)
    assert teams.cells[index][0] == reading.read(w.indicator["TTCĐ"], new, phase, REFORM).value
    assert teams.cells[index][0] == 5  # the five teams of Mồ Sì San and its village


def test_a_form_may_not_be_defined_for_a_district(framed):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.save(ReportForm(scope=framed.district, title="Huyện", cells=["value"]))


def test_a_cell_kind_chosen_twice_is_shown_once(framed):
    report = actions.save(ReportForm(title="Thứ tự", cells=["percent", "value", "value"]))
    assert report.cells == ["percent", "value"]
    assert set(CellKind.values) >= set(report.cells)
    assert FormRow.objects.filter(report=report).count() == 0
