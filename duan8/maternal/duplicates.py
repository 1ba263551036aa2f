"""Records that may be one, flagged for an officer to review and never merged automatically:

- two mothers with the same citizen ID (CCCD);
- two mothers with the same name (folded: no diacritics, case or extra spaces), date of birth
  and village;
- two births of one mother less than six months apart.

A flag is kept once per pair (its ``key``), on the village of the newer record, and stays
with its review (not a duplicate, or the same person to correct by hand). When a record
changes so that a pair no longer matches, the pair's flag still waiting for review is
withdrawn; a reviewed flag stays as the record of the review.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from duan8.core import audit
from duan8.maternal.models import Birth, DuplicateFlag, DuplicateKind, Mother, ReviewState

CHUNK = 5000
MONTHS_APART = 6


def months_later(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months (the month's last day when it is shorter)."""
    import calendar

    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def too_close(first: datetime.date, second: datetime.date) -> bool:
    """Two births less than six months apart (on the sixth month's day they are not)."""
    early, late = sorted((first, second))
    return late < months_later(early, MONTHS_APART)


def _key(kind: str, a: int, b: int) -> str:
    low, high = sorted((a, b))
    return f"{kind}:{low}:{high}"


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def mother_pairs(mother_ids: Iterable[int]) -> list[tuple[str, int, int]]:
    """(kind, newer mother, other mother) for every mother of ``mother_ids`` that shares a
    CCCD, or a folded name, date of birth and village, with another mother."""
    ids = sorted(set(mother_ids))
    if not ids:
        return []
    mine = {}
    for chunk in _chunks(ids):
        for pk, cccd, key, born, unit_id in Mother.objects.filter(pk__in=chunk).values_list(
            "pk", "citizen_id", "name_key", "birth_date", "unit_id"
        ):
            mine[pk] = (cccd, key, born, unit_id)
    by_cccd = defaultdict(set)
    by_person = defaultdict(set)
    cccds = sorted({c for c, _k, _b, _u in mine.values() if c})
    for chunk in _chunks(cccds):
        for pk, cccd in Mother.objects.filter(citizen_id__in=chunk).values_list("pk", "citizen_id"):
            by_cccd[cccd].add(pk)
    names = sorted({k for _c, k, _b, _u in mine.values() if k})
    for chunk in _chunks(names):
        for pk, key, born, unit_id in Mother.objects.filter(name_key__in=chunk).values_list(
            "pk", "name_key", "birth_date", "unit_id"
        ):
            by_person[(key, born, unit_id)].add(pk)
    pairs = []
    for pk, (cccd, key, born, unit_id) in mine.items():
        for other in by_cccd.get(cccd, ()) if cccd else ():
            if other != pk:
                pairs.append((DuplicateKind.CITIZEN_ID, max(pk, other), min(pk, other)))
        for other in by_person.get((key, born, unit_id), ()):
            if other != pk:
                pairs.append((DuplicateKind.SAME_PERSON, max(pk, other), min(pk, other)))
    return sorted(set(pairs))


def birth_pairs(mother_ids: Iterable[int]) -> list[tuple[int, int, int]]:
    """(mother, newer birth, other birth) for the births of each mother less than six months
    apart."""
    ids = sorted(set(mother_ids))
    births = defaultdict(list)
    for chunk in _chunks(ids):
        for pk, mother_id, day in Birth.objects.filter(mother_id__in=chunk).values_list(
            "pk", "mother_id", "date"
        ):
            births[mother_id].append((day, pk))
    pairs = []
    for mother_id, found in births.items():
        found.sort()
        for index, (day, pk) in enumerate(found):
            for later_day, later in found[index + 1 :]:
                if not too_close(day, later_day):
                    break
                pairs.append((mother_id, max(pk, later), min(pk, later)))
    return sorted(set(pairs))


def refresh(mother_ids: Iterable[int]) -> int:
    """Flag every pair the mothers of ``mother_ids`` (and their births) form now, and
    withdraw their flags still open whose pair no longer matches. Returns the flags added."""
    ids = sorted(set(mother_ids))
    if not ids:
        return 0
    wanted: dict[str, dict] = {}
    for kind, newer, other in mother_pairs(ids):
        wanted[_key(kind, newer, other)] = {
            "kind": kind,
            "mother_id": newer,
            "other_mother_id": other,
        }
    for mother_id, newer, other in birth_pairs(ids):
        wanted[_key(DuplicateKind.CLOSE_BIRTHS, newer, other)] = {
            "kind": DuplicateKind.CLOSE_BIRTHS,
            "mother_id": mother_id,
            "other_mother_id": mother_id,
            "birth_id": newer,
            "other_birth_id": other,
        }
    existing = {}
    for chunk in _chunks(ids):
        chunk_q = Q(mother_id__in=chunk) | Q(other_mother_id__in=chunk)
        for flag in DuplicateFlag.objects.filter(chunk_q):
            existing[flag.key] = flag
    stale = [
        flag
        for key, flag in existing.items()
        if key not in wanted and flag.state == ReviewState.OPEN
    ]
    for flag in stale:
        flag.delete()
    new_keys = [key for key in wanted if key not in existing]
    if not new_keys:
        return 0
    units = {}
    for chunk in _chunks(sorted({wanted[k]["mother_id"] for k in new_keys})):
        units.update(Mother.objects.filter(pk__in=chunk).values_list("pk", "unit_id"))
    birth_units = {}
    birth_ids = sorted({wanted[k]["birth_id"] for k in new_keys if "birth_id" in wanted[k]})
    for chunk in _chunks(birth_ids):
        birth_units.update(Birth.objects.filter(pk__in=chunk).values_list("pk", "unit_id"))
    flags = []
    for key in new_keys:
        values = wanted[key]
        unit_id = (
            birth_units[values["birth_id"]] if "birth_id" in values else units[values["mother_id"]]
        )
        flags.append(DuplicateFlag(key=key, unit_id=unit_id, **values))
    audit.bulk_create(flags)
    return len(flags)


def open_flags_of(mother: Mother):
    """The flags a mother's page shows: on her or naming her, with her births'."""
    return DuplicateFlag.objects.filter(Q(mother=mother) | Q(other_mother=mother)).select_related(
        "mother", "other_mother", "birth", "other_birth", "unit"
    )
