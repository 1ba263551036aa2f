"""The documents written from the demo data, read back with python-docx cell by cell: the
allocation notice of Lai Châu's second half of 2024 has the allocation table of notice
32/TB-BTV (seed 000), the Phong Thổ 2024 plan the budget table of plan 117/KH-UBND (seed 003
§IV: 7.588,63 = 3.859 + 3.729,63, district and commune). Loading the official units and the
demo takes a while, so this module loads once."""

import datetime

import pytest

from duan8.accounts.models import User
from duan8.documents import actions, word
from duan8.documents.models import Kind
from duan8.framework.models import Indicator
from duan8.geo.models import AdminUnit, UnitKind
from tests import demo_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        demo_db.load_demo()
        yield
        demo_db.wipe()


def lai_chau() -> AdminUnit:
    return AdminUnit.objects.get(kind=UnitKind.PROVINCE, code="12", valid_until__isnull=False)


def phong_tho() -> AdminUnit:
    return AdminUnit.objects.get(kind=UnitKind.DISTRICT, code="109", valid_until__isnull=False)


def admin() -> User:
    return User.objects.get(username="admin")


def table_with(data: bytes, first_cell: str) -> list[list[str]]:
    for table in word.tables_of(data):
        if table and table[0] and table[0][0] == first_cell and len(table) > 1:
            yield table


def test_lai_chau_notice_has_the_allocation_table_of_notice_32(demo, db):
    document = actions.generate(
        admin(), Kind.NOTICE, lai_chau(), period="2024-H2", today=datetime.date(2024, 6, 28)
    )
    data = actions.render(document)
    (table,) = [t for t in table_with(data, "STT") if t[0][1] == "Đơn vị"]
    head = table[0]

    def column(code: str) -> int:
        name = Indicator.objects.get(code=code).name
        (index,) = [i for i, title in enumerate(head) if title.startswith(name)]
        return index

    dialogues, me, clubs = column("DTCS"), column("GSBDG"), column("CLB")
    rows = {row[1]: row for row in table[1:]}
    # 138 dialogues by district (Than Uyên 05, Nậm Nhùn 12, Tam Đường 24, Tân Uyên 08,
    # Phong Thổ 41, Sìn Hồ 30, Mường Tè 18).
    expected_dialogues = {
        "Huyện Than Uyên": "5",
        "Huyện Nậm Nhùn": "12",
        "Huyện Tam Đường": "24",
        "Huyện Tân Uyên": "8",
        "Huyện Phong Thổ": "41",
        "Huyện Sìn Hồ": "30",
        "Huyện Mường Tè": "18",
    }
    for name, value in expected_dialogues.items():
        assert rows[name][dialogues] == value, name
    # 16 M&E trainings (Tam Đường 02, Sìn Hồ 04, Than Uyên 02, Phong Thổ 04, Nậm Nhùn 02,
    # Mường Tè 02); 29 clubs (Sìn Hồ 19, Nậm Nhùn 10).
    expected_me = {
        "Huyện Tam Đường": "2",
        "Huyện Sìn Hồ": "4",
        "Huyện Than Uyên": "2",
        "Huyện Phong Thổ": "4",
        "Huyện Nậm Nhùn": "2",
        "Huyện Mường Tè": "2",
        "Huyện Tân Uyên": "",
    }
    for name, value in expected_me.items():
        assert rows[name][me] == value, name
    assert rows["Huyện Sìn Hồ"][clubs] == "19"
    assert rows["Huyện Nậm Nhùn"][clubs] == "10"
    assert rows["Huyện Phong Thổ"][clubs] == ""
    total = rows["Tổng cộng"]
    assert (total[dialogues], total[me], total[clubs]) == ("138", "16", "29")
    # The programme 2 and 3 trainings are carried out by the province itself (7 and 61).
    kept = rows["Cấp tỉnh trực tiếp thực hiện"]
    assert (kept[column("CT2")], kept[column("CT3")], kept[dialogues]) == ("7", "61", "")
    # The written-out list, as the notice writes it.
    text = word.text_of(data)
    assert "(Than Uyên 05, Nậm Nhùn 12, Tam Đường 24, Tân Uyên 08" in text or (
        "Than Uyên 05" in text and "Phong Thổ 41" in text
    )


def test_lai_chau_notice_header_follows_decree_30(demo, db):
    document = actions.generate(
        admin(), Kind.NOTICE, lai_chau(), period="2024-H2", today=datetime.date(2024, 6, 28)
    )
    issued = actions.issue(admin(), document, number=32)
    data = actions.docx_of(issued)
    header = word.tables_of(data)[0][0]
    left, right = header
    assert left.split("\n") == ["HỘI LHPN TỈNH LAI CHÂU", "BAN THƯỜNG VỤ", "", "Số: 32/TB-BTV"]
    assert right.split("\n") == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "",
        "Lai Châu, ngày 28 tháng 6 năm 2024",
    ]


def test_phong_tho_plan_has_the_budget_table_of_plan_117(demo, db):
    document = actions.generate(
        admin(), Kind.PLAN, phong_tho(), period="2024", today=datetime.date(2024, 4, 1)
    )
    data = actions.render(document)
    (table,) = [t for t in table_with(data, "STT") if t[0][1] == "Nội dung"]
    assert table[0] == [
        "STT",
        "Nội dung",
        "Tổng số",
        "Vốn giao năm 2024",
        "Vốn chuyển nguồn năm 2023",
    ]
    assert table[1] == ["1", "Tổng nguồn kinh phí", "7.588,63", "3.859", "3.729,63"]
    assert table[2] == ["1.1", "Kinh phí cấp huyện", "3.259,46", "1.300", "1.959,46"]
    assert table[3] == ["1.2", "Kinh phí cấp xã", "4.329,17", "2.559", "1.770,17"]
    text = word.text_of(data)
    assert "Tổng nguồn kinh phí thực hiện dự án: 7.588,63 triệu đồng" in text
    assert "tổng số 15 xã, 118 thôn, bản" in text
    (area,) = [t for t in table_with(data, "STT") if t[0][1] == "Xã"]
    assert area[-1] == ["", "Tổng cộng", "118"]
    assert len(area) == 1 + 15 + 1
