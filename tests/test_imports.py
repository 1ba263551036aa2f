"""Imports read cells honestly and files safely; exports never carry a live formula.

Every refused import stores nothing and says, for each bad cell, its row, its column and why
in words an officer can act on."""

import datetime
import io
import time
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from duan8.community import actions
from duan8.community.models import CommunityModel
from duan8.core import sheets
from tests.factories import downloaded, unit, xlsx

HEADER = ["Xã, thôn", "Tên", "Ngày thành lập", "Ngày giải thể", "Thành viên nữ", "Thành viên nam"]
DAY = datetime.date(2024, 1, 1)


def refused(world, data) -> dict[tuple[int, str], str]:
    before = CommunityModel.objects.count()
    with pytest.raises(sheets.ImportRefused) as caught:
        actions.import_rows(xlsx([HEADER, *data]), world.province, "communication_team", DAY)
    assert CommunityModel.objects.count() == before
    return {(e.row, e.column): e.message for e in caught.value.errors}


def test_each_bad_cell_gets_its_own_reason_and_nothing_is_stored(world):
    found = refused(
        world,
        [
            ["Xã Mồ Sì San", "Tổ A", "01/02/2024", None, -3, 1],
            ["Xã Mồ Sì San", "Tổ B", "01/02/2024", None, "1.5", 1],
            ["Xã Mồ Sì San", "Tổ C", "31/02/2024", None, 2, 1],
            ["Xã Mồ Sì San", "Tổ E", "01/02/2024", None, "năm", 1],
            ["Xã Mồ Sì San", "Tổ F", "01/02/2024", None, "2,5", 1],
        ],
    )
    assert "negative" in found[(2, "Thành viên nữ")] or "âm" in found[(2, "Thành viên nữ")]
    assert "1.500" in found[(3, "Thành viên nữ")]
    assert "29" not in found[(4, "Ngày thành lập")] and "31" in found[(4, "Ngày thành lập")]
    assert "năm" in found[(5, "Thành viên nữ")]
    assert "2,5" in found[(6, "Thành viên nữ")]
    assert len(set(found.values())) == len(found)  # five different reasons


def test_a_control_character_typed_into_a_form_or_the_api_is_refused(client, world):
    import json

    from tests.factories import token

    client.force_login(world.commune_editor)
    page = client.post(
        reverse("community:create", args=[world.commune.pk]) + "?kind=communication_team",
        {
            "kind": "communication_team",
            "unit": world.village.pk,
            "name": "Tổ\x07 truyền thông",
            "established_on": "05/09/2023",
            "ended_on": "",
            "members_women": "12",
            "members_men": "10",
        },
    )
    assert page.status_code == 200 and "name" in page.context["form"].errors
    response = client.post(
        "/api/v1/models",
        json.dumps(
            {
                "kind": "communication_team",
                "unit": world.commune.pk,
                "name": "Tổ\x1b truyền thông",
                "established_on": "2024-02-01",
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token(world.commune_editor)}",
    )
    assert response.status_code == 422, response.content
    assert not CommunityModel.objects.filter(name__startswith="Tổ\x1b").exists()


def formula_file() -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["Xã Mồ Sì San", "Tổ A", "01/02/2024", None, "=1+1", 1])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "formula.xlsx"
    return out


def test_a_formula_cell_is_refused_with_a_request_for_values(world):
    with pytest.raises(sheets.ImportRefused) as caught:
        actions.import_rows(formula_file(), world.province, "communication_team", DAY)
    (error,) = caught.value.errors
    assert (error.row, error.column) == (2, "Thành viên nữ") and "=1+1" in error.message
    assert not CommunityModel.objects.filter(name="Tổ A").exists()


def zip_bomb() -> io.BytesIO:
    """A valid workbook with one more part that unpacks to 220 MB of zeros (about 200 KB)."""
    out = io.BytesIO(formula_file().getvalue())
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as package:
        with package.open("xl/media/filler.bin", "w") as filler:
            chunk = bytes(1024 * 1024)
            for _ in range(220):
                filler.write(chunk)
    out.seek(0)
    out.name = "bomb.xlsx"
    return out


def test_a_file_that_unpacks_to_too_much_is_refused_before_it_is_read(world):
    bomb = zip_bomb()
    assert len(bomb.getvalue()) < 1024 * 1024
    began = time.perf_counter()
    with pytest.raises(sheets.ImportRefused) as caught:
        actions.import_rows(bomb, world.province, "communication_team", DAY)
    assert time.perf_counter() - began < 1.0
    assert "220 MB" in caught.value.errors[0].message


def test_a_file_that_is_not_a_workbook_is_refused(world):
    fake = io.BytesIO(b"PK\x03\x04 not really a zip")
    fake.name = "fake.xlsx"
    with pytest.raises(sheets.ImportRefused):
        actions.import_rows(fake, world.province, "communication_team", DAY)


def test_names_typed_in_decomposed_unicode_are_stored_composed(world):
    decomposed = "Tổ truyền thông bản Sì Choang".encode().decode()
    import unicodedata

    nfd = unicodedata.normalize("NFD", decomposed)
    (created,) = actions.import_rows(
        xlsx([HEADER, [unicodedata.normalize("NFD", "Xã Mồ Sì San"), nfd, "01/02/2024"]]),
        world.province,
        "communication_team",
        DAY,
    )
    created.refresh_from_db()
    assert created.name == unicodedata.normalize("NFC", decomposed)
    assert created.unit == world.commune


def test_a_name_that_starts_with_equals_is_exported_as_text(client, world):
    actions.save(
        CommunityModel(
            kind="communication_team",
            unit=world.commune,
            name='=HYPERLINK("http://x.example","Bấm")',
            established_on=datetime.date(2024, 2, 1),
        )
    )
    # A control character written around the app (an old database) does not break exports.
    CommunityModel.objects.filter(pk=world.team.pk).update(name="Tổ\x0b cũ")
    client.force_login(world.province_admin)
    response = client.get(
        reverse("community:export", args=[world.province.pk]), {"kind": "communication_team"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(downloaded(response))).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    formula = next(c for c in cells if c.value.startswith("=HYPERLINK"))
    assert formula.data_type == "s" and formula.quotePrefix
    assert any(c.value == "Tổ cũ" for c in cells)


def test_a_commune_named_with_its_district_after_a_comma_is_found(world):
    other = unit("district", "Huyện Sìn Hồ 2", world.province)
    unit("commune", "Xã Mồ Sì San", other)
    data = [["xa mo si san, h. phong tho", "Tổ G", "01/02/2024"]]
    (created,) = actions.import_rows(
        xlsx([HEADER, *data]), world.province, "communication_team", DAY
    )
    assert created.unit == world.commune
    found = refused(world, [["Xa Mo Si San", "Tổ H", "01/02/2024"]])
    assert "Phong Thổ" in found[(2, "Xã, thôn")]


def test_a_unit_named_in_a_context_column_narrows_the_name(world):
    other = unit("district", "Huyện Sìn Hồ 2", world.province)
    twin = unit("commune", "Xã Mồ Sì San", other)
    data = [
        [*HEADER, "Thuộc huyện"],
        ["Xã Mồ Sì San", "Tổ I", "01/02/2024", None, None, None, "Sìn Hồ 2"],
    ]
    (created,) = actions.import_rows(xlsx(data), world.province, "communication_team", DAY)
    assert created.unit == twin


def test_the_refused_file_comes_back_marked_to_its_uploader_only(client, world):
    rows = [["Xã Mồ Sì San", "Tổ A", "01/02/2024"], ["Xã Không Có", "Tổ B", "01/02/2024"]]
    client.force_login(world.province_admin)
    page = client.post(
        reverse("community:import", args=[world.province.pk]) + "?kind=communication_team",
        {"kind": "communication_team", "file": xlsx([HEADER[:3], *rows]), "on": "01/01/2024"},
    )
    url = page.context["annotated_url"]
    sheet = load_workbook(io.BytesIO(b"".join(client.get(url).streaming_content))).active
    assert sheet["A3"].comment is not None and "Không Có" in sheet["A3"].comment.text
    assert sheet["A2"].comment is None
    client.force_login(world.commune_editor)
    assert client.get(url).status_code == 404


# Round trips ---------------------------------------------------------------------------------


def export(client, world) -> bytes:
    response = client.get(
        reverse("community:export", args=[world.province.pk]), {"kind": "communication_team"}
    )
    assert response.status_code == 200
    return downloaded(response)


def import_back(client, world, content: bytes, existing: str = "skip"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("mo-hinh.xlsx", content)
    return client.post(
        reverse("community:import", args=[world.province.pk]) + "?kind=communication_team",
        {"kind": "communication_team", "file": upload, "on": "01/01/2024", "existing": existing},
        follow=True,
    )


def test_an_export_imports_back_without_storing_anything_twice(client, world):
    actions.save(
        CommunityModel(
            kind="communication_team",
            unit=world.village,
            name="Tổ truyền thông bản Sì Choang",
            established_on=datetime.date(2024, 3, 1),
        )
    )
    unit("village", "Bản Sì Choang", world.sibling_commune)  # the same village name elsewhere
    client.force_login(world.province_admin)
    content = export(client, world)
    header = [c.value for c in load_workbook(io.BytesIO(content)).active[1]]
    assert header == actions.EXPORT_HEADERS
    before = CommunityModel.objects.count()
    page = import_back(client, world, content)
    assert CommunityModel.objects.count() == before
    shown = [str(m) for m in page.context["messages"]]
    assert any("bỏ qua" in m or "skipped" in m for m in shown), shown


def test_an_edited_export_updates_the_models_when_asked(client, world):
    from duan8.core.models import AuditEvent

    client.force_login(world.province_admin)
    book = load_workbook(io.BytesIO(export(client, world)))
    sheet = book.active
    women = actions.EXPORT_HEADERS.index("Thành viên nữ") + 1
    sheet.cell(2, women).value = 17
    out = io.BytesIO()
    book.save(out)
    before = CommunityModel.objects.count()
    events = AuditEvent.objects.count()
    import_back(client, world, out.getvalue(), existing="update")
    world.team.refresh_from_db()
    assert world.team.members_women == 17
    assert CommunityModel.objects.count() == before
    assert AuditEvent.objects.count() > events  # the update is in the audit trail


def test_the_same_model_twice_in_one_file_is_refused(world):
    found = refused(
        world,
        [
            ["Xã Mồ Sì San", "Tổ Một", "01/02/2024"],
            ["xã mồ sì san", "tổ  một", "01/02/2024"],
        ],
    )
    assert "2" in found[(3, "Tên")]


def test_an_activities_export_imports_back_and_a_changed_count_updates_when_asked(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from duan8.activities import actions as activity_actions
    from duan8.activities.models import Activity

    client.force_login(world.province_admin)
    response = client.get(
        reverse("activities:export", args=[world.province.pk]), {"kind": "dialogue"}
    )
    book = load_workbook(io.BytesIO(downloaded(response)))
    assert [c.value for c in book.active[1]] == activity_actions.EXPORT_HEADERS
    women = activity_actions.EXPORT_HEADERS.index("Trong đó nữ") + 1
    row = next(
        r
        for r in range(2, book.active.max_row + 1)
        if book.active.cell(r, 1).value == world.dialogue.pk
    )
    book.active.cell(row, women).value = 41
    out = io.BytesIO()
    book.save(out)
    before, original = Activity.objects.count(), world.dialogue.participants_women
    url = reverse("activities:import", args=[world.province.pk])
    for existing, expected in (("skip", original), ("update", 41)):
        client.post(
            url,
            {
                "kind": "dialogue",
                "dialogue_level": "commune",
                "file": SimpleUploadedFile("hoat-dong.xlsx", out.getvalue()),
                "existing": existing,
            },
        )
        world.dialogue.refresh_from_db()
        assert world.dialogue.participants_women == expected
    assert Activity.objects.count() == before


def test_an_export_reads_the_names_above_each_unit_without_a_query_per_row(
    client, world, django_assert_max_num_queries
):
    for i in range(30):
        actions.save(
            CommunityModel(
                kind="communication_team",
                unit=world.village,
                name=f"Tổ {i}",
                established_on=datetime.date(2024, 3, 1),
            )
        )
    client.force_login(world.province_admin)
    with django_assert_max_num_queries(15):
        content = export(client, world)
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 31
    assert ("Xã Mồ Sì San", "Huyện Phong Thổ", "Tỉnh Lai Châu") in {r[-3:] for r in rows}


def test_an_id_written_twice_or_on_another_records_name_is_refused(world):
    other = actions.save(
        CommunityModel(
            kind="communication_team",
            unit=world.commune,
            name="Tổ Hai",
            established_on=datetime.date(2024, 2, 1),
        )
    )
    third = actions.save(
        CommunityModel(
            kind="communication_team",
            unit=world.commune,
            name="Tổ Ba",
            established_on=datetime.date(2024, 4, 1),
        )
    )
    header = ["Mã mô hình", *HEADER[:3]]
    data = [
        [world.team.pk, "Xã Mồ Sì San", world.team.name, world.team.established_on],
        [world.team.pk, "Xã Mồ Sì San", "Tên khác", world.team.established_on],
        [third.pk + 10_000, "Xã Mồ Sì San", "Tổ Ba", "01/02/2024"],
        ["²", "Xã Mồ Sì San", "Tổ Bốn", "01/02/2024"],
        [third.pk, "Xã Mồ Sì San", "Tổ Hai", "01/02/2024"],  # the third, renamed as the other
    ]
    with pytest.raises(sheets.ImportRefused) as caught:
        actions.import_rows(xlsx([header, *data]), world.province, "communication_team", DAY)
    found = {(e.row, e.column) for e in caught.value.errors}
    assert (3, "Mã mô hình") in found  # the same id again
    assert {(4, "Mã mô hình"), (5, "Mã mô hình")} <= found  # no such record; not a number
    (renamed,) = [e for e in caught.value.errors if e.row == 6]
    assert renamed.column == "Tên" and f"{other.pk})" in renamed.message


def test_the_kind_may_be_written_in_either_language_of_the_app(world):
    header = ["Loại", *HEADER[:3]]
    rows = [
        ["Community communication team", "Xã Mồ Sì San", "Tổ Năm", "01/02/2024"],
        ["communication_team", "Xã Mồ Sì San", "Tổ Sáu", "01/02/2024"],
    ]
    created = actions.import_rows(xlsx([header, *rows]), world.province, "communication_team", DAY)
    assert len(created) == 2


def test_a_stored_name_hiding_a_formula_behind_a_control_character_exports_as_text(client, world):
    CommunityModel.objects.filter(pk=world.team.pk).update(name='\x01=HYPERLINK("x")')
    client.force_login(world.province_admin)
    sheet = load_workbook(io.BytesIO(export(client, world))).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value == '=HYPERLINK("x")']
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_the_marked_copy_finds_a_column_named_by_an_alias(world):
    from duan8.core import import_errors

    upload = xlsx([["Đơn vị", "Tên mô hình", "Ngày thành lập"], ["Xã Mồ Sì San", "", "01/02/2024"]])
    with pytest.raises(sheets.ImportRefused) as caught:
        actions.import_rows(upload, world.province, "communication_team", DAY)
    content = import_errors.annotate(upload, caught.value.errors, actions.COLUMNS)
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["B2"].comment is not None and sheet["A2"].comment is None


def test_todays_province_imports_its_own_export_back_with_the_former_communes_records(client, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from duan8.accounts.models import Role
    from tests.factories import ReformWorld, user

    reform = ReformWorld()
    actions.save(
        CommunityModel(
            kind="communication_team",
            unit=reform.mu_sang,
            name="Tổ Mù Sang 2024",
            established_on=datetime.date(2024, 5, 1),
        )
    )
    client.force_login(user("laichau.quantri", role=Role.UNIT_ADMIN, on=reform.lai_chau))
    content = downloaded(
        client.get(
            reverse("community:export", args=[reform.lai_chau.pk]),
            {"kind": "communication_team"},
        )
    )
    names = [
        r[3]
        for r in load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2, values_only=True)
    ]
    assert names == ["Tổ Mù Sang 2024"]
    before = CommunityModel.objects.count()
    page = client.post(
        reverse("community:import", args=[reform.lai_chau.pk]) + "?kind=communication_team",
        {
            "kind": "communication_team",
            "file": SimpleUploadedFile("mo-hinh.xlsx", content),
            "on": "01/01/2026",
            "existing": "skip",
        },
        follow=True,
    )
    assert CommunityModel.objects.count() == before
    assert not page.context.get("errors")


def test_a_commune_code_excel_stored_as_a_number_is_still_found(world):
    # "03553" typed into a number cell becomes 3553.
    (created,) = actions.import_rows(
        xlsx([HEADER[:3], [3553, "Tổ Bảy", "01/02/2024"]]),
        world.province,
        "communication_team",
        DAY,
    )
    assert created.unit == world.commune


def _template(client, world, name):
    client.force_login(world.province_admin)
    response = client.get(reverse(name, args=[world.province.pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(downloaded(response)))


def test_the_template_offers_the_units_and_kinds_of_the_scope_and_says_how_to_fill_it(
    client, world
):
    unit("commune", "Xã Mồ Sì San", world.sibling_district)  # a name two communes share
    book = _template(client, world, "community:template")
    data, guide, lists = book.worksheets
    assert [c.value for c in data[1]] == [c.header for c in actions.COLUMNS]
    names = {row[0] for row in lists.iter_rows(min_row=2, max_col=1, values_only=True)}
    assert "Bản Sì Choang" in names and "Xã Pa Tần" in names
    assert {"Xã Mồ Sì San, Huyện Phong Thổ", "Xã Mồ Sì San, Huyện Sìn Hồ"} <= names
    assert "Xã Chiềng Sơn" not in names  # Sơn La is not the officer's
    kinds = {row[1] for row in lists.iter_rows(min_row=2, max_col=2, values_only=True)}
    assert "Tổ truyền thông cộng đồng" in kinds
    (unit_list,) = [v for v in data.data_validations.dataValidation if "C2" in str(v.sqref)]
    assert unit_list.type == "list" and "$A$2" in unit_list.formula1
    instructions = {row[0]: (row[1], row[2]) for row in guide.iter_rows(values_only=True) if row[0]}
    assert instructions["Xã, thôn"][0] == "có" and "Xã Nậm Chà" in instructions["Xã, thôn"][1]
    assert instructions["Ngày giải thể"][0] == "không"


def test_a_template_filled_from_its_lists_imports_cleanly(client, world):
    unit("commune", "Xã Mồ Sì San", world.sibling_district)
    book = _template(client, world, "community:template")
    data, _guide, lists = book.worksheets
    names = [row[0] for row in lists.iter_rows(min_row=2, max_col=1, values_only=True)]
    chosen = [n for n in names if n and n.startswith("Xã Mồ Sì San,")]
    for number, name in enumerate(chosen, start=2):
        data.cell(number, 2, "Tổ truyền thông cộng đồng")
        data.cell(number, 3, name)
        data.cell(number, 4, f"Tổ mẫu {number}")
        data.cell(number, 5, "01/03/2024")
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    created = actions.import_rows(out, world.province, "communication_team", DAY)
    assert sorted(m.unit.parent.name for m in created) == ["Huyện Phong Thổ", "Huyện Sìn Hồ"]


def test_the_activities_and_villages_templates_carry_their_instructions(client, world):
    from duan8.activities import actions as activity_actions
    from duan8.geo import villages

    for name, columns in (
        ("activities:template", activity_actions.COLUMNS),
        ("geo:village_template", villages.COLUMNS),
    ):
        data, guide, _lists = _template(client, world, name).worksheets
        assert [c.value for c in data[1]] == [c.header for c in columns]
        described = {row[0] for row in guide.iter_rows(values_only=True) if row[2]}
        assert {c.header for c in columns} <= described
