"""Targets cut down the tree, with the sum checks officers used to do by hand."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from duan8.accounts.models import Role
from duan8.core import sheets
from duan8.core.models import AuditEvent
from duan8.framework import actions, allocation, defaults, periods
from duan8.framework.models import IndicatorVersion, Target
from tests.factories import REFORM, downloaded, token, unit, xlsx

H2_2024 = periods.parse("2024-H2")
Y2026 = periods.parse("2026")


@pytest.fixture
def phase(world):
    return defaults.load()


@pytest.fixture
def teams(phase):
    return phase.indicators().get(code="TTCĐ")


def province_target(world, indicator, value, period=H2_2024):
    return actions.set_target(indicator, world.province, period, Decimal(value))


def test_the_remainder_is_the_target_less_what_is_kept_and_allocated(world, phase, teams):
    province_target(world, teams, 79)
    result = allocation.save(
        world.province,
        phase,
        H2_2024,
        {
            (world.district.pk, teams.pk): Decimal(24),
            (world.sibling_district.pk, teams.pk): Decimal(50),
        },
        kept={teams.pk: Decimal(2)},
    )
    column = next(c for c in result.columns if c.indicator == teams)
    assert (column.total, column.kept, column.allocated, column.remainder) == (79, 2, 74, 3)
    assert not column.over and not result.fully_allocated


def test_an_over_allocation_is_refused_without_a_reason(world, phase, teams):
    province_target(world, teams, 10)
    cells = {
        (world.district.pk, teams.pk): Decimal(8),
        (world.sibling_district.pk, teams.pk): Decimal(5),
    }
    with pytest.raises(allocation.OverAllocation) as refused:
        allocation.save(world.province, phase, H2_2024, cells)
    assert [c.indicator.code for c in refused.value.columns] == ["TTCĐ"]
    assert not Target.objects.filter(unit=world.district).exists()  # nothing half-stored


def test_a_confirmed_over_allocation_keeps_its_reason(world, phase, teams):
    province_target(world, teams, 10)
    cells = {
        (world.district.pk, teams.pk): Decimal(8),
        (world.sibling_district.pk, teams.pk): Decimal(5),
    }
    result = allocation.save(world.province, phase, H2_2024, cells, reason="Huyện xin thêm")
    column = next(c for c in result.columns if c.indicator == teams)
    assert column.remainder == -3 and column.over
    assert Target.objects.get(unit=world.province).over_allocation_reason == "Huyện xin thêm"


def test_allocation_works_at_every_level(world, phase, teams):
    actions.set_target(teams, world.district, H2_2024, Decimal(6))
    result = allocation.save(
        world.district, phase, H2_2024, {(world.commune.pk, teams.pk): Decimal(4)}
    )
    column = next(c for c in result.columns if c.indicator == teams)
    assert [c.short_name for c in result.children] == ["Mồ Sì San"]
    assert (column.allocated, column.remainder) == (4, 2)


def test_a_changed_child_target_keeps_its_original_value(world, phase, teams):
    province_target(world, teams, 79)
    cell = (world.district.pk, teams.pk)
    allocation.save(world.province, phase, H2_2024, {cell: Decimal(24)})
    allocation.save(world.province, phase, H2_2024, {cell: Decimal(30)})
    target = Target.objects.get(unit=world.district)
    assert (target.value, target.revised_value, target.effective) == (24, 30, 30)


def test_after_the_reform_the_province_allocates_to_communes_directly(world, phase, teams):
    AdminUnit = type(world.province)
    AdminUnit.objects.exclude(kind__in=["nation", "province"]).update(valid_until=REFORM)
    new_commune = unit("commune", "Xã Mới", world.province, valid_from=REFORM)
    second_half_2025 = periods.parse("2025-H2")
    first_half_2025 = periods.parse("2025-H1")
    assert [c.name for c in allocation.children(world.province, first_half_2025)] == [
        "Huyện Phong Thổ",
        "Huyện Sìn Hồ",
    ]
    assert [c.name for c in allocation.children(world.province, second_half_2025)] == ["Xã Mới"]
    province_target(world, teams, 5, second_half_2025)
    result = allocation.save(
        world.province, phase, second_half_2025, {(new_commune.pk, teams.pk): Decimal(5)}
    )
    assert next(c for c in result.columns if c.indicator == teams).remainder == 0
    with pytest.raises(ValueError):
        allocation.save(world.province, phase, H2_2024, {(new_commune.pk, teams.pk): Decimal(1)})


def test_changing_a_definition_from_2026_leaves_2024_as_it_was(world, phase, teams):
    before_2024 = teams.version_on(datetime.date(2024, 6, 1))
    target = province_target(world, teams, 79)
    actions.change_definition(
        teams, datetime.date(2026, 1, 1), definition="Chỉ đếm tổ còn hoạt động"
    )
    assert teams.version_on(datetime.date(2024, 6, 1)).pk == before_2024.pk
    assert teams.version_on(datetime.date(2024, 6, 1)).definition == ""
    assert teams.version_on(datetime.date(2026, 3, 1)).definition == "Chỉ đếm tổ còn hoạt động"
    target.refresh_from_db()
    assert target.value == 79
    versions = AuditEvent.objects.filter(content_type__model="indicatorversion")
    assert versions.filter(action="update", object_id=str(before_2024.pk)).exists()
    assert versions.filter(action="create").count() >= 2
    assert IndicatorVersion.objects.get(pk=before_2024.pk).valid_until == datetime.date(2026, 1, 1)


def test_an_allocation_sheet_with_three_bad_cells_stores_nothing(world, phase, teams):
    province_target(world, teams, 79)
    upload = xlsx(
        [
            ["Đơn vị", "TTCĐ", "CLB"],
            ["Huyện Phong Thổ", 24, None],
            ["Huyện Mộc Châu", 5, None],
            ["Huyện Sìn Hồ", -3, "mười"],
        ]
    )
    with pytest.raises(sheets.ImportRefused) as refused:
        allocation.read_sheet(upload, world.province, phase, H2_2024)
    cells = [(e.row, e.column) for e in refused.value.errors]
    assert cells == [(3, "Đơn vị"), (4, "TTCĐ"), (4, "CLB")]
    assert not Target.objects.filter(unit__in=[world.district, world.sibling_district]).exists()


def test_the_allocation_page_shows_nothing_left_for_a_full_allocation(client, world, phase, teams):
    province_target(world, teams, 30)
    client.force_login(world.province_admin)
    url = reverse("framework:allocate", args=[world.province.pk])
    response = client.post(
        url,
        {
            "phase": phase.pk,
            "period": "2024-H2",
            f"c-{world.district.pk}-{teams.pk}": "12",
            f"c-{world.sibling_district.pk}-{teams.pk}": "18",
        },
    )
    assert response.status_code == 302
    page = client.get(url, {"phase": phase.pk, "period": "2024-H2"})
    column = next(c for c in page.context["grid"].columns if c.indicator == teams)
    assert column.remainder == 0


def test_the_page_asks_to_confirm_an_over_allocation(client, world, phase, teams):
    province_target(world, teams, 10)
    client.force_login(world.province_admin)
    url = reverse("framework:allocate", args=[world.province.pk])
    data = {"phase": phase.pk, "period": "2024-H2", f"c-{world.district.pk}-{teams.pk}": "12"}
    response = client.post(url, data)
    assert (
        response.status_code == 200 and 'data-testid="over-allocation"' in response.content.decode()
    )
    assert not Target.objects.filter(unit=world.district).exists()
    response = client.post(url, {**data, "confirm": "1", "reason": "Bổ sung theo đề nghị"})
    assert response.status_code == 302
    assert Target.objects.get(unit=world.district).value == 12


def test_a_province_cannot_set_its_neighbours_targets(api_client, world, phase, teams, client):
    response = client.post(
        reverse("api:target_set"),
        {"indicator": teams.pk, "unit": world.other_province.pk, "period": "2024", "value": 5},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token(world.province_admin)}",
    )
    assert response.status_code == 404
    assert not Target.objects.filter(unit=world.other_province).exists()


def test_the_export_reads_back_in_excel(client, world, phase, teams):
    import io

    import openpyxl

    province_target(world, teams, 79)
    allocation.save(world.province, phase, H2_2024, {(world.district.pk, teams.pk): Decimal(24)})
    client.force_login(world.province_admin)
    response = client.get(
        reverse("framework:allocate_export", args=[world.province.pk]),
        {"phase": phase.pk, "period": "2024-H2"},
    )
    rows = list(
        openpyxl.load_workbook(io.BytesIO(downloaded(response))).active.iter_rows(values_only=True)
    )
    header = rows[0]
    assert header[:3] == ("Đơn vị", "Mã", "TTCĐ")
    phong_tho = next(r for r in rows if r[0] == "Huyện Phong Thổ")
    assert phong_tho[2] == 24


LAI_CHAU_DISTRICTS = [
    "Mường Tè",
    "Nậm Nhùn",
    "Phong Thổ",
    "Sìn Hồ",
    "Tam Đường",
    "Than Uyên",
    "Tân Uyên",
    "Thành phố Lai Châu",
]
# TB 32/TB-BTV, 28/6/2024: targets for the second half of 2024, by district.
SEED_DIALOGUES = {
    "Than Uyên": 5,
    "Nậm Nhùn": 12,
    "Tam Đường": 24,
    "Tân Uyên": 8,
    "Phong Thổ": 41,
    "Sìn Hồ": 30,
    "Mường Tè": 18,
}
SEED_ME_TRAININGS = {
    "Tam Đường": 2,
    "Sìn Hồ": 4,
    "Than Uyên": 2,
    "Phong Thổ": 4,
    "Nậm Nhùn": 2,
    "Mường Tè": 2,
}


def test_lai_chau_allocations_through_the_api_give_the_seed_totals(client, db):
    from tests.factories import World

    world = World()
    phase = defaults.load()
    districts = {"Phong Thổ": world.district, "Sìn Hồ": world.sibling_district}
    for name in LAI_CHAU_DISTRICTS:
        if name not in districts:
            districts[name] = unit("district", f"Huyện {name}", world.province)
    codes = {i.code: i for i in phase.indicators()}
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token(world.province_admin)}"}
    for code, total in (("DTCS", 138), ("GSBDG", 16)):
        response = client.post(
            reverse("api:target_set"),
            {
                "indicator": codes[code].pk,
                "unit": world.province.pk,
                "period": "2024-H2",
                "value": total,
                "doc_number": "32/TB-BTV",
                "doc_date": "2024-06-28",
            },
            content_type="application/json",
            **headers,
        )
        assert response.status_code == 403  # the province's own target is set by the centre
    nation_token = {"HTTP_AUTHORIZATION": f"Bearer {token(world.national_admin)}"}
    for code, total in (("DTCS", 138), ("GSBDG", 16)):
        client.post(
            reverse("api:target_set"),
            {
                "indicator": codes[code].pk,
                "unit": world.province.pk,
                "period": "2024-H2",
                "value": total,
            },
            content_type="application/json",
            **nation_token,
        )
    cells = [
        {"unit": districts[name].pk, "indicator": codes["DTCS"].pk, "value": value}
        for name, value in SEED_DIALOGUES.items()
    ]
    cells += [
        {"unit": districts[name].pk, "indicator": codes["GSBDG"].pk, "value": value}
        for name, value in SEED_ME_TRAININGS.items()
    ]
    response = client.put(
        reverse("api:allocation"),
        {
            "unit": world.province.pk,
            "phase": phase.pk,
            "period": "2024-H2",
            "cells": cells,
        },
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200, response.content
    columns = {c["indicator"]: c for c in response.json()["columns"]}
    assert columns["DTCS"]["allocated"] == "138.00" and columns["DTCS"]["remainder"] == "0.00"
    assert columns["GSBDG"]["allocated"] == "16.00" and columns["GSBDG"]["remainder"] == "0.00"
    client.force_login(world.province_admin)
    page = client.get(
        reverse("framework:allocate", args=[world.province.pk]),
        {"phase": phase.pk, "period": "2024-H2"},
    )
    assert all(c.remainder in (None, 0) for c in page.context["grid"].columns)


@pytest.mark.parametrize("period", ["0000", "9999-H2", "2025-2021", "20245"])
def test_the_api_answers_an_unusable_period_with_422(client, world, phase, period):
    response = client.get(
        reverse("api:allocation"),
        {"unit": world.province.pk, "phase": phase.pk, "period": period},
        HTTP_AUTHORIZATION=f"Bearer {token(world.province_admin)}",
    )
    assert response.status_code == 422


@pytest.mark.parametrize("typed", ["Infinity", "1e20", "2.5", "-1", "123456789012345", "1,234"])
def test_the_grid_refuses_numbers_it_cannot_read_for_sure(client, world, phase, teams, typed):
    province_target(world, teams, 79)
    client.force_login(world.province_admin)
    response = client.post(
        reverse("framework:allocate", args=[world.province.pk]),
        {"phase": phase.pk, "period": "2024-H2", f"c-{world.district.pk}-{teams.pk}": typed},
    )
    assert response.status_code == 200 and response.context["errors"]
    assert not Target.objects.filter(unit=world.district).exists()


def test_vietnamese_numbers_are_read_as_written(client, world, phase, teams):
    province_target(world, teams, 5000)
    client.force_login(world.province_admin)
    client.post(
        reverse("framework:allocate", args=[world.province.pk]),
        {"phase": phase.pk, "period": "2024-H2", f"c-{world.district.pk}-{teams.pk}": "1.234,5"},
    )
    assert Target.objects.get(unit=world.district).value == Decimal("1234.5")


def test_an_import_cell_that_is_not_a_number_is_a_row_error(world, phase, teams):
    upload = xlsx([["Đơn vị", "TTCĐ"], ["Huyện Phong Thổ", "NaN"], ["Huyện Phong Thổ", 3]])
    with pytest.raises(sheets.ImportRefused) as refused:
        allocation.read_sheet(upload, world.province, phase, H2_2024)
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, "TTCĐ"), (3, "Đơn vị")]


def test_a_column_header_must_be_the_exact_indicator_code(world, phase, teams):
    upload = xlsx([["Đơn vị", "TTCD"], ["Huyện Phong Thổ", 5]])
    assert allocation.read_sheet(upload, world.province, phase, H2_2024) == {}


def test_a_ratio_indicator_has_no_remainder_to_check(world, phase):
    rate = phase.indicators().get(code="TLGN")
    province_target(world, rate, 80)
    result = allocation.save(
        world.province,
        phase,
        H2_2024,
        {
            (world.district.pk, rate.pk): Decimal(80),
            (world.sibling_district.pk, rate.pk): Decimal(90),
        },
    )
    column = next(c for c in result.columns if c.indicator == rate)
    assert column.remainder is None and not column.over


def test_a_revised_target_is_only_changed_by_a_new_revision(world, phase, teams):
    target = province_target(world, teams, 79)
    target.doc_number = "32/TB-BTV"
    target.save()
    actions.set_target(
        teams, world.province, H2_2024, Decimal(90), revise=True, doc_number="40/TB-BTV"
    )
    with pytest.raises(ValidationError):
        actions.set_target(teams, world.province, H2_2024, Decimal(95))
    target.refresh_from_db()
    assert (target.value, target.revised_value, target.doc_number) == (79, 90, "32/TB-BTV")
    assert "40/TB-BTV" in target.note


def test_a_child_target_passed_further_down_cannot_be_cut_below_it(world, phase, teams):
    province_target(world, teams, 79)
    allocation.save(world.province, phase, H2_2024, {(world.district.pk, teams.pk): Decimal(24)})
    allocation.save(world.district, phase, H2_2024, {(world.commune.pk, teams.pk): Decimal(20)})
    for value in (None, Decimal(10)):
        with pytest.raises(allocation.AllocationRefused):
            allocation.save(world.province, phase, H2_2024, {(world.district.pk, teams.pk): value})
    assert Target.objects.get(unit=world.district).effective == 24


def test_a_target_outside_the_indicators_phase_is_refused(client, world, phase, teams):
    response = client.post(
        reverse("api:target_set"),
        {
            "indicator": teams.pk,
            "unit": world.province.pk,
            "period": "2030",
            "value": 1,
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token(world.national_admin)}",
    )
    assert response.status_code == 422
    assert not Target.objects.filter(period_start__year=2030).exists()


def test_a_phase_runs_over_whole_years(world, phase):
    with pytest.raises(ValidationError):
        actions.add_phase(
            phase.project, "GD2", "II", datetime.date(2026, 1, 1), datetime.date(2030, 12, 31)
        )


def test_a_confirmed_over_allocation_is_not_asked_again_for_unrelated_changes(world, phase, teams):
    clubs = phase.indicators().get(code="CLB")
    province_target(world, teams, 10)
    province_target(world, clubs, 10)
    allocation.save(
        world.province,
        phase,
        H2_2024,
        {(world.district.pk, teams.pk): Decimal(12)},
        reason="Huyện xin thêm",
    )
    allocation.save(world.province, phase, H2_2024, {(world.district.pk, clubs.pk): Decimal(4)})
    assert Target.objects.get(unit=world.province, indicator=teams).over_allocation_reason == (
        "Huyện xin thêm"
    )


def test_an_allocation_exported_and_imported_back_changes_nothing(client, world, phase, teams):
    from duan8.core.models import AuditEvent
    from duan8.framework.models import Target

    province_target(world, teams, 79)
    allocation.save(world.province, phase, H2_2024, {(world.district.pk, teams.pk): Decimal(24)})
    client.force_login(world.province_admin)
    query = {"phase": phase.pk, "period": "2024-H2"}
    exported = downloaded(
        client.get(reverse("framework:allocate_export", args=[world.province.pk]), query)
    )
    stored = sorted(Target.objects.values_list("unit_id", "indicator_id", "value"))
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("framework:allocate_import", args=[world.province.pk])
        + f"?phase={phase.pk}&period=2024-H2",
        {"file": xlsx_file(exported)},
    )
    assert response.status_code == 302
    assert sorted(Target.objects.values_list("unit_id", "indicator_id", "value")) == stored
    assert AuditEvent.objects.count() == events


def xlsx_file(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("phan-bo.xlsx", content, content_type=sheets.XLSX)


def test_the_allocation_template_is_filled_with_the_units_below_and_names_each_indicator(
    client, world, phase, teams
):
    import io

    import openpyxl

    province_target(world, teams, 79)
    allocation.save(world.province, phase, H2_2024, {(world.district.pk, teams.pk): Decimal(24)})
    client.force_login(world.province_admin)
    query = {"phase": phase.pk, "period": "2024-H2"}
    response = client.get(reverse("framework:allocate_template", args=[world.province.pk]), query)
    data, guide, lists = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets
    rows = {row[0]: row for row in data.iter_rows(min_row=2, values_only=True)}
    assert rows["Huyện Phong Thổ"][2] == 24
    described = {row[0]: row[2] for row in guide.iter_rows(values_only=True) if row[0]}
    assert teams.name in described["TTCĐ"]
    # Filled in and imported back, it sets the targets it shows.
    data.cell(3, 3, 11)
    out = io.BytesIO()
    data.parent.save(out)
    values = allocation.read_sheet(io.BytesIO(out.getvalue()), world.province, phase, H2_2024)
    assert values[(world.district.pk, teams.pk)] == 24
    assert 11 in values.values()


def test_two_officers_on_one_grid_keep_each_others_targets(client, world, phase, teams):
    """The second officer's stale grid has an empty cell where the first one just allocated:
    saving it changes only the cells the second officer typed in."""
    from tests.factories import form_fields, user

    province_target(world, teams, 30)
    colleague = user("tinh.quantri2", role=Role.UNIT_ADMIN, on=world.province)
    url = reverse("framework:allocate", args=[world.province.pk])
    query = f"?phase={phase.pk}&period=2024-H2"
    client.force_login(world.province_admin)
    first = form_fields(client.get(url + query))
    client.force_login(colleague)
    second = form_fields(client.get(url + query))

    first[f"c-{world.district.pk}-{teams.pk}"] = "12"
    client.force_login(world.province_admin)
    assert client.post(url + query, first).status_code == 302

    second[f"c-{world.sibling_district.pk}-{teams.pk}"] = "18"
    client.force_login(colleague)
    assert client.post(url + query, second).status_code == 302
    stored = {t.unit_id: t.effective for t in Target.objects.filter(indicator=teams)}
    assert stored[world.district.pk] == 12 and stored[world.sibling_district.pk] == 18


def test_a_cell_changed_by_both_officers_is_refused_with_both_values(client, world, phase, teams):
    from tests.factories import form_fields, user

    province_target(world, teams, 30)
    colleague = user("tinh.quantri2", role=Role.UNIT_ADMIN, on=world.province)
    url = reverse("framework:allocate", args=[world.province.pk])
    query = f"?phase={phase.pk}&period=2024-H2"
    cell = f"c-{world.district.pk}-{teams.pk}"
    client.force_login(world.province_admin)
    first = form_fields(client.get(url + query))
    client.force_login(colleague)
    second = form_fields(client.get(url + query))

    client.force_login(world.province_admin)
    assert client.post(url + query, {**first, cell: "12"}).status_code == 302
    client.force_login(colleague)
    response = client.post(url + query, {**second, cell: "15"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "tinh.quantri" in page and "12" in page and "15" in page
    assert Target.objects.get(unit=world.district, indicator=teams).effective == 12
    # Saving the returned grid again is the colleague's decision: it goes through.
    again = form_fields(response)
    assert again[cell] == "15" and again[f"o-{cell}"] == "12"
    assert client.post(url + query, again).status_code == 302
    assert Target.objects.get(unit=world.district, indicator=teams).effective == 15


def test_a_stale_cell_sent_through_the_api_answers_409(client, world, phase, teams):
    province_target(world, teams, 30)
    allocation.save(world.province, phase, H2_2024, {(world.district.pk, teams.pk): Decimal(12)})
    body = {
        "unit": world.province.pk,
        "phase": phase.pk,
        "period": "2024-H2",
        "cells": [{"unit": world.district.pk, "indicator": teams.pk, "value": 15, "read": 10}],
    }
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token(world.province_admin)}"}
    url = reverse("api:allocation_save")
    response = client.put(url, body, content_type="application/json", **headers)
    assert response.status_code == 409
    assert Decimal(response.json()["stale"][0]["stored"]) == 12
    body["cells"][0]["read"] = 12
    assert client.put(url, body, content_type="application/json", **headers).status_code == 200
    assert Target.objects.get(unit=world.district, indicator=teams).effective == 15
