"""Mothers and births for the maternal tests, built inline with sensible defaults."""

from __future__ import annotations

import datetime
import itertools

from duan8.maternal.models import Birth, EthnicGroup, Mother

_serials = itertools.count(1)


def citizen_id(born: datetime.date, serial: int | None = None, province: str = "012") -> str:
    """A well-formed CCCD of a woman born on ``born``: province, century and sex, year, serial."""
    century = {1900: 1, 2000: 3}[born.year // 100 * 100]
    number = next(_serials) if serial is None else serial
    return f"{province}{century}{born.year % 100:02d}{number % 1_000_000:06d}"


def group(name: str) -> EthnicGroup:
    return EthnicGroup.objects.get(name=name)


def mother(unit, **fields) -> Mother:
    values = {
        "full_name": "Lò Thị Mai",
        "birth_date": datetime.date(1998, 5, 10),
        "ethnic_group": group("Mông"),
        "husband_ethnic_group": group("Mông"),
        "household_status": "",
    }
    values.update(fields)
    if "citizen_id" not in fields:
        values["citizen_id"] = citizen_id(values["birth_date"])
    record = Mother(unit=unit, **values)
    record.full_clean()
    record.save()
    return record


def birth(mother_record: Mother, **fields) -> Birth:
    values = {
        "unit": mother_record.unit,
        "date": datetime.date(2024, 3, 15),
        "place": "facility",
        "facility_name": "Trạm y tế xã Mồ Sì San",
        "delivery": "normal",
        "babies": 1,
        "children_before": 0,
        "children_alive": 0,
        "deliveries_before": 0,
        "married": True,
    }
    values.update(fields)
    record = Birth(mother=mother_record, **values)
    record.full_clean()
    record.save()
    return record
