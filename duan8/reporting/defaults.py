"""The reporting calendar that ships as the default: who reports which period to whom, by
when, and on what legal basis, before and after the 2025 reform. Administrators change these
rows (national for the country, a province for its own units); nothing here is read by code
except to create the rows once."""

from __future__ import annotations

import datetime

from django.db import transaction

from duan8.geo.models import AdminUnit, UnitKind
from duan8.reporting.models import Regime

REFORM = datetime.date(2025, 7, 1)
CIRCULAR_01 = datetime.date(2022, 7, 15)  # Circular 01/2022/TT-UBDT applies from this day

_CIRCULAR = (
    "Thông tư 01/2022/TT-UBDT (quy trình giám sát, đánh giá Chương trình MTQG 1719): "
    "xã xác nhận số liệu 6 tháng trước 10/9, cập nhật cả năm trước 25/01 năm sau; "
    "gửi huyện trước 15/9 và 31/01"
)
_DECISION_552 = (
    "Quyết định 552/QĐ-BDTTG ngày 18/8/2025 (ban hành lại quy trình theo dõi Chương trình "
    "MTQG 1719); từ 01/7/2025 xã báo cáo thẳng tỉnh"
)
_SON_LA_DISTRICT = (
    "Kế hoạch triển khai Dự án 8 năm 2024 của UBND tỉnh Sơn La, mục V.5.1: huyện báo cáo "
    "tỉnh trước 05/01, cập nhật trước 25/01"
)
_SON_LA_PROVINCE = (
    "Kế hoạch triển khai Dự án 8 năm 2024 của UBND tỉnh Sơn La, mục V.5.2: Hội LHPN tỉnh "
    "báo cáo TW Hội trước 10/01, cập nhật trước 05/02"
)

# level, reports to, period kind, last period in the annual report, due (months, day),
# update (months, day), valid from, valid until, source
DEFAULTS = [
    ("commune", "district", "half", True, (2, 10), (2, 15), CIRCULAR_01, REFORM, _CIRCULAR),
    ("commune", "district", "year", False, (0, 25), (0, 31), CIRCULAR_01, REFORM, _CIRCULAR),
    ("commune", "province", "half", True, (2, 10), (2, 15), REFORM, None, _DECISION_552),
    ("commune", "province", "year", False, (0, 25), (0, 31), REFORM, None, _DECISION_552),
    (
        "district",
        "province",
        "year",
        False,
        (0, 5),
        (0, 25),
        datetime.date(2021, 1, 1),
        REFORM,
        _SON_LA_DISTRICT,
    ),
    (
        "province",
        "nation",
        "year",
        False,
        (0, 10),
        (1, 5),
        datetime.date(2021, 1, 1),
        None,
        _SON_LA_PROVINCE,
    ),
]


@transaction.atomic
def load() -> int:
    """Create the default regimes for the nation where none exist yet; the number created."""
    nation = AdminUnit.objects.filter(kind=UnitKind.NATION).first()
    if nation is None or Regime.objects.filter(scope=nation).exists():
        return 0
    for level, to, kind, last, due, update, start, until, source in DEFAULTS:
        Regime(
            scope=nation,
            level=level,
            reports_to=to,
            period_kind=kind,
            last_in_annual=last,
            due_months=due[0],
            due_day=due[1],
            update_months=update[0] if update else None,
            update_day=update[1] if update else None,
            valid_from=start,
            valid_until=until,
            legal_source=source,
        ).save()
    return len(DEFAULTS)
