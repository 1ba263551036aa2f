"""Official administrative units and the 2025 successions, read from ``vietnamadminunits``.

The package ships the official lists as an SQLite file: ``admin_units_legacy`` (63
provinces, 696 districts, 10,035 communes, in force until 1/7/2025; five island districts
have no communes, which makes 10,040 units at the lowest level) and ``admin_units``
(34 provinces, 3,321 communes, wards and special zones from 1/7/2025), and the old → new
conversion as JSON. ``load`` creates what is missing, updates names that changed and is
otherwise a no-op: running it twice changes nothing.
"""

from __future__ import annotations

import datetime
import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from duan8.core import audit
from duan8.geo.models import AdminUnit, Succession, UnitKind

NATION_CODE = "VN"
NATION_VALID_FROM = datetime.date(1945, 9, 2)
# The legacy list is the tree as it stood before the reform. duan8 holds records from the
# start of phase I, so legacy units are taken as valid from then.
LEGACY_VALID_FROM = datetime.date(2021, 1, 1)
REFORM_DATE = datetime.date(2025, 7, 1)
PROVINCE_BASIS = "Nghị quyết 202/2025/QH15 ngày 12/6/2025"
COMMUNE_BASIS = "Nghị quyết của UBTVQH về sắp xếp ĐVHC cấp xã năm 2025"
DISTRICT_BASIS = "Luật Tổ chức chính quyền địa phương 2025: kết thúc hoạt động cấp huyện"


def data_dir() -> Path:
    import vietnamadminunits

    return Path(vietnamadminunits.__file__).resolve().parent / "data"


def _rows(sql: str, params: Iterable = ()) -> list[sqlite3.Row]:
    connection = sqlite3.connect(f"file:{data_dir() / 'dataset.db'}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute(sql, list(params)).fetchall()
    finally:
        connection.close()


def _where(codes: list[str]) -> tuple[str, list[str]]:
    if not codes:
        return "", []
    return f" WHERE provinceCode IN ({','.join('?' * len(codes))})", codes


def legacy_rows(province_codes: Iterable[str] = ()) -> list[sqlite3.Row]:
    where, params = _where(list(province_codes))
    return _rows(
        "SELECT province, provinceShort, provinceCode, provinceKey, district, districtShort,"
        " districtType, districtCode, districtKey, ward, wardShort, wardType, wardCode, wardKey"
        f" FROM admin_units_legacy{where} ORDER BY provinceCode, districtCode, wardCode",
        params,
    )


def new_rows(province_codes: Iterable[str] = ()) -> list[sqlite3.Row]:
    where, params = _where(list(province_codes))
    return _rows(
        "SELECT province, provinceShort, provinceCode, provinceKey, ward, wardShort, wardType,"
        f" wardCode, wardKey FROM admin_units{where} ORDER BY provinceCode, wardCode",
        params,
    )


def conversion() -> dict:
    with open(data_dir() / "converter_2025.json", encoding="utf-8") as handle:
        return json.load(handle)


_DISAMBIGUATION = re.compile(r"\s*\([^)]*\)$")


def _short(name: str) -> str:
    """The package writes "Kỳ Anh (Huyện)" where two units share a short name; the type is
    kept in ``unit_type`` and the short name as people write it."""
    return _DISAMBIGUATION.sub("", name)


def _province_type(full_name: str) -> str:
    return "Thành phố" if full_name.startswith("Thành phố") else "Tỉnh"


@dataclass
class LoadReport:
    created: int = 0
    renamed: int = 0
    successions: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created} units created, {self.renamed} renamed, "
            f"{self.successions} successions created"
        )


class _Loader:
    """Collects the units to create level by level, so each level's parents have ids."""

    def __init__(self, report: LoadReport) -> None:
        self.report = report
        self.known: dict[tuple[str, str, datetime.date], AdminUnit] = {
            (u.kind, u.code, u.valid_from): u for u in AdminUnit.objects.exclude(code="")
        }
        self.pending: list[AdminUnit] = []

    def unit(self, kind, code, unit_type, name, short, parent, valid_from, valid_until):
        short = _short(short)
        found = self.known.get((kind, code, valid_from))
        if found is not None:
            if (found.name, found.short_name, found.unit_type) != (name, short, unit_type):
                found.name, found.short_name, found.unit_type = name, short, unit_type
                found.save()
                self.report.renamed += 1
            return found
        unit = AdminUnit(
            kind=kind,
            code=code,
            name=name,
            short_name=short,
            unit_type=unit_type,
            parent=parent,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        self.known[(kind, code, valid_from)] = unit
        self.pending.append(unit)
        return unit

    def flush(self) -> None:
        if self.pending:
            audit.bulk_create(self.pending)
            self.report.created += len(self.pending)
            self.pending = []


def ensure_nation() -> AdminUnit:
    nation = AdminUnit.objects.filter(kind=UnitKind.NATION, code=NATION_CODE).first()
    if nation is None:
        nation = AdminUnit.objects.create(
            kind=UnitKind.NATION,
            code=NATION_CODE,
            name="Việt Nam",
            short_name="Việt Nam",
            unit_type="",
            valid_from=NATION_VALID_FROM,
        )
    return nation


def _provinces(loader: _Loader, rows, nation, valid_from, valid_until) -> dict[str, AdminUnit]:
    provinces = {}
    for row in rows:
        if row["provinceKey"] not in provinces:
            provinces[row["provinceKey"]] = loader.unit(
                UnitKind.PROVINCE,
                row["provinceCode"],
                _province_type(row["province"]),
                row["province"],
                row["provinceShort"],
                nation,
                valid_from,
                valid_until,
            )
    loader.flush()
    return provinces


def _load_legacy(loader: _Loader, nation, codes) -> dict[str, AdminUnit]:
    """Legacy tree; returns communes by "province_district_ward" key and provinces by key."""
    span = (LEGACY_VALID_FROM, REFORM_DATE)
    rows = legacy_rows(codes)
    provinces = _provinces(loader, rows, nation, *span)
    districts, by_key = {}, {}
    for row in rows:
        if row["districtCode"] not in districts:
            districts[row["districtCode"]] = loader.unit(
                UnitKind.DISTRICT,
                row["districtCode"],
                row["districtType"],
                row["district"],
                row["districtShort"],
                provinces[row["provinceKey"]],
                *span,
            )
    loader.flush()
    for row in rows:
        if row["wardCode"] is None:
            continue  # an island district without communes (Bạch Long Vĩ, Cồn Cỏ, …)
        key = f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey']}"
        by_key[key] = loader.unit(
            UnitKind.COMMUNE,
            row["wardCode"],
            row["wardType"],
            row["ward"],
            row["wardShort"],
            districts[row["districtCode"]],
            *span,
        )
    loader.flush()
    by_key.update({f"province:{k}": v for k, v in provinces.items()})
    by_key.update({f"district:{code}": v for code, v in districts.items()})
    return by_key


def _load_new(loader: _Loader, nation, codes) -> dict[str, AdminUnit]:
    rows = new_rows(codes)
    provinces = _provinces(loader, rows, nation, REFORM_DATE, None)
    by_key = {}
    for row in rows:
        by_key[f"{row['provinceKey']}_{row['wardKey']}"] = loader.unit(
            UnitKind.COMMUNE,
            row["wardCode"],
            row["wardType"],
            row["ward"],
            row["wardShort"],
            provinces[row["provinceKey"]],
            REFORM_DATE,
            None,
        )
    loader.flush()
    by_key.update({f"province:{k}": v for k, v in provinces.items()})
    return by_key


def _successions(old: dict, new: dict) -> list[Succession]:
    """Old → new links from the package's 2025 conversion data (only between loaded units)."""
    data = conversion()
    links: dict[tuple[int, int], Succession] = {}

    def link(before, after, *, default=True, basis=COMMUNE_BASIS):
        if before is None or after is None:
            return
        links.setdefault(
            (before.pk, after.pk),
            Succession(
                predecessor=before,
                successor=after,
                effective_on=REFORM_DATE,
                is_default=default,
                legal_basis=basis,
            ),
        )

    for new_key, old_keys in data["DICT_PROVINCE"].items():
        for old_key in old_keys:
            link(
                old.get(f"province:{old_key}"), new.get(f"province:{new_key}"), basis=PROVINCE_BASIS
            )
    for province_key, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_keys in wards.items():
            for old_key in old_keys:
                link(old.get(old_key), new.get(f"{province_key}_{ward_key}"))
    for province_key, divided in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in divided.items():
            for part in parts:
                link(
                    old.get(old_key),
                    new.get(f"{province_key}_{part['newWardKey']}"),
                    default=bool(part["isDefaultNewWard"]),
                )
    _district_links(old, new, link)
    existing = set(Succession.objects.values_list("predecessor_id", "successor_id"))
    return [s for pair, s in links.items() if pair not in existing]


def _district_links(old: dict, new: dict, link) -> None:
    """Districts ended on 1/7/2025 without a successor district. A district's facts still
    count, as of later dates, in the province that took over its province; an island
    district without communes (Côn Đảo, Lý Sơn, …) went into the special zone of its name.
    """
    new_provinces = {k.split(":", 1)[1]: v for k, v in new.items() if k.startswith("province:")}
    old_to_new = {}
    for new_key, old_keys in conversion()["DICT_PROVINCE"].items():
        for old_key in old_keys:
            if f"province:{old_key}" in old and new_key in new_provinces:
                old_to_new[old[f"province:{old_key}"].pk] = new_provinces[new_key]
    with_communes = {unit.parent_id for key, unit in old.items() if ":" not in key}
    new_communes = [u for k, u in new.items() if ":" not in k]
    for key, district in old.items():
        if not key.startswith("district:"):
            continue
        province = old_to_new.get(district.parent_id)
        if province is None:
            continue
        if district.pk not in with_communes:
            zone = next(
                (
                    c
                    for c in new_communes
                    if c.parent_id == province.pk
                    and c.unit_type == "Đặc khu"
                    and c.short_name == district.short_name
                ),
                None,
            )
            if zone is not None:
                link(district, zone, basis=COMMUNE_BASIS)
                continue
        link(district, province, basis=DISTRICT_BASIS)


@transaction.atomic
def load(
    province_codes: Iterable[str] = (), *, new_province_codes: Iterable[str] = ()
) -> LoadReport:
    """Load the official units (all, or those of the given legacy and new province codes)."""
    report = LoadReport()
    loader = _Loader(report)
    nation = ensure_nation()
    old = _load_legacy(loader, nation, list(province_codes))
    new = _load_new(loader, nation, list(new_province_codes))
    links = _successions(old, new)
    audit.bulk_create(links)
    report.successions = len(links)
    return report
