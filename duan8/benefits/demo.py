"""Demo support packages and payments for Lai Châu, marked "Dữ liệu minh họa".

The project's sources do not say what each of the four packages holds nor what Lai Châu pays:
the demo package and its two items are illustrations, with figures taken from the sources as
examples — antenatal travel 100.000 đồng a visit up to four visits (Circular 55/2023/TT-BTC)
and a lump sum of 2.200.000 đồng for a normal birth, 2.400.000 đồng for a caesarean (what one
district of Gia Lai paid in 2025). The eligible demo births (the maternal demo's) get
entitlements in every state. Payments are not drawn from budget lines, so the demo's funds
keep the seeds' figures. Without eligible births nothing is loaded.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from duan8.benefits import entitlements
from duan8.benefits.models import (
    Counting,
    Entitlement,
    ItemAmount,
    SupportItem,
    SupportPackage,
)
from duan8.geo import official
from duan8.geo.models import AdminUnit, UnitKind

DEMO_NOTE = "Dữ liệu minh họa"
FROM = datetime.date(2024, 1, 1)
DOCUMENT = "Dữ liệu minh họa (chưa có văn bản của tỉnh)"
# The states the demo births' entitlements are left in, in turn.
STATES = ["paid", "paid", "approved", "proposed", "rejected", "paid"]
VISITS = [4, 6, 3, 2, 4, 1]


def _lai_chau() -> AdminUnit | None:
    return AdminUnit.objects.filter(
        kind=UnitKind.PROVINCE, code="12", valid_from=official.LEGACY_VALID_FROM
    ).first()


def _package(province: AdminUnit) -> tuple[SupportItem, SupportItem]:
    package, _ = SupportPackage.objects.get_or_create(
        scope=province,
        code="MH-SDAT",
        defaults={
            "name": "Gói hỗ trợ sinh đẻ an toàn (dữ liệu minh họa)",
            "document": DOCUMENT,
            "notes": DEMO_NOTE,
        },
    )
    travel, _ = SupportItem.objects.get_or_create(
        package=package,
        code="DI-LAI",
        defaults={
            "name": "Hỗ trợ tiền đi lại khám thai",
            "counting": Counting.PER_OCCASION,
            "occasion": "lượt khám thai",
            "order": 1,
            "notes": DEMO_NOTE,
        },
    )
    lump, _ = SupportItem.objects.get_or_create(
        package=package,
        code="TRON-GOI",
        defaults={
            "name": "Hỗ trợ khoán khi sinh tại cơ sở y tế",
            "counting": Counting.PER_BIRTH,
            "order": 2,
            "notes": DEMO_NOTE,
        },
    )
    if not travel.amounts.exists():
        ItemAmount.objects.create(
            item=travel,
            scope=province,
            amount=100_000,
            max_count=4,
            valid_from=FROM,
            document="Thông tư 55/2023/TT-BTC (mức chi đi lại 04 lần khám thai) — " + DEMO_NOTE,
            notes=DEMO_NOTE,
        )
    if not lump.amounts.exists():
        ItemAmount.objects.create(
            item=lump,
            scope=province,
            amount=2_200_000,
            amount_caesarean=2_400_000,
            valid_from=FROM,
            document="Ví dụ mức một huyện đã chi năm 2025 — " + DEMO_NOTE,
            notes=DEMO_NOTE,
        )
    return travel, lump


def _all_awaiting(province: AdminUnit):
    from django.db.models import Exists, OuterRef, Subquery

    from duan8.maternal.models import Birth, Decision, Outcome

    latest = Decision.objects.filter(birth=OuterRef("pk")).order_by("-decided_at", "-pk")
    # a birth with any entitlement, even rejected, was loaded already
    active = Entitlement.objects.filter(birth=OuterRef("pk"))
    return (
        Birth.objects.within(province)
        .annotate(latest_result=Subquery(latest.values("result")[:1]))
        .filter(latest_result=Outcome.MET)
        .exclude(Exists(active))
        .select_related("unit", "mother")
        .order_by("date", "pk")
    )


def _leave_in(state: str, made: list[Entitlement], birth) -> None:
    if state == "proposed":
        return
    for entitlement in made:
        if state == "rejected":
            entitlements.reject(entitlement, "Hồ sơ chưa đủ giấy tờ — " + DEMO_NOTE)
            continue
        entitlements.approve(entitlement)
        if state == "paid":
            paid_on = min(birth.date + datetime.timedelta(days=30), timezone.localdate())
            entitlements.pay(
                entitlement,
                paid_on=paid_on,
                payer="Cán bộ Hội LHPN xã (minh họa)",
                voucher=f"PC-MH-{entitlement.pk}",
            )


@transaction.atomic
def load() -> int:
    """The demo package and amounts for Lai Châu and the entitlements of its eligible demo
    births in every state; the number of entitlements stored (0, and nothing loaded, without
    eligible births)."""
    province = _lai_chau()
    if province is None:
        return 0
    births = list(_all_awaiting(province)[:24])
    if not births:
        return 0
    travel, _lump = _package(province)
    stored = 0
    for index, birth in enumerate(births):
        try:
            with transaction.atomic():
                made = entitlements.propose(birth, {travel.pk: VISITS[index % len(VISITS)]})
                _leave_in(STATES[index % len(STATES)], made, birth)
        except ValidationError:
            continue  # a birth the demo cannot pay (an approved period, a decision changed)
        stored += len(made)
    return stored
