"""Demo: a figure officers type per period, with its DHIS2 mapping.

Phong Thổ's 2024 plan for Project 8 (KH 117/KH-UBND, 01/4/2024, seed 003, Nội dung 1) asks
the unions to "tổ chức truyền thông trực tiếp tại cộng đồng ... bằng tiếng phổ thông và tiếng
dân tộc": no registry counts the people such sessions reach, so communes type the number for
each six-month report (Lai Châu reports by half-year: seed 000). The indicator below is that
number; the figures of three Phong Thổ communes for 2024 are illustrative ("minh họa"), not
from a source. The DHIS2 identifiers are made up for the demo.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from duan8.dhis2.models import DataElementMapping, OrgUnitMapping, Part
from duan8.framework import actions, periods
from duan8.framework.models import Indicator, Source, UnitOfMeasure
from duan8.geo.models import AdminUnit, UnitKind

CODE = "TTTT"
NAME = "Lượt người được truyền thông trực tiếp tại cộng đồng"
NAME_EN = "People reached by direct communication in the community"
# commune (short name, Phong Thổ before the 2025 reform): {period: (total, women, ethnic)}
FIGURES = {
    "Mồ Sì San": {"2024-H1": (320, 190, 310), "2024-H2": (410, 240, 398)},
    "Vàng Ma Chải": {"2024-H1": (275, 160, 270), "2024-H2": (350, 205, 344)},
    "Sì Lở Lầu": {"2024-H1": (240, 150, 236), "2024-H2": (300, 181, 295)},
}
DATA_SET = "dA8BaoCao01"
# part: (data element, category option combo; empty = default)
ELEMENTS = {
    Part.TOTAL: ("dA8TTTTall1", ""),
    Part.WOMEN: ("dA8TTTTfem1", ""),
    Part.ETHNIC_MINORITY: ("dA8TTTTdtt1", ""),
}
# A commune known to DHIS2 by a UID rather than its official code.
ORG_UNITS = {"Mồ Sì San": "OuMoSiSan01"}
DAY = datetime.date(2024, 1, 1)


def indicator(phase) -> Indicator:
    found = Indicator.objects.filter(content_area__phase=phase, code=CODE).first()
    if found is not None:
        return found
    return actions.add_indicator(
        phase.content_areas.get(code="ND1"),
        code=CODE,
        name=NAME,
        name_en=NAME_EN,
        order=90,
        unit_of_measure=UnitOfMeasure.PERSON,
        source=Source.TYPED,
        breakdowns=["sex", "ethnic_minority"],
        measure="reporting.typed",
        definition="Số lượt người tham dự các buổi truyền thông trực tiếp tại cộng đồng "
        "(tiếng phổ thông và tiếng dân tộc) trong kỳ báo cáo.",
    )


def communes() -> dict[str, AdminUnit]:
    from duan8.geo.demo import phong_tho

    found = AdminUnit.objects.subtree(phong_tho()).filter(kind=UnitKind.COMMUNE).valid_on(DAY)
    by_name = {unit.short_name: unit for unit in found}
    return {name: by_name[name] for name in FIGURES}


@transaction.atomic
def load(phase) -> int:
    """The indicator, its mapping and the communes' figures; returns figures added (none the
    second time: what exists is left as it is)."""
    from duan8.reporting import figures
    from duan8.reporting.models import Figure

    typed = indicator(phase)
    for part, (element, combo) in ELEMENTS.items():
        if not DataElementMapping.objects.filter(indicator=typed, part=part).exists():
            row = DataElementMapping(
                indicator=typed,
                part=part,
                data_element=element,
                category_option_combo=combo,
                data_set=DATA_SET,
            )
            row.full_clean()
            row.save()
    units = communes()
    for name, uid in ORG_UNITS.items():
        if not OrgUnitMapping.objects.filter(unit=units[name]).exists():
            row = OrgUnitMapping(unit=units[name], org_unit_uid=uid)
            row.full_clean()
            row.save()
    added = 0
    for name, by_period in FIGURES.items():
        for code, (total, women, ethnic) in by_period.items():
            period = periods.parse(code)
            if Figure.objects.for_period(period).filter(indicator=typed, unit=units[name]).exists():
                continue
            entry = figures.Entry(typed.pk, Decimal(total), Decimal(women), Decimal(ethnic))
            figures.save(units[name], period, {typed.pk: typed}, [entry])
            added += 1
    return added
