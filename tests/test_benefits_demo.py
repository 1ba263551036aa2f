"""The demo's support packages: Lai Châu's illustrative amounts, marked as such, and the
eligible demo births' entitlements in every state; nothing without eligible births."""

from __future__ import annotations

import pytest

from duan8.benefits import demo
from duan8.benefits.models import Entitlement, ItemAmount, SupportPackage
from duan8.geo import official
from tests.benefits_factories import D, birth
from tests.factories import nation, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def lai_chau(db):
    province = unit(
        "province", "Tỉnh Lai Châu", nation(), code="12", valid_from=official.LEGACY_VALID_FROM
    )
    commune = unit("commune", "Xã Mồ Sì San", unit("district", "Huyện Phong Thổ", province))
    return province, unit("village", "Bản Sì Choang", commune, code="")


def test_without_eligible_births_the_demo_loads_nothing(lai_chau):
    _province, village = lai_chau
    birth(village, D(2025, 3, 1), result="not_met")
    assert demo.load() == 0
    assert not SupportPackage.objects.exists() and not Entitlement.objects.exists()


def test_the_demo_marks_its_amounts_and_leaves_entitlements_in_every_state(lai_chau):
    province, village = lai_chau
    for day in range(1, 7):
        birth(village, D(2025, 2, day), delivery="caesarean" if day % 2 else "normal")
    stored = demo.load()
    assert stored == Entitlement.objects.count() == 12
    assert {e.state for e in Entitlement.objects.all()} == {
        "proposed",
        "approved",
        "paid",
        "rejected",
    }
    amounts = ItemAmount.objects.all()
    assert {a.scope for a in amounts} == {province}
    assert all(demo.DEMO_NOTE in a.document and a.notes == demo.DEMO_NOTE for a in amounts)
    assert SupportPackage.objects.get().notes == demo.DEMO_NOTE
    # loading again adds nothing
    assert demo.load() == 0
    assert Entitlement.objects.count() == 12
