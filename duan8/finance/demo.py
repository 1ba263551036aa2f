"""Demo money from the seeds: Phong Thổ's 2024 plan (seed 003 §IV: 7.588,63 triệu = 3.859 new
+ 3.729,63 carried over from 2023; district 3.259,46, communes 4.329,17), Kon Tum's 2022 central
funds (seed 004: 3.829 triệu, 1.393 spent by 30/11/2022 = 36,38%) and Lai Châu's slow start
in 2024 (seed 000: just above 5% by mid-year). The split into lines, communes, content areas,
transfers and vouchers is made up for the demo and says so; the totals are the seeds'."""

from __future__ import annotations

import datetime

from django.db import transaction

from duan8.finance import actions
from duan8.finance.models import BudgetLine, Disbursement, FundSource
from duan8.geo import official
from duan8.geo.models import AdminUnit, UnitKind

DEMO_NOTE = "Dữ liệu minh họa"
M = 1_000_000
D = datetime.date


def _province(code: str) -> AdminUnit | None:
    return AdminUnit.objects.filter(
        kind=UnitKind.PROVINCE, code=code, valid_from=official.LEGACY_VALID_FROM
    ).first()


def _areas(phase) -> list:
    return list(phase.content_areas.order_by("order", "code")) if phase is not None else []


def _line(unit, year, source, amount, area=None, **extra) -> BudgetLine:
    return actions.save_line(
        BudgetLine(
            unit=unit,
            fiscal_year=year,
            source=source,
            original_amount=amount,
            content_area=area,
            notes=DEMO_NOTE,
            **extra,
        )
    )


def _spend(line, amount, day, voucher) -> None:
    actions.record_disbursement(
        Disbursement(line=line, date=day, amount=amount, voucher=voucher, notes=DEMO_NOTE)
    )


def _split(total: int, parts: int) -> list[int]:
    """``total`` in ``parts`` amounts of whole thousands of đồng that add up exactly."""
    base = total // parts // 1000 * 1000
    return [base] * (parts - 1) + [total - base * (parts - 1)]


DECISION = {
    "decision_number": "2689/QĐ-UBND",
    "decision_date": D(2023, 12, 11),
    "decision_issuer": "UBND tỉnh Lai Châu",
}


def load_phong_tho_2024(phase) -> int:
    from duan8.geo.demo import phong_tho

    district = phong_tho()
    areas = _areas(phase) or [None]
    communes = list(
        AdminUnit.objects.subtree(district)
        .filter(kind=UnitKind.COMMUNE)
        .valid_on(D(2024, 1, 1))
        .order_by("code")
    )[:5]
    # The district's new money, 3.859 triệu, of which it hands 2.559 triệu to its communes.
    lines = [
        _line(district, 2024, FundSource.CENTRAL, 3_359 * M, areas[0], **DECISION),
        _line(district, 2024, FundSource.CENTRAL, 500 * M, areas[-1], **DECISION),
        _line(district, 2024, FundSource.CARRIED, 1_959_460_000, areas[0]),
    ]
    for number, (commune, new, carried) in enumerate(
        zip(
            communes,
            _split(2_559 * M, len(communes)),
            _split(1_770_170_000, len(communes)),
            strict=True,
        ),
        start=1,
    ):
        handed = actions.transfer(
            lines[0],
            commune,
            date=D(2024, 1, 15),
            amount=new,
            voucher=f"UNC-{number:02d}/2024 (minh họa)",
            decision_number="15/QĐ-UBND",
            decision_date=D(2024, 1, 10),
            notes=DEMO_NOTE,
        )
        lines.append(handed.to_line)
        lines.append(_line(commune, 2024, FundSource.CARRIED, carried, areas[0]))
    # By 30/6/2024: 250 triệu at the district, 150 triệu in the first commune.
    _spend(lines[0], 250 * M, D(2024, 5, 20), "PC-01/2024 (minh họa)")
    _spend(lines[3], 150 * M, D(2024, 6, 14), "PC-02/2024 (minh họa)")
    # Later in the year.
    _spend(lines[2], 900 * M, D(2024, 9, 25), "PC-03/2024 (minh họa)")
    return len(lines)


def load_lai_chau_2024(phase) -> int:
    """The province's own 2024 money: 4.000 triệu, of which 200 triệu spent by 30/6/2024
    (with Phong Thổ's, 600 of 11.588,63 triệu: 5,18%)."""
    province = _province("12")
    areas = _areas(phase) or [None]
    own = _line(province, 2024, FundSource.CENTRAL, 4_000 * M, areas[0], **DECISION)
    _spend(own, 200 * M, D(2024, 6, 28), "PC-05/2024 (minh họa)")
    return 1


def load_kon_tum_2022(phase) -> int:
    """3.829 triệu of central funds at province level; 1.393 triệu spent by 30/11/2022."""
    province = _province("62")
    if province is None:
        return 0
    areas = _areas(phase) or [None]
    decision = {"decision_issuer": "UBND tỉnh Kon Tum", "decision_date": D(2022, 3, 1)}
    trainings = _line(province, 2022, FundSource.CENTRAL, 2_000 * M, areas[0], **decision)
    models = _line(province, 2022, FundSource.CENTRAL, 1_829 * M, areas[-1], **decision)
    _spend(trainings, 700 * M, D(2022, 6, 30), "PC-01/2022 (minh họa)")
    _spend(trainings, 393 * M, D(2022, 9, 30), "PC-02/2022 (minh họa)")
    _spend(models, 300 * M, D(2022, 11, 30), "PC-03/2022 (minh họa)")
    return 2


@transaction.atomic
def load(phase) -> int:
    """All demo money; nothing when it is there already."""
    if BudgetLine.objects.filter(notes=DEMO_NOTE).exists() or _province("12") is None:
        return 0
    return load_phong_tho_2024(phase) + load_lai_chau_2024(phase) + load_kon_tum_2022(phase)
