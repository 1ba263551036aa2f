# ruff: noqa: E501 (official Vietnamese names are kept whole)
"""The Project 8 phase-I framework (2021–2025) as data, loaded idempotently.

Indicators and national targets from ../shared/domain/brief.md §1: phase targets confirmed by
the central Women's Union (teams 9.000, groups 500, trusted addresses 1.000, clubs 1.800,
M&E trainings 600, ethnic-minority women cadres 2.000) and the 2024 national targets
(1.377 teams, 316 groups, 668 clubs, at least 1.000 cadres). Indicators the seeds name
without a confirmed national target are loaded without one.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from duan8.framework import actions, periods
from duan8.framework.models import (
    Aggregation,
    ContentArea,
    Indicator,
    IndicatorVersion,
    Phase,
    Programme,
    Project,
    Source,
    Target,
    UnitOfMeasure,
)
from duan8.geo.models import AdminUnit, UnitKind

PHASE_START = datetime.date(2021, 1, 1)
PHASE_END = datetime.date(2026, 1, 1)

CONTENT_AREAS = [
    (
        "ND1",
        "Tuyên truyền, vận động thay đổi “nếp nghĩ, cách làm”; giải quyết vấn đề xã hội cấp thiết",
        "Changing stereotypes and harmful customs; urgent social issues",
    ),
    (
        "ND2",
        "Xây dựng và nhân rộng mô hình thay đổi “nếp nghĩ, cách làm”, nâng cao quyền năng kinh tế cho phụ nữ",
        "Models for women's economic empowerment",
    ),
    (
        "ND3",
        "Bảo đảm tiếng nói và sự tham gia thực chất của phụ nữ, trẻ em; giám sát, phản biện; lãnh đạo nữ",
        "Voice, participation, oversight and women's leadership",
    ),
    (
        "ND4",
        "Trang bị kiến thức về bình đẳng giới, kỹ năng lồng ghép giới",
        "Gender knowledge and mainstreaming skills",
    ),
    (
        "GSĐG",
        "Kiểm tra, giám sát, đánh giá và quản lý kinh phí",
        "Monitoring, evaluation and funds",
    ),
]

# code, content area, name, English, unit, source, breakdowns, aggregation
INDICATORS = [
    (
        "TTCĐ",
        "ND1",
        "Tổ truyền thông cộng đồng được thành lập và duy trì",
        "Community communication teams established and maintained",
        UnitOfMeasure.TEAM,
        Source.REGISTRY,
        [],
    ),
    (
        "GOI04",
        "ND1",
        "Phụ nữ DTTS được hỗ trợ theo 04 gói chính sách sinh đẻ an toàn",
        "Ethnic-minority mothers supported by the four packages",
        UnitOfMeasure.PERSON,
        Source.MATERNAL,
        ["age_group"],
    ),
    (
        "SINHKE",
        "ND2",
        "Tổ nhóm sinh kế, THT, HTX do phụ nữ làm chủ được hỗ trợ ứng dụng KHCN",
        "Women-led livelihood groups and cooperatives supported with S&T",
        UnitOfMeasure.TEAM,
        Source.REGISTRY,
        [],
    ),
    (
        "DCTC",
        "ND2",
        "Địa chỉ tin cậy được thành lập và duy trì",
        "Trusted addresses established and maintained",
        UnitOfMeasure.ADDRESS,
        Source.REGISTRY,
        [],
    ),
    (
        "MBN",
        "ND2",
        "Mô hình sinh kế cho nạn nhân bị mua bán",
        "Livelihood models for trafficking victims",
        UnitOfMeasure.MODEL,
        Source.REGISTRY,
        [],
    ),
    (
        "CLB",
        "ND3",
        "CLB “Thủ lĩnh của sự thay đổi” được thành lập và duy trì",
        "Leaders-of-change clubs established and maintained",
        UnitOfMeasure.CLUB,
        Source.REGISTRY,
        [],
    ),
    (
        "DTCS",
        "ND3",
        "Đối thoại chính sách cấp xã và cụm thôn, bản",
        "Policy dialogues at commune and village-cluster level",
        UnitOfMeasure.EVENT,
        Source.ACTIVITIES,
        [],
    ),
    (
        "CBNU",
        "ND3",
        "Cán bộ nữ DTTS được nâng cao năng lực",
        "Ethnic-minority women cadres trained",
        UnitOfMeasure.PERSON,
        Source.ACTIVITIES,
        ["ethnic_minority"],
    ),
    (
        "CT2",
        "ND4",
        "Tập huấn lồng ghép giới chương trình 2 (cán bộ huyện, xã)",
        "Gender mainstreaming trainings, programme 2",
        UnitOfMeasure.EVENT,
        Source.ACTIVITIES,
        [],
    ),
    (
        "CT3",
        "ND4",
        "Tập huấn lồng ghép giới chương trình 3 (trưởng thôn, chức sắc, người có uy tín)",
        "Gender mainstreaming trainings, programme 3",
        UnitOfMeasure.EVENT,
        Source.ACTIVITIES,
        [],
    ),
    (
        "GSBDG",
        "GSĐG",
        "Tập huấn hướng dẫn giám sát, đánh giá về bình đẳng giới",
        "Trainings on gender-equality monitoring and evaluation",
        UnitOfMeasure.EVENT,
        Source.ACTIVITIES,
        [],
    ),
    (
        "KPGN",
        "GSĐG",
        "Kinh phí đã giải ngân",
        "Funds disbursed",
        UnitOfMeasure.MILLION_DONG,
        Source.FINANCE,
        [],
    ),
    (
        "KPCO",
        "GSĐG",
        "Kinh phí được giao và chuyển nguồn",
        "Funds allocated and carried over",
        UnitOfMeasure.MILLION_DONG,
        Source.FINANCE,
        [],
    ),
]
RATE = ("TLGN", "GSĐG", "Tỷ lệ giải ngân", "Disbursement rate", "KPGN", "KPCO")

# Indicators counted from the registry: "established and maintained" counts what is active at
# the end of the period.
MEASURES = {
    "TTCĐ": "community.communication_team.maintained",
    "GOI04": "benefits.mothers_supported",
    "SINHKE": "community.livelihood_group.maintained",
    "DCTC": "community.trusted_address.maintained",
    "MBN": "community.trafficking_livelihood.maintained",
    "CLB": "community.leaders_club.maintained",
    "DTCS": "activities.dialogue.count",
    "CT2": "activities.training.programme_2.count",
    "CT3": "activities.training.programme_3.count",
    "GSBDG": "activities.training.gender_me.count",
    "CBNU": "activities.training.women_leadership.women",
}

PHASE_TARGETS = {"TTCĐ": 9000, "SINHKE": 500, "DCTC": 1000, "CLB": 1800, "GSBDG": 600, "CBNU": 2000}
TARGETS_2024 = {"TTCĐ": 1377, "SINHKE": 316, "CLB": 668, "CBNU": 1000}
PHASE_DOCUMENT = {
    "doc_issuer": "Trung ương Hội LHPN Việt Nam",
    "note": "Chỉ tiêu giai đoạn I (Báo PNVN 29/02/2024)",
}
DOCUMENT_2024 = {
    "doc_number": "435/KH-ĐCT",
    "doc_date": datetime.date(2024, 1, 30),
    "doc_issuer": "Đoàn Chủ tịch TW Hội LHPN Việt Nam",
}


def _get(model, lookup: dict, defaults: dict):
    found = model.objects.filter(**lookup).first()
    return found or model.objects.create(**lookup, **defaults)


@transaction.atomic
def load() -> Phase:
    programme = _get(
        Programme,
        {"code": "MTQG1719"},
        {
            "name": "Chương trình MTQG phát triển KT-XH vùng đồng bào DTTS và miền núi",
            "name_en": "National target programme for ethnic-minority and mountainous areas",
        },
    )
    project = _get(
        Project,
        {"programme": programme, "code": "DA8"},
        {
            "name": "Dự án 8: Thực hiện bình đẳng giới và giải quyết những vấn đề cấp thiết đối với phụ nữ và trẻ em",
            "name_en": "Project 8: gender equality and urgent issues of women and children",
        },
    )
    phase = _get(
        Phase,
        {"project": project, "code": "GD1"},
        {"name": "Giai đoạn I (2021–2025)", "start": PHASE_START, "end": PHASE_END},
    )
    areas = {}
    for order, (code, name, name_en) in enumerate(CONTENT_AREAS, start=1):
        areas[code] = _get(
            ContentArea,
            {"phase": phase, "code": code},
            {"name": name, "name_en": name_en, "order": order},
        )
    indicators = {}
    for order, (code, area, name, name_en, unit, source, breakdowns) in enumerate(
        INDICATORS, start=1
    ):
        indicator = _get(
            Indicator,
            {"content_area": areas[area], "code": code},
            {"name": name, "name_en": name_en, "order": order},
        )
        first = indicator.versions.order_by("valid_from").first()
        if first is None:
            IndicatorVersion.objects.create(
                indicator=indicator,
                valid_from=PHASE_START,
                unit_of_measure=unit,
                source=source,
                breakdowns=breakdowns,
                measure=MEASURES.get(code, ""),
            )
        elif not first.measure and MEASURES.get(code):
            first.measure = MEASURES[code]
            first.save()
        indicators[code] = indicator
    code, area, name, name_en, numerator, denominator = RATE
    rate = _get(
        Indicator,
        {"content_area": areas[area], "code": code},
        {"name": name, "name_en": name_en, "order": len(INDICATORS) + 1},
    )
    if not rate.versions.exists():
        IndicatorVersion.objects.create(
            indicator=rate,
            valid_from=PHASE_START,
            unit_of_measure=UnitOfMeasure.PERCENT,
            source=Source.FINANCE,
            aggregation=Aggregation.RATIO,
            numerator=indicators[numerator],
            denominator=indicators[denominator],
        )
    nation = AdminUnit.objects.filter(kind=UnitKind.NATION).first()
    if nation is not None:
        _national_targets(nation, phase, indicators)
    return phase


def _national_targets(nation, phase, indicators) -> None:
    for code, value in PHASE_TARGETS.items():
        if (
            not Target.objects.for_period(phase.period)
            .filter(indicator=indicators[code], unit=nation)
            .exists()
        ):
            actions.set_target(
                indicators[code], nation, phase.period, Decimal(value), **PHASE_DOCUMENT
            )
    year = periods.parse("2024")
    for code, value in TARGETS_2024.items():
        if (
            not Target.objects.for_period(year)
            .filter(indicator=indicators[code], unit=nation)
            .exists()
        ):
            actions.set_target(indicators[code], nation, year, Decimal(value), **DOCUMENT_2024)
