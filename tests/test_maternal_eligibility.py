"""Who qualifies for the safe-birth packages: each criterion, each case of Decree 39 Art. 1,
and their boundaries, as an officer reads them on a birth's decision."""

from __future__ import annotations

import datetime

import pytest

from duan8.geo.models import Classification, ClassificationKind
from duan8.maternal import actions, eligibility
from duan8.maternal.models import Decision, RuleSet
from tests.factories import unit
from tests.maternal_factories import birth, group, mother

D = datetime.date


def _criteria(decision_or_pair):
    result, criteria = decision_or_pair
    return result, {c["code"]: c for c in criteria}


def judged(record):
    rule_set = eligibility.rule_set_on(record.date, record.unit)
    return _criteria(eligibility.judge(record, rule_set))


# Decree 39 Art. 1 ----------------------------------------------------------------------------

# Facts of a birth with nothing known beyond what each row says.
NONE_KNOWN = {
    "children_before": None,
    "children_alive": None,
    "deliveries_before": None,
    "married": None,
}
# A third child with no exception: every fact known, none helping.
THIRD = {
    "children_before": 2,
    "children_alive": 2,
    "deliveries_before": 2,
    "common_children_alive": 2,
    "mother_has_earlier_child": False,
    "husband_has_earlier_child": False,
    "child_with_certified_condition": False,
    "married": True,
}

CASES = [
    # (what the officer sees, mother's group, husband's group, facts, outcome, case)
    ("a first child", "Mông", "Mông", {"children_before": 0}, "met", 1),
    ("a second child", "Mông", "Mông", {"children_before": 1, "deliveries_before": 1}, "met", 1),
    ("a third child and no exception", "Mông", "Mông", THIRD, "not_met", None),
    (
        "a fourth child and no exception",
        "Mông",
        "Mông",
        {
            **THIRD,
            "children_before": 3,
            "children_alive": 3,
            "deliveries_before": 3,
            "common_children_alive": 3,
        },
        "not_met",
        None,
    ),
    ("case 2: a third child of a Si La mother", "Si La", "Mông", THIRD, "met", 2),
    ("case 2: a third child of a Mông mother and a Lự husband", "Mông", "Lự", THIRD, "met", 2),
    (
        "case 2: a fourth child of a Si La mother",
        "Si La",
        "Si La",
        {
            **THIRD,
            "children_before": 3,
            "children_alive": 3,
            "deliveries_before": 3,
            "common_children_alive": 3,
        },
        "not_met",
        None,
    ),
    ("case 2: third child, husband's group not written", "Mông", None, THIRD, "unknown", None),
    (
        "case 2: third child of an unmarried Mông mother, no husband to ask about",
        "Mông",
        None,
        {
            **THIRD,
            "married": False,
            "common_children_alive": None,
            "mother_has_earlier_child": None,
            "husband_has_earlier_child": None,
        },
        "not_met",
        None,
    ),
    (
        "case 3: triplets at the first delivery",
        "Mông",
        "Mông",
        {"children_before": 0, "children_alive": 0, "deliveries_before": 0, "babies": 3},
        "met",
        3,
    ),
    (
        "case 3: triplets at a second delivery after twins",
        "Mông",
        "Mông",
        {**THIRD, "deliveries_before": 1, "babies": 3},
        "not_met",
        None,
    ),
    (
        "case 4: twins at the second delivery after one child",
        "Mông",
        "Mông",
        {
            **THIRD,
            "children_before": 1,
            "children_alive": 1,
            "deliveries_before": 1,
            "common_children_alive": 1,
            "babies": 2,
        },
        "met",
        4,
    ),
    (
        "case 5: a third child when only one child is alive",
        "Mông",
        "Mông",
        {**THIRD, "children_alive": 1, "common_children_alive": 1},
        "met",
        5,
    ),
    (
        "case 5: a fifth delivery with one child alive",
        "Mông",
        "Mông",
        {
            **THIRD,
            "children_before": 4,
            "children_alive": 1,
            "deliveries_before": 4,
            "common_children_alive": 1,
        },
        "met",
        5,
    ),
    (
        "case 6: a third child when a child has a certified birth defect",
        "Mông",
        "Mông",
        {**THIRD, "child_with_certified_condition": True},
        "met",
        6,
    ),
    (
        "case 6: the defect not certified",
        "Mông",
        "Mông",
        {**THIRD, "child_with_certified_condition": None},
        "unknown",
        None,
    ),
    (
        "case 7: a third child, the first of a couple whose wife has two from before",
        "Mông",
        "Mông",
        {**THIRD, "common_children_alive": 0, "mother_has_earlier_child": True},
        "met",
        7,
    ),
    (
        "case 7: the couple already has two together",
        "Mông",
        "Mông",
        {
            **THIRD,
            "children_before": 3,
            "children_alive": 3,
            "deliveries_before": 3,
            "mother_has_earlier_child": True,
        },
        "not_met",
        None,
    ),
    (
        "case 8: twins of a couple who both have children from before",
        "Mông",
        "Mông",
        {
            **THIRD,
            "children_before": 3,
            "children_alive": 3,
            "deliveries_before": 3,
            "common_children_alive": 1,
            "mother_has_earlier_child": True,
            "husband_has_earlier_child": True,
            "babies": 2,
        },
        "met",
        8,
    ),
    (
        "case 8: both have children from before and two together",
        "Mông",
        "Mông",
        {**THIRD, "mother_has_earlier_child": True, "husband_has_earlier_child": True},
        "not_met",
        None,
    ),
    ("nothing known of earlier children", "Mông", "Mông", NONE_KNOWN, "unknown", None),
]


@pytest.mark.parametrize(
    ("what", "mother_group", "husband_group", "facts", "outcome", "case"),
    CASES,
    ids=[row[0] for row in CASES],
)
def test_each_case_of_decree_39(world, what, mother_group, husband_group, facts, outcome, case):
    record = birth(
        mother(
            world.village,
            ethnic_group=group(mother_group),
            husband_ethnic_group=group(husband_group) if husband_group else None,
        ),
        **{**NONE_KNOWN, **facts},
    )
    _result, criteria = judged(record)
    found = criteria["population_policy"]
    assert found["outcome"] == outcome, found["reason"]
    if case is not None:
        assert found["reason"].startswith(f"Trường hợp {case} Điều 1"), found["reason"]
    if outcome == "unknown":
        assert found["reason"].startswith("Chưa đủ thông tin")
        assert "Cần ghi:" in found["reason"]


def test_case_9_an_unmarried_poor_mother_of_one_or_two(world):
    record = birth(
        mother(world.village, household_status="poor"),
        children_before=1,
        children_alive=1,
        deliveries_before=1,
        married=False,
    )
    cases = eligibility.decree_39_cases(
        record, eligibility.rule_set_on(record.date), eligibility.Context()
    )
    assert cases[9].value is True
    assert cases[1].value is True  # the reason names the first case that applies
    assert judged(record)[1]["population_policy"]["reason"].startswith("Trường hợp 1")


def test_a_missing_fact_is_named_never_guessed(world):
    record = birth(mother(world.village), **{**THIRD, "deliveries_before": None})
    _result, criteria = judged(record)
    # Case 5 needs the number of earlier deliveries only if one child is alive: two are.
    assert criteria["population_policy"]["outcome"] == "not_met"
    record = birth(
        mother(world.village, full_name="Vàng Thị Dợ"),
        **{**THIRD, "children_alive": 1, "deliveries_before": None},
    )
    _result, criteria = judged(record)
    assert criteria["population_policy"]["outcome"] == "unknown"
    assert "số lần sinh trước" in criteria["population_policy"]["reason"]


# The other criteria --------------------------------------------------------------------------


def test_a_birth_meeting_every_criterion_is_eligible(world):
    decision = eligibility.decide(birth(mother(world.village)))
    assert decision.result == "met"
    assert decision.rule_set.valid_from == D(2022, 7, 28)
    assert [c["code"] for c in decision.criteria] == [
        "ethnicity",
        "age",
        "residence",
        "facility",
        "poor_household",
        "population_policy",
    ]
    assert all(c["outcome"] == "met" for c in decision.criteria)
    assert "Mồ Sì San, xã khu vực III" in decision.criteria[2]["reason"]


AGES = [
    # (mother born, birth on, outcome)
    (D(2006, 3, 15), D(2024, 3, 15), "met"),  # her 18th birthday is the birth's day
    (D(2006, 3, 16), D(2024, 3, 15), "not_met"),  # a day short
    (D(2006, 3, 14), D(2024, 3, 15), "met"),
    (D(2004, 2, 29), D(2022, 2, 28), "not_met"),  # born on 29 February: 18 on 1 March
    (D(2004, 2, 29), D(2022, 3, 1), "met"),
]


@pytest.mark.parametrize(("born", "day", "outcome"), AGES)
def test_age_in_full_years_on_the_birth_date(world, born, day, outcome):
    if day < D(2022, 7, 28):
        RuleSet.objects.update(valid_from=D(2022, 1, 1))
    record = birth(mother(world.village, birth_date=born), date=day)
    result, criteria = judged(record)
    assert criteria["age"]["outcome"] == outcome, criteria["age"]["reason"]
    assert result == outcome
    if outcome == "not_met":
        assert "chưa đủ 18 tuổi" in criteria["age"]["reason"]


ETHNICITY = [
    # (mother, husband, outcome)
    ("Mông", None, "met"),
    ("Kinh", "Mông", "not_met"),  # Guidance 04: ethnic-minority mothers only
    ("Kinh", "Kinh", "not_met"),
    ("Kinh", None, "not_met"),
    ("Thái", "Kinh", "met"),
]


@pytest.mark.parametrize(("mother_group", "husband_group", "outcome"), ETHNICITY)
def test_the_mother_must_belong_to_an_ethnic_minority(world, mother_group, husband_group, outcome):
    record = birth(
        mother(
            world.village,
            ethnic_group=group(mother_group),
            husband_ethnic_group=group(husband_group) if husband_group else None,
        )
    )
    result, criteria = judged(record)
    assert criteria["ethnicity"]["outcome"] == outcome
    assert result == outcome


def test_a_kinh_mother_with_a_minority_husband_qualifies_only_where_a_rule_set_says_so(world):
    record = birth(
        mother(world.village, ethnic_group=group("Kinh"), husband_ethnic_group=group("Dao"))
    )
    _result, criteria = judged(record)
    assert "Hướng dẫn 04/HD-ĐCT" in criteria["ethnicity"]["reason"]
    assert "chồng là người dân tộc Dao" in criteria["ethnicity"]["reason"]
    RuleSet.objects.update(kinh_mother_with_minority_husband=True)
    result, criteria = judged(record)
    assert criteria["ethnicity"]["outcome"] == "met"
    assert result == "met"


def test_residence_in_a_region_iii_commune_or_a_disadvantaged_village_on_the_birth_date(world):
    in_region_iii = birth(mother(world.village))
    assert judged(in_region_iii)[1]["residence"]["outcome"] == "met"

    elsewhere = unit("village", "Bản Pa Tần", world.sibling_commune, code="")
    outside = birth(mother(elsewhere, full_name="Lý Thị Sểnh"))
    result, criteria = judged(outside)
    assert criteria["residence"]["outcome"] == "not_met"
    assert "không thuộc địa bàn đặc biệt khó khăn" in criteria["residence"]["reason"]
    assert result == "not_met"

    Classification.objects.create(
        unit=elsewhere,
        kind=ClassificationKind.DISADVANTAGED_VILLAGE,
        valid_from=D(2021, 9, 16),
        legal_basis="Quyết định 612/QĐ-UBDT",
    )
    result, criteria = judged(outside)
    assert criteria["residence"]["outcome"] == "met"
    assert "thôn đặc biệt khó khăn" in criteria["residence"]["reason"]


def test_a_classification_counts_only_while_in_force(world):
    Classification.objects.filter(pk=world.classification.pk).update(valid_until=D(2024, 1, 1))
    before = birth(mother(world.village), date=D(2023, 12, 31))
    after = birth(mother(world.village, full_name="Giàng Thị Sua"), date=D(2024, 1, 1))
    assert judged(before)[1]["residence"]["outcome"] == "met"
    assert judged(after)[1]["residence"]["outcome"] == "not_met"


@pytest.mark.parametrize(
    ("place", "outcome"), [("facility", "met"), ("home", "not_met"), ("other", "not_met")]
)
def test_the_birth_must_be_at_a_health_facility(world, place, outcome):
    name = "Trạm y tế xã" if place == "facility" else ""
    record = birth(mother(world.village), place=place, facility_name=name)
    result, criteria = judged(record)
    assert criteria["facility"]["outcome"] == outcome
    assert result == outcome
    if place == "home":
        assert criteria["facility"]["reason"] == "Sinh tại nhà, không tại cơ sở y tế."


@pytest.mark.parametrize("status", ["poor", "near_poor", "other", ""])
def test_a_poor_household_does_not_matter_by_default(world, status):
    result, criteria = judged(birth(mother(world.village, household_status=status)))
    assert result == "met"
    assert criteria["poor_household"]["outcome"] == "met"
    assert criteria["poor_household"]["reason"].startswith("Không yêu cầu")


@pytest.mark.parametrize(
    ("status", "outcome"),
    [("poor", "met"), ("near_poor", "not_met"), ("other", "not_met"), ("", "unknown")],
)
def test_a_rule_set_may_require_a_poor_household(world, status, outcome):
    RuleSet.objects.update(requires_poor_household=True)
    result, criteria = judged(birth(mother(world.village, household_status=status)))
    assert criteria["poor_household"]["outcome"] == outcome
    assert result == outcome


def test_social_insurance_excludes_only_when_the_rule_set_says_so(world):
    record = birth(mother(world.village), covered_by_social_insurance=True)
    assert "social_insurance" not in judged(record)[1]
    RuleSet.objects.update(excludes_compulsory_insurance=True)
    result, criteria = judged(record)
    assert criteria["social_insurance"]["outcome"] == "not_met"
    assert result == "not_met"


# Rule sets by date ---------------------------------------------------------------------------


def _no_limit_from(day, scope=None):
    return actions.add_rule_set(
        RuleSet(
            name="Bỏ giới hạn số con",
            legal_basis="Pháp lệnh sửa đổi Điều 10 Pháp lệnh Dân số, 03/6/2025",
            valid_from=day,
            population_policy="no_limit",
            scope=scope,
        ),
        [],
    )


def test_the_day_before_and_the_day_of_a_rule_set_change(world):
    _no_limit_from(D(2025, 6, 3))
    default = RuleSet.objects.get(valid_from=D(2022, 7, 28))
    assert default.valid_until == D(2025, 6, 3)
    before = eligibility.decide(birth(mother(world.village), date=D(2025, 6, 2), **THIRD))
    on_the_day = eligibility.decide(
        birth(mother(world.village, full_name="Sùng Thị Chơ"), date=D(2025, 6, 3), **THIRD)
    )
    assert before.rule_set == default and before.result == "not_met"
    assert on_the_day.rule_set.valid_from == D(2025, 6, 3) and on_the_day.result == "met"
    policy = {c["code"]: c for c in on_the_day.criteria}["population_policy"]
    assert policy["reason"].startswith("Bộ tiêu chí này không giới hạn số con")


def test_a_new_rule_set_leaves_decisions_made_as_they_were(world):
    record = birth(mother(world.village), date=D(2025, 6, 10), **THIRD)
    first = eligibility.decide(record)
    _no_limit_from(D(2025, 6, 3))
    first.refresh_from_db()
    assert first.result == "not_met" and first.rule_set.valid_from == D(2022, 7, 28)
    again = actions.judge_again(record, "Áp dụng quy định mới từ 03/6/2025")
    assert again.result == "met"
    assert list(record.decisions.all()) == [again, first]
    assert again.reason_for_rerun == "Áp dụng quy định mới từ 03/6/2025"


def test_a_version_starts_after_the_latest_one(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        _no_limit_from(D(2022, 7, 28))
    assert "valid_from" in refused.value.message_dict


def test_a_province_rule_set_applies_to_its_births_instead_of_the_nations(world):
    _no_limit_from(D(2024, 1, 1), scope=world.province)
    inside = birth(mother(world.village), date=D(2024, 2, 1), **THIRD)
    elsewhere_village = unit("village", "Bản Chiềng", world.other_commune, code="")
    Classification.objects.create(
        unit=elsewhere_village,
        kind=ClassificationKind.DISADVANTAGED_VILLAGE,
        valid_from=D(2021, 9, 16),
        legal_basis="Quyết định 612/QĐ-UBDT",
    )
    outside = birth(mother(elsewhere_village, full_name="Cầm Thị Én"), date=D(2024, 2, 1), **THIRD)
    assert eligibility.decide(inside).result == "met"
    assert eligibility.decide(outside).result == "not_met"


def test_a_birth_before_any_rule_set_says_so(world):
    record = birth(mother(world.village), date=D(2022, 7, 27))
    decision = eligibility.decide(record)
    assert decision.rule_set is None
    assert decision.result == "not_met"
    (only,) = decision.criteria
    assert only["code"] == "rule_set"
    assert "Không có bộ tiêu chí nào áp dụng cho ca sinh ngày 27/07/2022" in only["reason"]
    assert "28/07/2022" in only["reason"]


def test_a_changed_birth_is_judged_again_and_the_first_decision_kept(world):
    record, first = actions.save_birth(_unsaved_birth(mother(world.village)))
    assert first.result == "met"
    record.place, record.facility_name = "home", ""
    _record, second = actions.save_birth(record)
    assert second.result == "not_met"
    assert second.reason_for_rerun == actions.BIRTH_CHANGED
    assert Decision.objects.filter(birth=record).count() == 2


def _unsaved_birth(mother_record):
    from duan8.maternal.models import Birth

    return Birth(
        mother=mother_record,
        unit=mother_record.unit,
        date=D(2024, 3, 15),
        place="facility",
        facility_name="Trạm y tế xã",
        delivery="normal",
        babies=1,
        children_before=0,
        children_alive=0,
        deliveries_before=0,
    )


def test_after_the_reform_a_carried_village_without_classification_is_not_guessed(world):
    from duan8.geo import villages
    from tests.factories import successor_commune

    new_commune = successor_commune(world)
    world.village.refresh_from_db()
    carried = villages.carry_across(world.village)
    record = birth(mother(carried), date=D(2025, 8, 1))
    result, criteria = judged(record)
    residence = criteria["residence"]
    assert residence["outcome"] == "unknown" and result == "unknown"
    assert "tiếp nối Bản Sì Choang (Xã Mồ Sì San), thuộc xã khu vực III" in residence["reason"]
    assert "đến hết ngày 30/06/2025" in residence["reason"]
    Classification.objects.create(
        unit=new_commune,
        kind=ClassificationKind.REGION,
        value="I",
        valid_from=D(2025, 7, 1),
        legal_basis="Quyết định của tỉnh (thử nghiệm)",
    )
    assert judged(record)[1]["residence"]["outcome"] == "not_met"
    Classification.objects.filter(unit=new_commune).update(value="III")
    assert judged(record)[1]["residence"]["outcome"] == "met"
