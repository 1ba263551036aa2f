"""The demo's national picture: the situation at the end of 2023 as the Women's Union's
mid-term review reported it (seed 001), spread over the 63 provinces of the time, and the
2024 annual reports of those provinces on their way to the centre.

Only the national totals come from the source: 7.623 communication teams of 9.000, 184
livelihood groups of 500, 1.462 trusted addresses of 1.000, 1.132 leaders-of-change clubs of
1.800 and 233 M&E trainings of 600. How they are shared among provinces, communes and dates is
generated (seeded, so every `make run` gives the same picture) and every record says so in its
notes. Records the demo already holds (Kon Tum's 52 teams of 2022) count towards the totals.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from duan8.activities.models import Activity
from duan8.community.models import CommunityModel
from duan8.core import audit
from duan8.framework import periods
from duan8.framework.models import Phase, Target
from duan8.geo.models import AdminUnit, UnitKind

NOTE = "Dữ liệu minh họa: tổng toàn quốc theo báo cáo sơ kết cuối năm 2023 (seed 001)"
END_2023 = datetime.date(2024, 1, 1)  # first day after
SEED = 2023

# Indicator code → (what records, national total at the end of 2023)
SITUATION_2023 = {
    "TTCĐ": ("communication_team", 7623),
    "SINHKE": ("livelihood_group", 184),
    "DCTC": ("trusted_address", 1462),
    "CLB": ("leaders_club", 1132),
    "GSBDG": ("gender_me", 233),
}
NAMES = {
    "communication_team": "Tổ truyền thông cộng đồng",
    "livelihood_group": "Tổ hợp tác sinh kế do phụ nữ làm chủ",
    "trusted_address": "Địa chỉ tin cậy",
    "leaders_club": "CLB Thủ lĩnh của sự thay đổi",
}
# A few provinces much behind the others, so that the national dashboard has laggards to name.
LAGGING_SHARE = 0.2
# Provinces whose records come from their own source (Kon Tum's 2022 results, seed 004) get
# targets but no generated records.
OWN_RECORDS = {"62"}


def apportion(total: int, weights: list[float]) -> list[int]:
    """Whole numbers in proportion to ``weights`` that add up to ``total`` exactly (largest
    remainders)."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    raw = [total * w / whole for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _provinces() -> list[AdminUnit]:
    return list(
        AdminUnit.objects.filter(kind=UnitKind.PROVINCE)
        .valid_on(datetime.date(2023, 12, 31))
        .order_by("code")
    )


def _held(kind: str) -> int:
    """Records of ``kind`` the demo already counts at the end of 2023."""
    if kind == "gender_me":
        return Activity.objects.filter(
            kind="training",
            programme="gender_me",
            start_on__gte=datetime.date(2021, 1, 1),
            start_on__lt=END_2023,
        ).count()
    return (
        CommunityModel.objects.filter(kind=kind, established_on__lt=END_2023)
        .exclude(ended_on__lt=END_2023)
        .count()
    )


@transaction.atomic
def load_national_2023(phase: Phase) -> int:
    """Province phase targets and the records behind the end-2023 totals; the number of
    records created (0 when already loaded)."""
    if CommunityModel.objects.filter(notes=NOTE).exists():
        return 0
    provinces = _provinces()
    if not provinces:
        return 0
    rng = random.Random(SEED)
    size = [rng.uniform(0.5, 2.0) for _ in provinces]
    pace = [
        rng.uniform(0.25, 0.5) if rng.random() < LAGGING_SHARE else rng.uniform(0.8, 1.25)
        for _ in provinces
    ]
    communes = {
        p.pk: list(
            AdminUnit.objects.subtree(p)
            .filter(kind=UnitKind.COMMUNE)
            .valid_on(datetime.date(2023, 12, 31))
            .order_by("path")
            .values_list("pk", flat=True)
        )
        for p in provinces
    }
    indicators = {i.code: i for i in phase.indicators()}
    national = {
        t.indicator.code: t.effective
        for t in Target.objects.for_period(phase.period).filter(unit__parent__isnull=True)
    }
    targets, created = [], 0
    for code, (kind, total) in SITUATION_2023.items():
        indicator = indicators.get(code)
        if indicator is None:
            continue
        phase_target = int(national.get(code) or 0)
        shares = apportion(phase_target, size)
        for province, share in zip(provinces, shares, strict=True):
            target = Target(indicator=indicator, unit=province, value=Decimal(share), note=NOTE)
            target.period = phase.period
            targets.append(target)
        needed = total - _held(kind)
        weights = [
            0 if province.code in OWN_RECORDS else s * p
            for province, s, p in zip(provinces, shares, pace, strict=True)
        ]
        counts = apportion(needed, weights)
        for province, count in zip(provinces, counts, strict=True):
            created += _records(rng, kind, province, communes[province.pk], count)
    audit.bulk_create(targets)
    return created


def _day(rng: random.Random) -> datetime.date:
    start = datetime.date(2021, 6, 1)
    return start + datetime.timedelta(days=rng.randrange((END_2023 - start).days))


def _records(rng, kind: str, province, communes: list[int], count: int) -> int:
    if count <= 0 or not communes:
        return 0
    if kind == "gender_me":
        trainings = []
        for _i in range(count):
            day = _day(rng)
            size = rng.randint(25, 45)
            trainings.append(
                Activity(
                    kind="training",
                    programme="gender_me",
                    title="Tập huấn giám sát, đánh giá về bình đẳng giới",
                    unit_id=rng.choice(communes),
                    start_on=day,
                    end_on=day + datetime.timedelta(days=1),
                    organiser=f"Hội LHPN {province.name.replace('Tỉnh ', 'tỉnh ')}",
                    participants=size,
                    participants_women=size * 3 // 4,
                    participants_ethnic=size * 2 // 3,
                    notes=NOTE,
                )
            )
        audit.bulk_create(trainings)
        return count
    models = []
    for i in range(count):
        women = rng.randint(5, 15)
        models.append(
            CommunityModel(
                kind=kind,
                unit_id=communes[(i * 7919) % len(communes)],
                name=f"{NAMES[kind]} số {i + 1}",
                established_on=_day(rng),
                members_women=women,
                members_men=rng.randint(0, women // 2),
                women_owned=kind == "livelihood_group",
                notes=NOTE,
            )
        )
    audit.bulk_create(models)
    return count


# The 2024 annual reports of the provinces -------------------------------------------------

RETURNED_PROVINCE = "62"  # Kon Tum
# The provinces the demo's accounts work in stay open: approving their 2024 report would lock
# the records of 2024 the accounts are there to try.
KEPT_OPEN = {"12", "14"}
RETURN_COMMENT = (
    "Đề nghị bổ sung số liệu tổ truyền thông cộng đồng và địa chỉ tin cậy của các huyện "
    "còn thiếu, gửi lại trước ngày 20/01/2025."
)


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@transaction.atomic
def load_reports_2024(centre_user) -> int:
    """The provinces' 2024 reports to the centre (due 10/01/2025): most on time and approved
    or waiting, some late, some missing, Kon Tum's returned with a comment."""
    from duan8.reporting import cycle
    from duan8.reporting.models import Submission

    year = periods.parse("2024")
    if Submission.objects.for_period(year).filter(unit__kind=UnitKind.PROVINCE).exists():
        return 0
    provinces = [
        p
        for p in AdminUnit.objects.filter(kind=UnitKind.PROVINCE)
        .valid_on(year.last_day)
        .order_by("code")
    ]
    deadline = datetime.date(2025, 1, 10)
    made = 0
    for index, province in enumerate(provinces):
        if index % 8 == 7 and province.code != RETURNED_PROVINCE:
            continue  # not sent
        late = index % 8 == 3
        day = deadline + datetime.timedelta(days=(4 + index % 9) if late else -(index % 6))
        submission = cycle.submit(
            centre_user,
            province,
            year,
            "Báo cáo kết quả thực hiện Dự án 8 năm 2024 (minh họa)",
            at=_at(day),
        )
        made += 1
        if province.code == RETURNED_PROVINCE:
            cycle.send_back(
                centre_user, submission, RETURN_COMMENT, at=_at(day + datetime.timedelta(days=3))
            )
        elif index % 2 == 0 and not late and province.code not in KEPT_OPEN:
            cycle.approve(centre_user, submission, at=_at(day + datetime.timedelta(days=6), 15))
    return made
