"""Demo data for geography, from the seed documents.

Phong Thổ's 2024 plan (KH 117/KH-UBND, 01/4/2024) lists 15 project communes and 118
especially disadvantaged villages ("bản") by commune, with the plan's own spellings. The
village names are not in the plan: they are generated placeholders, flagged as such.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from duan8.geo import areas, matching, villages
from duan8.geo.models import AdminUnit, Classification, ClassificationKind, UnitKind
from duan8.geo.models.classification import DEFAULT_LEGAL_BASIS

PLAN_YEAR = 2024
PHONG_THO_DISTRICT_CODE = "109"
# (commune as the plan spells it, number of villages)
PHONG_THO_PLAN_2024 = [
    ("Sì Lở Lầu", 8),
    ("Vàng Ma Chải", 7),
    ("Mỏ Sì San", 4),
    ("Pa Vây sừ", 6),
    ("Tung Qua Lìn", 5),
    ("Dào San", 9),
    ("Mù Sang", 10),
    ("Bản Lang", 13),
    ("Hoang Thèn", 8),
    ("Nậm Xe", 16),
    ("Sin Suối Hồ", 10),
    ("Lản Nhì Thàng", 8),
    ("Huổi Luông", 9),
    ("Ma Ly Pho", 1),
    ("Mường So", 4),
]
DEMO_NOTE = "Dữ liệu minh họa (demo)"
REGION_FROM = datetime.date(2021, 6, 4)  # Decision 861/QĐ-TTg
VILLAGES_FROM = datetime.date(2021, 9, 16)  # Decision 612/QĐ-UBDT


def phong_tho() -> AdminUnit:
    return AdminUnit.objects.get(
        kind=UnitKind.DISTRICT, code=PHONG_THO_DISTRICT_CODE, valid_until__isnull=False
    )


def plan_communes() -> list[tuple[str, int, matching.Match]]:
    day = datetime.date(PLAN_YEAR, 1, 1)
    communes = list(
        AdminUnit.objects.subtree(phong_tho()).filter(kind=UnitKind.COMMUNE).valid_on(day)
    )
    return [(name, count, matching.match(name, communes)) for name, count in PHONG_THO_PLAN_2024]


def _classify(unit: AdminUnit, kind: str, value: str, valid_from: datetime.date) -> None:
    Classification.objects.get_or_create(
        unit=unit,
        kind=kind,
        value=value,
        valid_from=valid_from,
        defaults={
            "valid_until": unit.valid_until,
            "legal_basis": DEFAULT_LEGAL_BASIS[kind],
            "note": DEMO_NOTE,
        },
    )


@transaction.atomic
def load_phong_tho_project_area() -> int:
    """The 2024 project area of Phong Thổ: 15 communes, 118 villages. Returns villages added."""
    added = 0
    for name, count, found in plan_communes():
        commune = found.unit
        if commune is None:
            raise RuntimeError(f"Phong Thổ plan commune {name!r} did not match: {found.status}")
        _classify(commune, ClassificationKind.REGION, "III", REGION_FROM)
        existing = commune.children.filter(kind=UnitKind.VILLAGE).count()
        for number in range(existing + 1, count + 1):
            villages.add(commune, f"Bản {number:02d} – {commune.short_name}", placeholder=True)
            added += 1
        for village in commune.children.filter(kind=UnitKind.VILLAGE):
            _classify(village, ClassificationKind.DISADVANTAGED_VILLAGE, "", VILLAGES_FROM)
    areas.propose(phong_tho(), PLAN_YEAR)
    return added
