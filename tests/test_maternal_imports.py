"""Births with their mothers from Excel: the whole file or nothing, every bad row named with
its column and reason, each birth judged and its decision stored, and the export back."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse

from duan8.core import jobs, sheets
from duan8.core.models import Job
from duan8.maternal import imports
from duan8.maternal.models import Birth, Decision, DuplicateFlag, Mother
from tests.factories import xlsx
from tests.maternal_factories import citizen_id

D = datetime.date
HEADER = [
    "Họ và tên bà mẹ",
    "Ngày sinh bà mẹ",
    "Số CCCD",
    "Dân tộc",
    "Dân tộc của chồng",
    "Hộ nghèo",
    "Thôn, bản",
    "Ngày sinh con",
    "Nơi sinh",
    "Tên cơ sở y tế",
    "Cách sinh",
    "Số con đã sinh trước",
    "Số con còn sống",
    "Số lần sinh trước",
    "Đã kết hôn",
]


def _row(**values):
    row = {
        "Họ và tên bà mẹ": "Lò Thị Mai",
        "Ngày sinh bà mẹ": "10/05/1998",
        "Số CCCD": citizen_id(D(1998, 5, 10)),
        "Dân tộc": "H'Mông",
        "Dân tộc của chồng": "Mông",
        "Hộ nghèo": "",
        "Thôn, bản": "Bản Sì Choang, Xã Mồ Sì San",
        "Ngày sinh con": "15/03/2024",
        "Nơi sinh": "Trạm y tế",
        "Tên cơ sở y tế": "Trạm y tế xã Mồ Sì San",
        "Cách sinh": "Sinh thường",
        "Số con đã sinh trước": 0,
        "Số con còn sống": 0,
        "Số lần sinh trước": 0,
        "Đã kết hôn": "Có",
    }
    row.update(values)
    return [row[h] for h in HEADER]


def test_a_file_of_births_is_stored_judged_and_its_reasons_kept(world):
    upload = xlsx(
        [
            HEADER,
            _row(),
            _row(
                **{
                    "Họ và tên bà mẹ": "Vàng Thị Dợ",
                    "Ngày sinh bà mẹ": "02/01/2007",
                    "Số CCCD": citizen_id(D(2007, 1, 2)),
                    "Thôn, bản": "ban si choang",
                    "Nơi sinh": "Tại nhà",
                    "Tên cơ sở y tế": "",
                }
            ),
            _row(
                **{
                    "Họ và tên bà mẹ": "Giàng Thị Sua",
                    "Số CCCD": citizen_id(D(1998, 5, 10)),
                    "Dân tộc": "Kinh",
                    "Số con đã sinh trước": "",
                }
            ),
        ]
    )
    created = imports.import_births(upload, world.commune)
    assert len(created) == 3 and Mother.objects.count() == 3
    results = {
        d.birth.mother.full_name: d
        for d in Decision.objects.select_related("birth__mother", "rule_set")
    }
    assert results["Lò Thị Mai"].result == "met"
    dợ = {c["code"]: c for c in results["Vàng Thị Dợ"].criteria}
    assert results["Vàng Thị Dợ"].result == "not_met"
    assert dợ["facility"]["reason"] == "Sinh tại nhà, không tại cơ sở y tế."
    assert dợ["age"]["outcome"] == "not_met"  # 17 on 15/3/2024
    assert results["Giàng Thị Sua"].result == "not_met"  # Kinh
    assert all(d.rule_set is not None for d in results.values())


def test_a_malformed_citizen_id_and_an_unknown_village_store_nothing(world):
    upload = xlsx(
        [
            HEADER,
            _row(),
            _row(**{"Họ và tên bà mẹ": "Vàng Thị Dợ", "Số CCCD": "01219800456"}),
            _row(**{"Họ và tên bà mẹ": "Lý Thị Sểnh", "Thôn, bản": "Bản Không Có"}),
        ]
    )
    with pytest.raises(sheets.ImportRefused) as refused:
        imports.import_births(upload, world.commune)
    errors = [(e.row, e.column) for e in refused.value.errors]
    assert (3, "Số CCCD") in errors
    assert (4, "Thôn, bản") in errors
    assert "12" in next(e.message for e in refused.value.errors if e.row == 3)
    assert not Mother.objects.exists() and not Birth.objects.exists()
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    ("column", "value", "why"),
    [
        ("Dân tộc", "Hmoong", "54"),
        ("Ngày sinh con", "31/02/2024", "2/2024"),
        ("Nơi sinh", "Ngoài đồng ruộng", "Cơ sở y tế"),
        ("Đã kết hôn", "có lẽ", "Có"),
        ("Số CCCD", "012098004567", "1998"),
    ],
)
def test_each_bad_cell_is_named_with_its_reason(world, column, value, why):
    from django.utils import translation

    with translation.override("en"):
        with pytest.raises(sheets.ImportRefused) as refused:
            imports.import_births(xlsx([HEADER, _row(**{column: value})]), world.commune)
    (error,) = refused.value.errors
    assert (error.row, error.column) == (2, column)
    assert why in error.message, error.message


def test_a_birth_before_the_mothers_own_birth_is_refused(world):
    row = _row(**{"Ngày sinh bà mẹ": "20/03/2024", "Số CCCD": citizen_id(D(2024, 3, 20))})
    with pytest.raises(sheets.ImportRefused) as refused:
        imports.import_births(xlsx([HEADER, row]), world.commune)
    (error,) = refused.value.errors
    assert (error.row, error.column) == (2, "Ngày sinh con")


def test_rows_of_one_mother_share_her_record_and_close_births_are_flagged(world):
    same = {"Số CCCD": "012198004567"}
    upload = xlsx(
        [
            HEADER,
            _row(**same),
            _row(
                **same,
                **{
                    "Ngày sinh con": "20/07/2024",
                    "Số con đã sinh trước": 1,
                    "Số con còn sống": 1,
                    "Số lần sinh trước": 1,
                },
            ),
        ]
    )
    imports.import_births(upload, world.commune)
    assert Mother.objects.count() == 1 and Birth.objects.count() == 2
    (flag,) = DuplicateFlag.objects.all()
    assert flag.kind == "close_births"


def test_another_name_on_a_registered_citizen_id_is_a_new_mother_flagged(world):
    imports.import_births(xlsx([HEADER, _row(**{"Số CCCD": "012198004567"})]), world.commune)
    imports.import_births(
        xlsx(
            [
                HEADER,
                _row(
                    **{
                        "Số CCCD": "012198004567",
                        "Họ và tên bà mẹ": "Lò Thị Mây",
                        "Ngày sinh con": "20/01/2025",
                    }
                ),
            ]
        ),
        world.commune,
    )
    assert Mother.objects.count() == 2
    assert DuplicateFlag.objects.get().kind == "citizen_id"


def test_the_export_imports_back_without_storing_anything_twice(world):
    imports.import_births(
        xlsx([HEADER, _row(), _row(**{"Họ và tên bà mẹ": "Lò Thị Pằng"})]), world.commune
    )
    content = sheets.workbook(imports.EXPORT_HEADERS, imports.export_rows(Birth.objects.all()))
    from django.core.files.uploadedfile import SimpleUploadedFile

    again = imports.import_births(SimpleUploadedFile("back.xlsx", content), world.commune)
    assert len(again) == 0 and len(again.skipped) == 2
    assert Birth.objects.count() == 2


def test_a_large_file_is_imported_by_a_background_job(world, settings):
    upload = xlsx([HEADER, _row()])
    job = jobs.submit(
        "maternal.births.import",
        world.commune_editor,
        world.commune,
        {},
        upload=upload,
        source="web",
    )
    assert jobs.execute(job.pk) == Job.State.DONE
    job.refresh_from_db()
    assert job.result["created"] == 1
    decision = Decision.objects.get()
    assert decision.decided_by == world.commune_editor


def test_the_import_page_refuses_a_bad_file_with_the_marked_copy(world, client):
    client.force_login(world.commune_editor)
    upload = xlsx([HEADER, _row(**{"Số CCCD": "123"})])
    response = client.post(reverse("maternal:import", args=[world.commune.pk]), {"file": upload})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-testid="import-errors"' in page and 'data-testid="annotated-file"' in page
    response = client.post(
        reverse("maternal:import", args=[world.commune.pk]), {"file": xlsx([HEADER, _row()])}
    )
    assert response.status_code == 302
    assert Birth.objects.count() == 1


def test_the_template_offers_the_villages_and_the_groups(world, client):
    from openpyxl import load_workbook

    client.force_login(world.commune_editor)
    response = client.get(reverse("maternal:template", args=[world.commune.pk]))
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.worksheets[0][1]][:3] == [
        "Mã ca sinh",
        "Mã bà mẹ",
        "Họ và tên bà mẹ",
    ]
    lists = [c.value for row in book.worksheets[2].iter_rows() for c in row if c.value]
    assert "Bản Sì Choang" in lists and "Mông" in lists
