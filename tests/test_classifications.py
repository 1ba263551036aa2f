"""Classifications of communes and villages: dated, with their legal basis."""

import datetime

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from duan8.core import sheets
from duan8.geo import classify
from duan8.geo.models import Classification, ClassificationKind
from tests.factories import LEGACY_FROM, xlsx

HEADER = ["Đơn vị", "Phân loại", "Giá trị", "Hiệu lực từ", "Hiệu lực đến", "Căn cứ"]


def test_a_region_classification_defaults_to_decision_861(client, world):
    client.force_login(world.province_admin)
    client.post(
        reverse("geo:classification_add", args=[world.sibling_commune.pk]),
        {
            "kind": "region",
            "value": "II",
            "valid_from": "04/06/2021",
            "valid_until": "",
            "legal_basis": "",
            "note": "",
        },
    )
    item = Classification.objects.get(unit=world.sibling_commune)
    assert (item.value, item.legal_basis) == ("II", "Quyết định 861/QĐ-TTg ngày 04/6/2021")
    assert item.valid_from == datetime.date(2021, 6, 4)


def test_a_region_must_be_i_ii_or_iii(world):
    item = Classification(
        unit=world.commune,
        kind=ClassificationKind.REGION,
        value="IV",
        valid_from=LEGACY_FROM,
        legal_basis="x",
    )
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert "value" in error.value.message_dict


def test_a_village_classification_does_not_apply_to_a_commune(world):
    item = Classification(
        unit=world.commune,
        kind=ClassificationKind.DISADVANTAGED_VILLAGE,
        valid_from=LEGACY_FROM,
        legal_basis="x",
    )
    with pytest.raises(ValidationError):
        item.full_clean()


def test_classifications_are_read_as_of_a_date(world):
    Classification.objects.filter(pk=world.classification.pk).update(
        valid_until=datetime.date(2025, 7, 1)
    )
    assert Classification.objects.valid_on(datetime.date(2024, 1, 1)).count() == 1
    assert Classification.objects.valid_on(datetime.date(2025, 7, 1)).count() == 0


def test_an_import_with_bad_rows_stores_nothing_and_names_each_cell(world):
    upload = xlsx(
        [
            HEADER,
            ["Pa Tần", "Xã khu vực (I/II/III)", "III", "04/06/2021", "", ""],
            ["Xã Không Có", "region", "III", "04/06/2021", "", ""],
            ["Pa Tần", "hạng sao", "", "04/06/2021", "", ""],
            ["Pa Tần", "border", "", "31/02/2021", "", "QĐ 1"],
        ]
    )
    with pytest.raises(sheets.ImportRefused) as refused:
        classify.import_rows(upload, world.province, LEGACY_FROM)
    assert [(e.row, e.column) for e in refused.value.errors] == [
        (3, "Đơn vị"),
        (4, "Phân loại"),
        (5, "Hiệu lực từ"),
    ]
    assert not Classification.objects.filter(unit=world.sibling_commune).exists()


def test_a_good_import_stores_every_row(world):
    upload = xlsx(
        [
            HEADER,
            ["Pa Tần", "Xã khu vực (I/II/III)", "III", "04/06/2021", "", ""],
            ["03442", "border", "", "01/01/2021", "", "Nghị định 34/2014/NĐ-CP"],
            ["Bản Sì Choang", "disadvantaged_village", "", "16/09/2021", "", ""],
        ]
    )
    stored = classify.import_rows(upload, world.province, LEGACY_FROM)
    assert len(stored) == 3
    village = Classification.objects.get(unit=world.village)
    assert village.legal_basis == "Quyết định 612/QĐ-UBDT ngày 16/9/2021"


def test_the_unit_page_shows_classifications_with_their_basis(client, world):
    client.force_login(world.commune_editor)
    page = client.get(reverse("geo:unit", args=[world.commune.pk])).content.decode()
    assert "Quyết định 861/QĐ-TTg" in page and "<strong>III</strong>" in page


def test_a_commune_administrator_cannot_classify_her_own_commune(client, world):
    from duan8.accounts.models import Membership, Role
    from tests.factories import user

    admin = user("xa.quantri", role=Role.UNIT_ADMIN, on=world.commune)
    assert Membership.objects.filter(user=admin).exists()
    client.force_login(admin)
    response = client.post(
        reverse("geo:classification_add", args=[world.commune.pk]),
        {"kind": "region", "value": "III", "valid_from": "04/06/2021", "legal_basis": "x"},
    )
    assert response.status_code == 403
    response = client.post(reverse("geo:classification_delete", args=[world.classification.pk]))
    assert response.status_code == 403
    assert Classification.objects.filter(pk=world.classification.pk).exists()


def test_classifications_export_and_import_back_skipping_or_updating_what_is_there(client, world):
    import io

    from duan8.geo import classify
    from duan8.geo.models import Classification
    from tests.factories import downloaded

    client.force_login(world.province_admin)
    response = client.get(reverse("geo:classification_export", args=[world.province.pk]))
    assert response.status_code == 200
    content = downloaded(response)
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Đơn vị", "Phân loại")
    assert rows[1][0] == "Xã Mồ Sì San" and rows[1][2] == "III"
    day = world.commune.reference_day()
    before = list(Classification.objects.values_list("pk", "value", "legal_basis"))
    imported = classify.import_rows(io.BytesIO(content), world.province, day)
    assert list(imported) == [] and imported.skipped == [2]
    assert list(Classification.objects.values_list("pk", "value", "legal_basis")) == before
    # Corrected in Excel, then imported with "update": the same record changes.
    book = openpyxl.load_workbook(io.BytesIO(content))
    book.active["C2"] = "II"
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    imported = classify.import_rows(out, world.province, day, existing="update")
    assert [c.pk for c in imported.updated] == [world.classification.pk]
    world.classification.refresh_from_db()
    assert world.classification.value == "II"
    assert Classification.objects.count() == len(before)


def test_the_classification_template_lists_units_and_classifications_with_instructions(
    client, world
):
    import io

    from duan8.geo import classify

    client.force_login(world.province_admin)
    response = client.get(reverse("geo:classification_template", args=[world.province.pk]))
    data, guide, lists = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets
    assert [c.value for c in data[1]] == [c.header for c in classify.COLUMNS]
    units = {row[0] for row in lists.iter_rows(min_row=2, max_col=1, values_only=True)}
    assert {"Xã Mồ Sì San", "Bản Sì Choang"} <= units
    described = {row[0] for row in guide.iter_rows(values_only=True) if row[2]}
    assert {c.header for c in classify.COLUMNS} <= described
