"""Mothers supported and amounts paid on the one reading path: per village by the payment
date, rolled up the tree and across the 2025 reform, and the framework's GOI04 indicator
counted from them."""

from __future__ import annotations

import pytest
from django.apps import apps

from duan8.analytics import dashboard, reading
from duan8.benefits import entitlements
from duan8.benefits.models import Entitlement
from duan8.framework import periods
from duan8.framework.models import IndicatorVersion
from duan8.geo.models import UnitKind
from tests.benefits_factories import (
    D,
    birth,
    lump_amount,
    lump_item,
    package,
    travel_amount,
    travel_item,
)
from tests.factories import REFORM, ReformWorld, unit

pytestmark = pytest.mark.django_db


def _paid(found, day, counts=None):
    for entitlement in entitlements.propose(found, counts):
        entitlements.approve(entitlement)
        entitlements.pay(entitlement, paid_on=day, payer="Cán bộ xã", voucher=f"PC-{day}")


@pytest.fixture
def reform():
    """Lai Châu before and after the reform: a village of Mù Sang (Phong Thổ district, ended
    1/7/2025) and one of Dào San (today's commune that took Mù Sang); births paid on both
    sides of the reform."""
    world = ReformWorld()
    pack = package(world.nation)
    travel = travel_item(pack)
    travel_amount(travel, world.nation)
    lump_amount(lump_item(pack), world.nation, start=D(2024, 1, 1))
    old_village = unit(UnitKind.VILLAGE, "Bản Sin Câu", world.mu_sang, code="", valid_until=REFORM)
    new_village = unit(UnitKind.VILLAGE, "Bản Nậm Cang", world.dao_san, code="", valid_from=REFORM)
    first = birth(old_village, D(2024, 3, 5))
    _paid(first, D(2024, 6, 10), {travel.pk: 4})  # 400.000 + 2.200.000 in 2024
    second = birth(old_village, D(2025, 5, 20), delivery="caesarean")
    _paid(second, D(2025, 8, 1))  # paid after the reform for a birth before it: 2.400.000
    third = birth(new_village, D(2025, 9, 2))
    _paid(third, D(2025, 9, 30), {travel.pk: 2})  # 200.000 + 2.200.000
    world.indicator = world.phase.indicators().get(code="GOI04")
    return world


def test_a_province_reads_the_mothers_supported_and_amounts_paid_across_the_reform(reform):
    year_2025 = periods.parse("2025")
    today = reform.lai_chau
    figure = reading.read(reform.indicator, today, year_2025)
    assert figure.value == 2
    paid = reading.measure_values(
        ["benefits.amount_paid", "benefits.mothers_supported"],
        today,
        year_2025,
        reading.tree_date(today, year_2025),
    )
    assert paid == {"benefits.amount_paid": 4_800_000, "benefits.mothers_supported": 2}


def test_a_year_before_the_reform_is_read_on_todays_province_from_the_former_district(reform):
    year_2024 = periods.parse("2024")
    assert reading.read(reform.indicator, reform.lai_chau, year_2024).value == 1
    assert reading.read(reform.indicator, reform.phong_tho, year_2024).value == 1
    assert reading.read(reform.indicator, reform.dao_san, year_2024).value == 1


def test_the_dashboard_of_the_province_shows_the_mothers_supported(reform):
    board = dashboard.build(reform.lai_chau, reform.phase, periods.parse("2025"))
    row = next(r for r in board.rows if r.indicator.code == "GOI04")
    assert row.period.value == 2
    assert row.to_date.value == 3  # the phase so far: three mothers paid 2021–2025


def test_a_mother_paid_twice_in_a_period_counts_once(reform):
    """The first mother's travel and lump sum are two payments, one mother."""
    assert Entitlement.objects.filter(paid_on__year=2024).count() == 2
    assert reading.read(reform.indicator, reform.lai_chau, periods.parse("2024")).value == 1


def test_a_payment_counts_from_the_next_read_and_only_once_paid(reform):
    year = periods.parse("2025")
    before = reading.read(reform.indicator, reform.lai_chau, year).value
    late = birth(
        reform.dao_san.children.get(),
        D(2025, 10, 1),
    )
    entitlements.propose(late)
    waiting = Entitlement.objects.get(birth=late)
    entitlements.approve(waiting)
    assert reading.read(reform.indicator, reform.lai_chau, year).value == before
    entitlements.pay(waiting, paid_on=D(2025, 10, 5), payer="A", voucher="PC-9")
    assert reading.read(reform.indicator, reform.lai_chau, year).value == before + 1


def test_the_migration_sets_the_measure_of_goi04_once(reform):
    from importlib import import_module

    migration = import_module("duan8.benefits.migrations.0002_goi04_measure")
    current = IndicatorVersion.objects.get(indicator=reform.indicator, valid_until__isnull=True)
    IndicatorVersion.objects.filter(pk=current.pk).update(measure="")
    migration.set_measure(apps, None)
    migration.set_measure(apps, None)
    current.refresh_from_db()
    assert current.measure == "benefits.mothers_supported"
    # a measure an administrator chose is left as it is
    IndicatorVersion.objects.filter(pk=current.pk).update(measure="activities.dialogue.count")
    migration.set_measure(apps, None)
    current.refresh_from_db()
    assert current.measure == "activities.dialogue.count"
