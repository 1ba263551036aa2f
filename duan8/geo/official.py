"""Official administrative units, read from the maintained ``vietnamadminunits`` package.

The package ships the official lists as an SQLite file: ``admin_units_legacy`` (63
provinces, 696 districts, 10,040 communes, in force until the 2025 reform) and
``admin_units`` (34 provinces, 3,321 communes from 1/7/2025).
"""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from django.db import transaction

from duan8.geo.models import AdminUnit, UnitKind

NATION_CODE = "VN"
NATION_VALID_FROM = datetime.date(1945, 9, 2)
# The legacy list is the tree as it stood before the reform. duan8 holds records from the
# start of phase I, so legacy units are taken as valid from then.
LEGACY_VALID_FROM = datetime.date(2021, 1, 1)
REFORM_DATE = datetime.date(2025, 7, 1)


def dataset_path() -> Path:
    import vietnamadminunits

    return Path(vietnamadminunits.__file__).resolve().parent / "data" / "dataset.db"


def legacy_rows(province_codes: Iterable[str] | None = None) -> list[sqlite3.Row]:
    connection = sqlite3.connect(f"file:{dataset_path()}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        sql = (
            "SELECT province, provinceShort, provinceCode, district, districtShort, districtCode,"
            " ward, wardShort, wardCode FROM admin_units_legacy"
        )
        params: list[str] = []
        codes = list(province_codes or [])
        if codes:
            sql += f" WHERE provinceCode IN ({','.join('?' * len(codes))})"
            params = codes
        return connection.execute(
            sql + " ORDER BY provinceCode, districtCode, wardCode", params
        ).fetchall()
    finally:
        connection.close()


def ensure_nation() -> AdminUnit:
    nation = AdminUnit.objects.filter(kind=UnitKind.NATION, code=NATION_CODE).first()
    if nation is None:
        nation = AdminUnit.objects.create(
            kind=UnitKind.NATION,
            code=NATION_CODE,
            name="Việt Nam",
            short_name="Việt Nam",
            valid_from=NATION_VALID_FROM,
        )
    return nation


def _ensure(
    existing: dict,
    kind: str,
    code: str,
    name: str,
    short: str,
    parent: AdminUnit,
    valid_from: datetime.date,
    valid_until: datetime.date | None,
) -> tuple[AdminUnit, bool]:
    unit = existing.get((kind, code))
    if unit is None:
        unit = AdminUnit.objects.create(
            kind=kind,
            code=code,
            name=name,
            short_name=short,
            parent=parent,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        existing[(kind, code)] = unit
        return unit, True
    return unit, False


@transaction.atomic
def load_legacy(province_codes: Iterable[str] | None = None) -> int:
    """Create the legacy provinces, districts and communes not yet present; return how many."""
    nation = ensure_nation()
    existing = {
        (u.kind, u.code): u
        for u in AdminUnit.objects.filter(valid_from=LEGACY_VALID_FROM).exclude(code="")
    }
    created = 0
    span = (LEGACY_VALID_FROM, REFORM_DATE)
    for row in legacy_rows(province_codes):
        province, new = _ensure(
            existing,
            UnitKind.PROVINCE,
            row["provinceCode"],
            row["province"],
            row["provinceShort"],
            nation,
            *span,
        )
        created += new
        district, new = _ensure(
            existing,
            UnitKind.DISTRICT,
            row["districtCode"],
            row["district"],
            row["districtShort"],
            province,
            *span,
        )
        created += new
        _, new = _ensure(
            existing,
            UnitKind.COMMUNE,
            row["wardCode"],
            row["ward"],
            row["wardShort"],
            district,
            *span,
        )
        created += new
    return created
