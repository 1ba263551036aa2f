"""Matching names as people write them: no unit is picked when two are plausible."""

from dataclasses import dataclass

import pytest

from duan8.geo import matching


@dataclass
class FakeUnit:
    name: str
    short_name: str
    kind: str = "commune"

    @property
    def search_key(self):
        return matching.name_key(self.short_name)


PHUONG_LIET = FakeUnit("Phường Phương Liệt", "Phương Liệt")
QUAN_SON = FakeUnit("Huyện Quan Sơn", "Quan Sơn", "district")
QUAN_HOA = FakeUnit("Phường Quan Hoa", "Quan Hoa")
MO_SI_SAN = FakeUnit("Xã Mồ Sì San", "Mồ Sì San")
SIN_HO_DISTRICT = FakeUnit("Huyện Sìn Hồ", "Sìn Hồ", "district")
SIN_HO_TOWN = FakeUnit("Thị trấn Sìn Hồ", "Sìn Hồ")


@pytest.mark.parametrize(
    ("text", "unit", "status"),
    [
        ("Phường Phương Liệt", PHUONG_LIET, "exact"),
        ("Phương Liệt", PHUONG_LIET, "exact"),
        ("phuong liet", PHUONG_LIET, "fuzzy"),
        ("huyện Quan Sơn", QUAN_SON, "exact"),
        ("Quan Sơn", QUAN_SON, "exact"),
        ("Xã Mồ Sì San", MO_SI_SAN, "exact"),
        ("Mỏ Sì San", MO_SI_SAN, "fuzzy"),
        ("X. Mồ Sì San", MO_SI_SAN, "exact"),
        ("MỒ SÌ SAN", MO_SI_SAN, "exact"),  # the same name, only in capitals
    ],
)
def test_names_that_begin_with_a_type_like_word_still_match(text, unit, status):
    found = matching.match(text, [PHUONG_LIET, QUAN_SON, QUAN_HOA, MO_SI_SAN])
    assert (found.status, found.unit) == (status, unit)


def test_a_type_word_decides_between_two_units_of_the_same_name():
    units = [SIN_HO_DISTRICT, SIN_HO_TOWN]
    assert matching.match("huyện Sìn Hồ", units).unit is SIN_HO_DISTRICT
    assert matching.match("TT. Sìn Hồ", units).unit is SIN_HO_TOWN
    assert matching.match("Sìn Hồ", units).status == "ambiguous"


def test_a_type_hint_never_hides_a_unit_of_another_kind():
    found = matching.match("Quan Hoa", [QUAN_HOA, QUAN_SON])
    assert found.unit is QUAN_HOA


def test_a_typo_in_one_word_still_finds_the_unit_with_lower_confidence():
    found = matching.match("Sinh Hồ", [SIN_HO_DISTRICT, MO_SI_SAN])
    assert found.status == "fuzzy" and found.unit is SIN_HO_DISTRICT
    assert found.candidates[0].confidence < matching.SAME_KEY


def test_nothing_like_the_name_gives_none():
    assert matching.match("Hà Nội", [MO_SI_SAN]).status == "none"


def test_the_prefilter_keeps_units_sharing_a_word():
    query = matching.prefilter("Sinh Hồ")
    words = {
        value
        for child in query.children
        if isinstance(child, tuple)
        for lookup, value in [child]
        if lookup == "search_key__contains"
    }
    assert {"sinh", "ho"} <= words
