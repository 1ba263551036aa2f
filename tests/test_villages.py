"""Villages: added one by one or from Excel, and carried across the 2025 reform."""

import openpyxl
import pytest
from django.urls import reverse

from duan8.core import sheets
from duan8.geo import villages
from duan8.geo.models import AdminUnit, Succession, UnitKind
from tests.factories import LEGACY_FROM, REFORM, downloaded, successor_commune, unit, xlsx

HEADER = ["Xã", "Thôn, bản"]


def village_names(commune):
    return sorted(commune.children.filter(kind=UnitKind.VILLAGE).values_list("name", flat=True))


def test_a_unit_administrator_adds_a_village_under_her_commune(client, world):
    client.force_login(world.province_admin)
    response = client.post(
        reverse("geo:village_add", args=[world.commune.pk]), {"name": "Bản Hồng Thu"}
    )
    assert response.status_code == 302
    village = AdminUnit.objects.get(name="Bản Hồng Thu")
    assert (village.parent, village.kind, village.unit_type) == (world.commune, "village", "Bản")
    assert village.valid_from == world.commune.valid_from


def test_a_village_of_a_merged_commune_is_carried_to_its_successor_for_review(world):
    successor = successor_commune(world)
    world.commune.refresh_from_db()
    old = villages.add(world.commune, "Bản Hồng Thu")
    assert old.valid_until == REFORM
    (link,) = Succession.objects.filter(predecessor=old)
    carried = link.successor
    assert (carried.parent, carried.valid_from, carried.needs_review) == (successor, REFORM, True)
    assert carried.name == "Bản Hồng Thu"


def test_an_administrator_confirms_or_moves_a_carried_village(client, world):
    successor = successor_commune(world)
    other = unit(UnitKind.COMMUNE, "Xã Khác", world.province, valid_from=REFORM)
    world.commune.refresh_from_db()
    carried = villages.carry_across(world.village)
    client.force_login(world.province_admin)
    page = client.get(reverse("geo:unit", args=[carried.pk])).content.decode()
    assert 'data-testid="needs-review"' in page and "Xã Khác" in page
    client.post(reverse("geo:village_review", args=[carried.pk]), {"commune": other.pk})
    carried.refresh_from_db()
    assert (carried.parent, carried.needs_review) == (other, False)
    assert carried.path.startswith(other.path)
    assert successor.children.count() == 0


def test_an_import_with_an_unknown_and_an_ambiguous_commune_stores_nothing(world):
    # Two communes called Nậm Xe in the province: the name alone cannot say which.
    unit(UnitKind.COMMUNE, "Xã Nậm Xe", world.district, code="03586")
    unit(UnitKind.COMMUNE, "Xã Nậm Xe", world.sibling_district, code="03443")
    before = AdminUnit.objects.count()
    upload = xlsx(
        [
            HEADER,
            ["Mồ Sì San", "Bản Hồng Thu"],
            ["Xã Không Có", "Bản Một"],
            ["Nậm Xe", "Bản Hai"],
            ["Pa Tần", "Bản Ba"],
        ]
    )
    with pytest.raises(sheets.ImportRefused) as refused:
        villages.import_rows(upload, world.province, LEGACY_FROM)
    errors = refused.value.errors
    assert [(e.row, e.column) for e in errors] == [(3, "Xã"), (4, "Xã")]
    assert "Xã Không Có" in errors[0].message
    assert "03586" in errors[1].message and "03443" in errors[1].message
    assert AdminUnit.objects.count() == before


def test_the_corrected_file_stores_every_village(world):
    unit(UnitKind.COMMUNE, "Xã Nậm Xe", world.district, code="03586")
    unit(UnitKind.COMMUNE, "Xã Nậm Xe", world.sibling_district, code="03443")
    upload = xlsx(
        [
            HEADER,
            ["Mỏ Sì San", "Bản Hồng Thu"],
            ["Pa Tần", "Bản Một"],
            ["03586", "Bản Hai"],
            ["Pa Tần", "Bản Ba"],
        ]
    )
    created, notes = villages.import_rows(upload, world.province, LEGACY_FROM)
    assert len(created) == 4
    assert village_names(world.commune) == ["Bản Hồng Thu", "Bản Sì Choang"]
    assert village_names(world.sibling_commune) == ["Bản Ba", "Bản Một"]
    assert notes and "Mỏ Sì San" in notes[0]  # a near spelling is stored, and said


def test_the_import_page_lists_every_bad_row_in_vietnamese(client, world):
    client.force_login(world.province_admin)
    upload = xlsx(
        [HEADER, ["Xã Không Có", "Bản Một"], ["Mồ Sì San", ""], ["Mồ Sì San", "Bản Sì Choang"]]
    )
    response = client.post(
        reverse("geo:village_import", args=[world.province.pk]),
        {"file": upload, "on": "01/01/2024"},
    )
    page = response.content.decode()
    assert "Chưa lưu dữ liệu nào" in page
    assert "Dòng 2" in page and "Dòng 3" in page
    assert "Dòng 4" not in page  # a village the commune already has is skipped, not refused


def test_a_file_that_is_not_excel_is_refused_with_a_message(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.province_admin)
    response = client.post(
        reverse("geo:village_import", args=[world.province.pk]),
        {"file": SimpleUploadedFile("a.xlsx", b"not excel"), "on": "01/01/2024"},
    )
    assert "Excel" in response.content.decode()


def test_the_template_lists_the_communes_of_the_unit(client, world):
    client.force_login(world.district_approver)
    response = client.get(reverse("geo:village_template", args=[world.district.pk]))
    import io

    sheet = openpyxl.load_workbook(io.BytesIO(downloaded(response))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Xã", "Thôn, bản", "Thuộc huyện", "Thuộc tỉnh")
    assert rows[1] == ("Xã Mồ Sì San", None, "Huyện Phong Thổ", "Tỉnh Lai Châu")


def test_a_village_can_only_be_added_under_a_commune(client, world):
    client.force_login(world.province_admin)
    client.post(reverse("geo:village_add", args=[world.district.pk]), {"name": "Bản Lạc"})
    assert not AdminUnit.objects.filter(name="Bản Lạc").exists()


def test_only_a_village_carried_across_the_reform_is_reviewed(client, world):
    AdminUnit.objects.filter(pk=world.village.pk).update(needs_review=False)
    client.force_login(world.province_admin)
    client.post(
        reverse("geo:village_review", args=[world.village.pk]),
        {"commune": world.sibling_commune.pk},
    )
    world.village.refresh_from_db()
    assert world.village.parent == world.commune


def test_a_damaged_excel_file_is_refused_not_crashed(client, world):
    import io
    import zipfile

    good = xlsx([HEADER, ["Mồ Sì San", "Bản Một"]]).read()
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]
            target.writestr(item, data)
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.province_admin)
    response = client.post(
        reverse("geo:village_import", args=[world.province.pk]),
        {"file": SimpleUploadedFile("d.xlsx", damaged.getvalue()), "on": "01/01/2024"},
    )
    assert response.status_code == 200
    assert "Excel" in response.context["errors"][0].message


def test_a_village_name_that_is_too_long_is_a_row_error(world):
    upload = xlsx([HEADER, ["Mồ Sì San", "Bản " + "A" * 300]])
    with pytest.raises(sheets.ImportRefused) as refused:
        villages.import_rows(upload, world.province, LEGACY_FROM)
    assert refused.value.errors[0].column == "Thôn, bản"


def test_a_blank_village_name_is_refused_by_the_api(client, world):
    from tests.factories import token

    response = client.post(
        reverse("api:village_create", kwargs={"unit_id": world.commune.pk}),
        '{"name": "   "}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token(world.province_admin)}",
    )
    assert response.status_code == 422


def test_the_villages_export_imports_back_without_adding_a_village_twice(client, world):
    import io

    unit(UnitKind.VILLAGE, "Bản Pa Tần 1", world.sibling_commune)
    client.force_login(world.province_admin)
    response = client.get(reverse("geo:village_export", args=[world.province.pk]))
    assert response.status_code == 200
    content = downloaded(response)
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Xã", "Thôn, bản")
    assert ("Xã Pa Tần", "Bản Pa Tần 1", "Huyện Sìn Hồ", "Tỉnh Lai Châu") in rows
    before = AdminUnit.objects.filter(kind=UnitKind.VILLAGE).count()
    created, _notes = villages.import_rows(io.BytesIO(content), world.province, LEGACY_FROM)
    assert list(created) == [] and len(created.skipped) == len(rows) - 1
    assert AdminUnit.objects.filter(kind=UnitKind.VILLAGE).count() == before


def test_a_village_is_not_added_twice_in_another_case_or_in_decomposed_unicode(client, world):
    import unicodedata

    from tests.factories import token

    client.force_login(world.province_admin)
    url = reverse("geo:village_add", args=[world.commune.pk])
    assert client.post(url, {"name": "Bản Hồng Thu"}).status_code == 302
    again = client.post(url, {"name": "bản  HỒNG thu"})
    assert again.status_code == 200 and "Bản Hồng Thu" in again.content.decode()
    decomposed = unicodedata.normalize("NFD", "Bản Hồng Thu")
    response = client.post(
        reverse("api:village_create", kwargs={"unit_id": world.commune.pk}),
        {"name": decomposed},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token(world.province_admin)}",
    )
    assert response.status_code == 422
    names = AdminUnit.objects.filter(parent=world.commune, kind="village").values_list(
        "name", flat=True
    )
    assert sorted(names) == ["Bản Hồng Thu", "Bản Sì Choang"]
    # A name that differs by a tone mark is another village.
    assert client.post(url, {"name": "Bản Hồng Thú"}).status_code == 302
