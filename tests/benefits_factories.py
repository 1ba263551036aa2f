"""Records the support-package tests share: a mother, an eligible birth (its decision made
directly, so the tests do not depend on the eligibility engine), a package with a counted item
(antenatal travel, 100.000 đồng a visit up to four: Circular 55/2023/TT-BTC) and a lump sum
by kind of delivery (2.200.000 / 2.400.000 đồng, as one district paid in 2025)."""

from __future__ import annotations

import datetime
import itertools

from duan8.benefits.models import Counting, ItemAmount, SupportItem, SupportPackage
from duan8.maternal.models import Birth, Decision, EthnicGroup, Mother, RuleSet

D = datetime.date
_ids = itertools.count(1)


def mother(unit, name: str = "Lò Thị Sự") -> Mother:
    return Mother.objects.create(
        unit=unit,
        full_name=name,
        birth_date=D(1998, 3, 4),
        ethnic_group=EthnicGroup.objects.get(name="Mông"),
        citizen_id=f"0111980{next(_ids):05d}",
        phone="0912345678",
    )


def birth(unit, day: datetime.date, *, of=None, delivery: str = "normal", result: str = "met"):
    """A facility birth in village ``unit`` judged ``result`` (met by default)."""
    found = Birth.objects.create(
        mother=of or mother(unit),
        unit=unit,
        date=day,
        place="facility",
        facility_name="Trạm y tế xã",
        delivery=delivery,
    )
    Decision.objects.create(
        birth=found, rule_set=RuleSet.objects.first(), result=result, criteria=[]
    )
    return found


def package(scope, code: str = "G1") -> SupportPackage:
    return SupportPackage.objects.create(
        scope=scope, code=code, name="Gói hỗ trợ sinh đẻ an toàn (thử nghiệm)", document="Test"
    )


def travel_item(pack: SupportPackage) -> SupportItem:
    return SupportItem.objects.create(
        package=pack,
        code="DI-LAI",
        name="Hỗ trợ đi lại khám thai",
        counting=Counting.PER_OCCASION,
        occasion="lượt khám thai",
    )


def lump_item(pack: SupportPackage) -> SupportItem:
    return SupportItem.objects.create(
        package=pack, code="TRON-GOI", name="Hỗ trợ trọn gói khi sinh", counting=Counting.PER_BIRTH
    )


TRAVEL_FROM = D(2024, 1, 1)
LUMP_FROM = D(2025, 1, 1)


def travel_amount(item, scope, start=TRAVEL_FROM, **extra) -> ItemAmount:
    values = {"amount": 100_000, "max_count": 4, "document": "Thông tư 55/2023/TT-BTC", **extra}
    return ItemAmount.objects.create(item=item, scope=scope, valid_from=start, **values)


def lump_amount(item, scope, start=LUMP_FROM, **extra) -> ItemAmount:
    values = {
        "amount": 2_200_000,
        "amount_caesarean": 2_400_000,
        "document": "Quyết định của UBND tỉnh (thử nghiệm)",
        **extra,
    }
    return ItemAmount.objects.create(item=item, scope=scope, valid_from=start, **values)


def village(commune, name: str = "Bản Thử Nghiệm"):
    from tests.factories import unit

    return unit("village", name, commune, code="")
