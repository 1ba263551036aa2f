"""Demo mothers and births in Phong Thổ, marked "Dữ liệu minh họa": some eligible, some not,
each for a different reason, every one judged by the engine.

The names, citizen IDs and phones are made up (the CCCDs well formed for the mother's date of
birth, with Lai Châu's code 012 and serials starting 9xxxxx). Births are in villages of the
2024 project area (the demo's especially disadvantaged villages of Phong Thổ); one mother
lives in a village of a Phong Thổ commune outside the area, added for her and marked as a
demo village; one birth after the 2025 reform is in a village carried to a new commune, for
which nothing is classified yet.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from duan8.geo import demo as geo_demo
from duan8.geo import villages
from duan8.geo.models import AdminUnit, UnitKind
from duan8.maternal import actions
from duan8.maternal.models import Birth, EthnicGroup, Mother

DEMO_NOTE = "Dữ liệu minh họa"
D = datetime.date

# A third child with nothing that makes an exception.
THIRD = {
    "children_before": 2,
    "children_alive": 2,
    "deliveries_before": 2,
    "common_children_alive": 2,
    "mother_has_earlier_child": False,
    "husband_has_earlier_child": False,
    "child_with_certified_condition": False,
}
FIRST = {"children_before": 0, "children_alive": 0, "deliveries_before": 0}
SECOND = {"children_before": 1, "children_alive": 1, "deliveries_before": 1}

# (name, born, group, husband's group, household, village key, birth facts, why)
MOTHERS = [
    ("Lò Thị Mai", D(1998, 5, 10), "Mông", "Mông", "poor", 0, {**SECOND}, "eligible"),
    (
        "Giàng Thị Sua",
        D(1996, 2, 3),
        "Mông",
        "Mông",
        "",
        1,
        {**FIRST, "delivery": "caesarean"},
        "eligible, caesarean",
    ),
    (
        "Tẩn Thị Mẩy",
        D(1993, 11, 21),
        "Dao",
        "Dao",
        "near_poor",
        2,
        {**THIRD, "children_alive": 1, "common_children_alive": 1},
        "case 5: one child alive",
    ),
    ("Lò Thị Phương", D(1995, 7, 14), "Lự", "Giáy", "", 3, {**THIRD}, "case 2: very small group"),
    ("Vàng Thị Dợ", D(2007, 4, 2), "Mông", "Mông", "poor", 4, {**FIRST}, "17 years old"),
    ("Nguyễn Thị Hoa", D(1997, 9, 9), "Kinh", "Giáy", "", 5, {**FIRST}, "Kinh mother"),
    (
        "Sùng Thị Chơ",
        D(1999, 1, 30),
        "Mông",
        "Mông",
        "poor",
        6,
        {**SECOND, "place": "home", "facility_name": ""},
        "home birth",
    ),
    ("Phàn Thị Lan", D(1990, 3, 18), "Dao", "Dao", "", 7, {**THIRD}, "third child"),
    (
        "Chảo Thị Sì",
        D(1994, 6, 6),
        "Dao",
        "Dao",
        "other",
        8,
        {"children_before": None, "children_alive": None, "deliveries_before": None},
        "children before not known",
    ),
    (
        "Lý Thị Mừng",
        D(1997, 12, 12),
        "Hà Nhì",
        "Hà Nhì",
        "",
        "outside",
        {**FIRST},
        "village outside the disadvantaged area",
    ),
    (
        "Hảng Thị Dua",
        D(2000, 8, 8),
        "Mông",
        "Mông",
        "",
        "carried",
        {**FIRST, "date": D(2025, 8, 20)},
        "after the reform, nothing classified yet",
    ),
]


def _citizen_id(born: datetime.date, serial: int) -> str:
    century = {1900: 1, 2000: 3}[born.year // 100 * 100]
    return f"012{century}{born.year % 100:02d}9{serial:05d}"


def _villages() -> list[AdminUnit]:
    day = D(2024, 6, 1)
    return list(
        AdminUnit.objects.subtree(geo_demo.phong_tho())
        .filter(kind=UnitKind.VILLAGE)
        .valid_on(day)
        .exclude(name__startswith="Bản minh họa")
        .order_by("path")
    )


def _outside_village() -> AdminUnit | None:
    """A demo village in a Phong Thổ commune outside the 2024 project area (not region III,
    no especially disadvantaged village)."""
    from duan8.geo.models import Classification

    day = D(2024, 6, 1)
    classified = Classification.objects.values("unit_id")
    commune = (
        AdminUnit.objects.subtree(geo_demo.phong_tho())
        .filter(kind=UnitKind.COMMUNE)
        .valid_on(day)
        .exclude(pk__in=classified)
        .order_by("code")
        .first()
    )
    if commune is None:
        return None
    name = f"Bản minh họa – {commune.short_name}"
    found = commune.children.filter(kind=UnitKind.VILLAGE, name=name).first()
    return found or villages.add(commune, name, placeholder=True)


def _carried(village: AdminUnit) -> AdminUnit | None:
    link = village.successor_links.select_related("successor").first()
    return link.successor if link else None


@transaction.atomic
def load() -> int:
    """The demo mothers and births, judged; returns the births added (0 when loaded before
    or when the Phong Thổ demo area is missing)."""
    if Mother.objects.filter(notes=DEMO_NOTE).exists():
        return 0
    try:
        places = _villages()
    except AdminUnit.DoesNotExist:
        return 0
    if len(places) < 9:
        return 0
    groups = {group.name: group for group in EthnicGroup.objects.all()}
    added = 0
    for serial, (name, born, group, husband, household, where, facts, _why) in enumerate(
        MOTHERS, start=1
    ):
        if where == "outside":
            village = _outside_village()
        elif where == "carried":
            village = _carried(places[0])
        else:
            village = places[where * max(1, len(places) // 10)]
        if village is None:
            continue
        mother = actions.save_mother(
            Mother(
                unit=village,
                full_name=name,
                birth_date=born,
                ethnic_group=groups[group],
                husband_ethnic_group=groups[husband],
                household_status=household,
                citizen_id=_citizen_id(born, serial),
                phone=f"09{serial:02d}{born:%d%m}{serial:02d}",
                notes=DEMO_NOTE,
            )
        )
        values = {
            "date": D(2024, 3, 1) + datetime.timedelta(days=17 * serial),
            "place": "facility",
            "facility_name": f"Trạm y tế {village.parent.name}",
            "delivery": "normal",
            "babies": 1,
            "married": True,
            **facts,
        }
        actions.save_birth(Birth(mother=mother, unit=village, notes=DEMO_NOTE, **values))
        added += 1
    return added
