"""Support packages as data, entitlements by the amounts in force on the birth's date, and the
payment steps (issue 13, points 3 and 4)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from duan8.benefits import amounts, entitlements
from duan8.benefits.models import Entitlement, EntitlementState, ItemAmount
from duan8.core import audit
from duan8.core.models import AuditEvent
from tests.benefits_factories import (
    D,
    birth,
    lump_amount,
    lump_item,
    package,
    travel_amount,
    travel_item,
    village,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    """A nation-wide package with the antenatal travel item (the nation's amount) and a lump
    sum per birth set by Lai Châu from 2025."""
    pack = package(world.nation)
    travel = travel_item(pack)
    lump = lump_item(pack)
    travel_amount(travel, world.nation)
    lump_amount(lump, world.province)
    return pack, travel, lump


def _lines(found):
    return {line.item.code: line for line in found.lines}


# Amounts by the version in force on the birth's date ------------------------------------


def test_a_change_from_a_day_applies_to_births_from_that_day_only(world, setup):
    _pack, _travel, lump = setup
    first = ItemAmount.objects.get(item=lump)
    second = amounts.change_amount(first, D(2025, 7, 1), amount=2_500_000, document="QĐ mới")
    first.refresh_from_db()
    assert first.valid_until == D(2025, 7, 1) and second.previous == first

    day_before = entitlements.preview(birth(world.village, D(2025, 6, 30)))
    day_of = entitlements.preview(birth(world.village, D(2025, 7, 1)))
    assert _lines(day_before)["TRON-GOI"].version == first
    assert _lines(day_before)["TRON-GOI"].total == 2_200_000
    assert _lines(day_of)["TRON-GOI"].version == second
    assert _lines(day_of)["TRON-GOI"].total == 2_500_000
    # the caesarean amount is carried into the new version unless changed
    assert second.amount_caesarean == 2_400_000


def test_a_caesarean_birth_gets_the_caesarean_amount(world, setup):
    found = entitlements.preview(birth(world.village, D(2025, 5, 2), delivery="caesarean"))
    assert _lines(found)["TRON-GOI"].total == 2_400_000


def test_the_provinces_own_amount_applies_instead_of_the_nations(world, setup):
    _pack, travel, _lump = setup
    travel_amount(travel, world.province, amount=120_000, max_count=5, document="NQ tỉnh")
    found = entitlements.preview(birth(world.village, D(2025, 5, 2)), {travel.pk: 5})
    line = _lines(found)["DI-LAI"]
    assert line.version.scope == world.province
    assert (line.count, line.total) == (5, 600_000)


def test_entitlements_computed_earlier_keep_their_amount_version(world, setup):
    _pack, travel, lump = setup
    early = birth(world.village, D(2025, 3, 1))
    made = entitlements.propose(early, {travel.pk: 2})
    used = ItemAmount.objects.get(item=lump)
    amounts.change_amount(used, D(2025, 6, 1), amount=3_000_000, document="QĐ mới")
    kept = Entitlement.objects.get(birth=early, item=lump)
    assert kept.amount_version == used and kept.amount == 2_200_000
    assert len(made) == 2
    # the version entitlements use cannot be rewritten in place, nor closed before them
    used.refresh_from_db()
    used.amount = 1
    with pytest.raises(ValidationError) as refused:
        amounts.save(used)
    assert "amount" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        amounts.close_amount(ItemAmount.objects.get(pk=used.pk), D(2025, 2, 1))
    assert "valid_until" in refused.value.message_dict


def test_two_amounts_of_an_item_on_the_same_days_in_one_scope_are_refused(world, setup):
    _pack, travel, _lump = setup
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        amounts.save(
            ItemAmount(
                item=travel,
                scope=world.nation,
                amount=90_000,
                max_count=4,
                valid_from=D(2025, 1, 1),
                document="x",
            )
        )
    assert "valid_from" in refused.value.message_dict


def test_a_provinces_own_package_takes_amounts_of_that_province_only(world):
    own = package(world.province, code="LC1")
    item = lump_item(own)
    with pytest.raises(ValidationError) as refused:
        amounts.save(
            ItemAmount(
                item=item,
                scope=world.other_province,
                amount=1,
                valid_from=D(2025, 1, 1),
                document="x",
            )
        )
    assert "scope" in refused.value.message_dict
    # and it does not reach another province's births
    assert entitlements.preview(birth(village(world.other_commune), D(2025, 3, 1))).lines == []


# Not configured: shown, never guessed --------------------------------------------------------


def test_an_item_without_an_amount_in_force_is_not_configured_and_proposes_nothing(world, setup):
    _pack, travel, lump = setup
    # Lai Châu's lump sum starts in 2025: a 2024 birth has none for it
    early = birth(world.village, D(2024, 12, 31))
    found = entitlements.preview(early, {travel.pk: 4})
    assert not _lines(found)["TRON-GOI"].configured
    assert _lines(found)["TRON-GOI"].total is None
    assert [line.item for line in found.not_configured] == [lump]
    made = entitlements.propose(early, {travel.pk: 4})
    assert [e.item for e in made] == [travel]


def test_a_province_without_its_own_amount_is_not_given_anothers(world, setup):
    """Lai Châu's lump sum is not Sơn La's: a Sơn La birth shows it as not configured."""
    found = entitlements.preview(birth(village(world.other_commune), D(2025, 3, 1)))
    assert not _lines(found)["TRON-GOI"].configured
    assert _lines(found)["DI-LAI"].configured  # the nation's amount reaches every province


# Counted items -------------------------------------------------------------------------------


def test_occasions_above_the_maximum_are_paid_up_to_it(world, setup):
    _pack, travel, _lump = setup
    b = birth(world.village, D(2025, 4, 10))
    made = {e.item_id: e for e in entitlements.propose(b, {travel.pk: 6})}
    counted = made[travel.pk]
    assert (counted.count_reported, counted.count, counted.unit_amount, counted.amount) == (
        6,
        4,
        100_000,
        400_000,
    )


def test_a_counted_item_without_occasions_is_not_proposed(world, setup):
    _pack, travel, lump = setup
    b = birth(world.village, D(2025, 4, 10))
    made = entitlements.propose(b, {travel.pk: None})
    assert [e.item for e in made] == [lump]
    # proposed later with its occasions; the lump sum is not proposed twice
    later = entitlements.propose(b, {travel.pk: 3})
    assert [(e.item, e.amount) for e in later] == [(travel, 300_000)]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        entitlements.propose(b, {travel.pk: 3})
    assert refused.value.messages[0].startswith("Nothing to propose")


def test_a_birth_not_eligible_by_its_latest_decision_is_refused(world, setup):
    b = birth(world.village, D(2025, 4, 10), result="not_met")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        entitlements.propose(b)
    assert "is not “met”" in refused.value.messages[0]
    assert not Entitlement.objects.exists()


# The payment steps ---------------------------------------------------------------------------


def _proposed(world, setup):
    _pack, _travel, lump = setup
    b = birth(world.village, D(2025, 4, 10))
    entitlements.propose(b)
    return Entitlement.objects.get(birth=b, item=lump)


def test_proposed_approved_paid_each_step_audited(world, setup):
    entitlement = _proposed(world, setup)
    with audit.acting_as(world.district_approver, source="web"):
        entitlements.approve(entitlement)
    entitlement.refresh_from_db()
    assert entitlement.state == EntitlementState.APPROVED
    assert entitlement.approved_by == world.district_approver
    with audit.acting_as(world.commune_editor, source="web"):
        entitlements.pay(entitlement, paid_on=D(2025, 5, 2), payer="Lò Văn A", voucher="PC-01")
    entitlement.refresh_from_db()
    assert (entitlement.state, entitlement.paid_on, entitlement.voucher) == (
        "paid",
        D(2025, 5, 2),
        "PC-01",
    )
    events = AuditEvent.objects.for_object(entitlement).order_by("pk")
    assert [e.action for e in events] == ["create", "update", "update"]
    assert [e.after.get("state") for e in events] == ["proposed", "approved", "paid"]
    assert events.last().actor == world.commune_editor
    assert events.first().unit_id == world.village.pk


@pytest.mark.parametrize(
    ("steps", "step", "message"),
    [
        ([], "pay", "Only an approved entitlement can be paid"),
        (["approve"], "approve", "Only a proposed entitlement can be approved"),
        (["approve", "pay"], "reject", "Only a proposed or approved entitlement can be rejected"),
        (["approve", "pay"], "pay", "Only an approved entitlement can be paid"),
        (["reject"], "approve", "Only a proposed entitlement can be approved"),
    ],
)
def test_steps_out_of_order_are_refused_in_vietnamese(world, setup, steps, step, message):
    entitlement = _proposed(world, setup)

    def run(name):
        if name == "approve":
            entitlements.approve(entitlement)
        elif name == "pay":
            entitlements.pay(entitlement, paid_on=D(2025, 5, 2), payer="A", voucher="PC")
        else:
            entitlements.reject(entitlement, "Trùng hồ sơ")

    for name in steps:
        run(name)
    before = Entitlement.objects.get(pk=entitlement.pk).state
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        run(step)
    assert message in refused.value.messages[0]
    assert Entitlement.objects.get(pk=entitlement.pk).state == before


def test_rejecting_needs_a_reason_and_keeps_it(world, setup):
    entitlement = _proposed(world, setup)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        entitlements.reject(entitlement, "  ")
    assert refused.value.message_dict["reason"] == ["Say why the entitlement is rejected."]
    entitlements.reject(entitlement, "Sinh tại nhà, hồ sơ ghi nhầm")
    entitlement.refresh_from_db()
    assert entitlement.state == "rejected" and entitlement.reject_reason.startswith("Sinh tại")
    # a rejected item may be proposed again
    again = entitlements.propose(entitlement.birth)
    assert [e.item for e in again] == [entitlement.item]


def test_approval_is_refused_when_the_birth_was_judged_again_not_eligible(world, setup):
    from duan8.maternal.models import Decision, RuleSet

    entitlement = _proposed(world, setup)
    Decision.objects.create(
        birth=entitlement.birth, rule_set=RuleSet.objects.first(), result="not_met"
    )
    with pytest.raises(ValidationError):
        entitlements.approve(entitlement)


def test_a_payment_needs_its_date_payer_and_voucher_and_no_future_date(world, setup):
    entitlement = _proposed(world, setup)
    entitlements.approve(entitlement)
    with pytest.raises(ValidationError) as refused:
        entitlements.pay(entitlement, paid_on=None, payer="", voucher="")
    assert set(refused.value.message_dict) == {"paid_on", "payer", "voucher"}
    with pytest.raises(ValidationError) as refused:
        entitlements.pay(entitlement, paid_on=D(2025, 4, 1), payer="A", voucher="PC")
    assert "paid_on" in refused.value.message_dict  # before the birth


def test_a_provinces_amounts_go_on_applying_after_the_reform_until_it_sets_its_own():
    """Lai Châu's amounts set before 1/7/2025 apply to today's Lai Châu's births, until today's
    province sets its own."""
    from duan8.geo.models import UnitKind
    from tests.factories import REFORM, ReformWorld, unit

    world = ReformWorld()
    item = lump_item(package(world.old_lai_chau))
    lump_amount(item, world.old_lai_chau, start=D(2024, 1, 1))
    new_village = unit(UnitKind.VILLAGE, "Bản Nậm Cang", world.dao_san, code="", valid_from=REFORM)
    after = entitlements.preview(birth(new_village, D(2025, 9, 2)))
    assert after.province == world.lai_chau
    assert _lines(after)["TRON-GOI"].version.scope == world.old_lai_chau
    own = amounts.save(
        ItemAmount(
            item=item,
            scope=world.lai_chau,
            amount=2_300_000,
            amount_caesarean=2_500_000,
            valid_from=D(2025, 10, 1),
            document="QĐ của UBND tỉnh Lai Châu (thử nghiệm)",
        )
    )
    later = entitlements.preview(birth(new_village, D(2025, 10, 1)))
    assert _lines(later)["TRON-GOI"].version == own
    # and today's province's own amount never reaches back to a birth before the reform
    old_village = unit(UnitKind.VILLAGE, "Bản Sin Câu", world.mu_sang, code="", valid_until=REFORM)
    before = entitlements.preview(birth(old_village, D(2025, 6, 30)))
    assert before.province == world.old_lai_chau
    assert _lines(before)["TRON-GOI"].version.scope == world.old_lai_chau


def test_births_judged_by_the_eligibility_engine_are_entitled_or_refused(world, setup):
    from duan8.maternal.eligibility import decide
    from tests import maternal_factories

    _pack, travel, lump = setup
    at_facility = maternal_factories.birth(
        maternal_factories.mother(world.village), date=D(2025, 4, 10)
    )
    assert decide(at_facility).eligible
    made = entitlements.propose(at_facility, {travel.pk: 4})
    assert sorted(e.amount for e in made) == [400_000, 2_200_000]
    at_home = maternal_factories.birth(
        maternal_factories.mother(world.village, full_name="Vàng Thị Dung"),
        date=D(2025, 4, 12),
        place="home",
        facility_name="",
    )
    assert not decide(at_home).eligible
    with pytest.raises(ValidationError):
        entitlements.propose(at_home, {travel.pk: 4})
