"""Demo targets from the seeds: Lai Châu's second half of 2024 (TB 32/TB-BTV, 28/6/2024)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from duan8.framework import actions, allocation, periods
from duan8.framework.models import Indicator, Phase, Target
from duan8.geo.models import AdminUnit, UnitKind

DOCUMENT = {
    "doc_number": "32/TB-BTV",
    "doc_date": datetime.date(2024, 6, 28),
    "doc_issuer": "Ban Thường vụ Hội LHPN tỉnh Lai Châu",
}
# indicator: (province target, part carried out by the province, {district: target})
LAI_CHAU_H2_2024 = {
    "TTCĐ": (79, 0, {"Mường Tè": 24, "Sìn Hồ": 55}),
    "CLB": (29, 0, {"Sìn Hồ": 19, "Nậm Nhùn": 10}),
    "GSBDG": (
        16,
        0,
        {"Tam Đường": 2, "Sìn Hồ": 4, "Than Uyên": 2, "Phong Thổ": 4, "Nậm Nhùn": 2, "Mường Tè": 2},
    ),
    "CT2": (7, 7, {}),  # run by the provincial labour department
    "CT3": (61, 61, {}),  # run by the provincial and district unions
    "DTCS": (
        138,
        0,
        {
            "Than Uyên": 5,
            "Nậm Nhùn": 12,
            "Tam Đường": 24,
            "Tân Uyên": 8,
            "Phong Thổ": 41,
            "Sìn Hồ": 30,
            "Mường Tè": 18,
        },
    ),
}


@transaction.atomic
def load_lai_chau(phase: Phase) -> None:
    province = AdminUnit.objects.filter(
        kind=UnitKind.PROVINCE, code="12", valid_until__isnull=False
    ).first()
    if province is None:
        return
    period = periods.parse("2024-H2")
    if Target.objects.for_period(period).filter(unit=province).exists():
        return
    codes = {i.code: i for i in Indicator.objects.filter(content_area__phase=phase)}
    districts = {d.short_name: d for d in allocation.children(province, period)}
    values, kept = {}, {}
    for code, (total, own, parts) in LAI_CHAU_H2_2024.items():
        indicator = codes[code]
        actions.set_target(indicator, province, period, Decimal(total), **DOCUMENT)
        kept[indicator.pk] = Decimal(own)
        for name, value in parts.items():
            values[(districts[name].pk, indicator.pk)] = Decimal(value)
    allocation.save(province, phase, period, values, kept=kept, document=DOCUMENT)
