"""A reproducible national data set for benchmarks and load tests (``duan8 generate``).

At scale 1.0: about 50,000 villages (each legacy village carried to its commune's default
successor by a succession, as ``geo.villages.carry_across`` does, plus villages found only
under new communes), 100,000 community models and 300,000 activities over 2021–2025, typed
figures for every commune and half-year of the indicators that are typed, and targets for
the nation and the provinces per year and for the phase.

Every record lies on a unit that exists on its date: before 1/7/2025 on legacy communes,
villages, districts and provinces, from then on new communes, villages and provinces.
Rows are bulk-inserted in large batches and skip the per-row audit trail: this is generated
data for a throw-away database, not records anybody typed.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction

from duan8.activities.models import (
    Activity,
    ActivityKind,
    DialogueLevel,
    EventForm,
    TrainingProgramme,
)
from duan8.community.models import ST_SUPPORTS, CommunityModel, ModelKind
from duan8.core import audit
from duan8.framework import periods
from duan8.framework.models import Aggregation, IndicatorVersion, Phase, Source, Target
from duan8.geo import matching, paths
from duan8.geo.models import AdminUnit, Succession, UnitKind
from duan8.geo.villages import CARRIED_BASIS, village_type
from duan8.reporting.models import Figure

NATIONAL = {"villages": 50_000, "models": 100_000, "activities": 300_000}
FIRST_DAY = datetime.date(2021, 1, 1)
LAST_DAY = datetime.date(2025, 12, 31)
REFORM = datetime.date(2025, 7, 1)
BATCH = 5_000
NEW_ONLY_SHARE = 0.08  # villages that exist only under a new commune

MODEL_KINDS = [
    (ModelKind.COMMUNICATION_TEAM, 45, "Tổ truyền thông cộng đồng"),
    (ModelKind.LEADERS_CLUB, 15, "CLB Thủ lĩnh của sự thay đổi"),
    (ModelKind.TRUSTED_ADDRESS, 12, "Địa chỉ tin cậy"),
    (ModelKind.LIVELIHOOD_GROUP, 15, "Tổ nhóm sinh kế"),
    (ModelKind.TRAFFICKING_LIVELIHOOD, 3, "Mô hình sinh kế hỗ trợ nạn nhân"),
    (ModelKind.SAVINGS_GROUP, 10, "Tổ tiết kiệm thôn bản"),
]
ACTIVITY_KINDS = [
    (ActivityKind.TRAINING, 45),
    (ActivityKind.DIALOGUE, 20),
    (ActivityKind.CAMPAIGN, 20),
    (ActivityKind.SUPERVISION, 10),
    (ActivityKind.REVIEW, 5),
]
# Where activities are held: kinds tried in order (districts ended on 1/7/2025).
ACTIVITY_LEVELS = [
    ((UnitKind.COMMUNE,), 55),
    ((UnitKind.VILLAGE, UnitKind.COMMUNE), 20),
    ((UnitKind.DISTRICT, UnitKind.PROVINCE), 15),
    ((UnitKind.PROVINCE,), 8),
    ((UnitKind.NATION,), 2),
]
VILLAGE_WORDS = ["Thôn", "Thôn", "Bản", "Bản", "Tổ dân phố", "Xóm", "Buôn"]


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        return ", ".join(
            f"{n:,} {name} ({self.seconds.get(name, 0):.1f} s)" for name, n in self.counts.items()
        )


class Pool:
    """Units by kind and validity span, to pick one that exists on a given day."""

    def __init__(self) -> None:
        self.spans: dict[str, dict[tuple, list[int]]] = defaultdict(lambda: defaultdict(list))

    def add(self, pk: int, kind: str, valid_from, valid_until) -> None:
        self.spans[kind][(valid_from, valid_until)].append(pk)

    def pick(self, rng: random.Random, kinds, day: datetime.date) -> tuple[int, datetime.date]:
        """A unit of the first kind that has one on ``day``; (id, last valid day)."""
        for kind in kinds:
            spans = [
                (span, ids)
                for span, ids in self.spans[kind].items()
                if span[0] <= day and (span[1] is None or day < span[1])
            ]
            total = sum(len(ids) for _span, ids in spans)
            if not total:
                continue
            index = rng.randrange(total)
            for (_start, until), ids in spans:
                if index < len(ids):
                    last = until - datetime.timedelta(days=1) if until else LAST_DAY
                    return ids[index], last
                index -= len(ids)
        raise LookupError(f"no unit of kind {kinds} on {day}")


def _insert(model, rows: list) -> None:
    """Insert model instances with raw statements (``audit.insert_rows``), around the audit
    path: no events, no ids come back (none are needed)."""
    if not rows:
        return
    audit.bump(model)  # raise the change counter figures are kept under
    audit.insert_rows(model, rows, batch_size=BATCH)
    changed = getattr(audit, "changed", None)  # invalidates cached figures, where there are
    if changed is not None:
        changed(model)


def _reset_sequences(*models) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)


def _villages(rng: random.Random, scale: float) -> tuple[int, int]:
    """Legacy villages carried to their commune's default successor, and new-only villages."""
    wanted = round(NATIONAL["villages"] * scale)
    legacy = list(
        AdminUnit.objects.filter(kind=UnitKind.COMMUNE, valid_until=REFORM)
        .order_by("pk")
        .values_list("pk", "path", "valid_from", "valid_until")
    )
    current = list(
        AdminUnit.objects.filter(kind=UnitKind.COMMUNE, valid_from__lte=REFORM, valid_until=None)
        .order_by("pk")
        .values_list("pk", "path", "valid_from", "valid_until")
    )
    successor = {}
    for pred, succ in (
        Succession.objects.filter(
            is_default=True, predecessor__kind=UnitKind.COMMUNE, successor__kind=UnitKind.COMMUNE
        )
        .order_by("predecessor_id", "successor_id")
        .values_list("predecessor_id", "successor_id")
    ):
        successor.setdefault(pred, succ)
    by_pk = {row[0]: row for row in legacy + current}
    next_id = (AdminUnit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    numbers: dict[int, int] = defaultdict(int)
    keys: dict[str, str] = {}
    units, links = [], []

    def village(commune_row, name, *, review=False):
        nonlocal next_id
        pk, next_id = next_id, next_id + 1
        path = paths.child_path(commune_row[1], pk)
        if name not in keys:
            keys[name] = (matching.name_key(name), village_type(name))
        units.append(
            AdminUnit(
                pk=pk,
                kind=UnitKind.VILLAGE,
                code="",
                name=name,
                short_name=name,
                unit_type=keys[name][1],
                parent_id=commune_row[0],
                path=path,
                depth=len(paths.ids_in(path)) - 1,
                valid_from=commune_row[2],
                valid_until=commune_row[3],
                search_key=keys[name][0],
                needs_review=review,
            )
        )
        return pk

    def name_in(commune_pk):
        numbers[commune_pk] += 1
        return f"{rng.choice(VILLAGE_WORDS)} {numbers[commune_pk]}"

    new_only = round(wanted * NEW_ONLY_SHARE) if current else 0
    for _ in range(wanted - new_only if legacy else 0):
        commune = rng.choice(legacy)
        name = name_in(commune[0])
        old = village(commune, name)
        if commune[0] in successor and successor[commune[0]] in by_pk:
            carried_into = by_pk[successor[commune[0]]]
            numbers[carried_into[0]] += 1
            new = village(carried_into, name, review=True)
            links.append(
                Succession(
                    predecessor_id=old,
                    successor_id=new,
                    effective_on=carried_into[2],
                    legal_basis=CARRIED_BASIS,
                )
            )
    for _ in range(new_only):
        commune = rng.choice(current)
        village(commune, name_in(commune[0]))
    _insert(AdminUnit, units)
    _insert(Succession, links)
    _reset_sequences(AdminUnit)
    return len(units), len(links)


def _pool() -> Pool:
    pool = Pool()
    for pk, kind, start, until in AdminUnit.objects.order_by("pk").values_list(
        "pk", "kind", "valid_from", "valid_until"
    ):
        pool.add(pk, kind, start, until)
    return pool


def _day(rng: random.Random) -> datetime.date:
    return FIRST_DAY + datetime.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))


def _models(rng: random.Random, scale: float, pool: Pool) -> int:
    kinds = [k for k, _w, _n in MODEL_KINDS]
    weights = [w for _k, w, _n in MODEL_KINDS]
    labels = {k: n for k, _w, n in MODEL_KINDS}
    supports = list(ST_SUPPORTS)
    rows = []
    for number in range(1, round(NATIONAL["models"] * scale) + 1):
        day = _day(rng)
        kind = rng.choices(kinds, weights)[0]
        where = (UnitKind.VILLAGE, UnitKind.COMMUNE) if rng.random() < 0.65 else (UnitKind.COMMUNE,)
        unit_id, _last = pool.pick(rng, where, day)
        ended = None
        if rng.random() < 0.12:
            ended = day + datetime.timedelta(days=rng.randrange(120, 1500))
        women = rng.randrange(5, 40)
        livelihood = kind == ModelKind.LIVELIHOOD_GROUP
        rows.append(
            CommunityModel(
                kind=kind,
                unit_id=unit_id,
                name=f"{labels[kind]} số {number}",
                established_on=day,
                ended_on=ended,
                members_women=women,
                members_men=rng.randrange(0, women // 2 + 1),
                women_owned=livelihood,
                st_supports=rng.sample(supports, rng.randrange(0, 3)) if livelihood else [],
                setting="school" if kind == ModelKind.LEADERS_CLUB and rng.random() < 0.5 else "",
            )
        )
    _insert(CommunityModel, rows)
    return len(rows)


def _activities(rng: random.Random, scale: float, pool: Pool) -> int:
    kinds = [k for k, _w in ACTIVITY_KINDS]
    kind_weights = [w for _k, w in ACTIVITY_KINDS]
    levels = [k for k, _w in ACTIVITY_LEVELS]
    level_weights = [w for _k, w in ACTIVITY_LEVELS]
    programmes = list(TrainingProgramme)
    forms = list(EventForm)
    labels = {kind: str(kind.label) for kind in kinds}
    rows = []
    for number in range(1, round(NATIONAL["activities"] * scale) + 1):
        day = _day(rng)
        kind = rng.choices(kinds, kind_weights)[0]
        level = rng.choices(levels, level_weights)[0]
        unit_id, last = pool.pick(rng, level, day)
        participants = rng.randrange(15, 80)
        women = rng.randrange(participants // 2, participants + 1)
        row = Activity(
            kind=kind,
            title=f"{labels[kind]} số {number}",
            unit_id=unit_id,
            start_on=day,
            end_on=min(day + datetime.timedelta(days=rng.choice((0, 0, 0, 1, 2))), last),
            organiser="Hội LHPN",
            participants=participants,
            participants_women=women,
            participants_ethnic=rng.randrange(0, participants + 1),
            cost=rng.randrange(2_000, 60_000) * 1_000,
        )
        if kind == ActivityKind.TRAINING:
            row.programme = rng.choice(programmes)
            row.is_training_of_trainers = rng.random() < 0.03
        elif kind == ActivityKind.DIALOGUE:
            row.dialogue_level = rng.choice(list(DialogueLevel))
        elif kind == ActivityKind.CAMPAIGN:
            row.event_form = rng.choice(forms)
        rows.append(row)
    _insert(Activity, rows)
    return len(rows)


def _halves() -> list[periods.Period]:
    return [
        periods.parse(f"{year}-H{half}")
        for year in range(FIRST_DAY.year, LAST_DAY.year + 1)
        for half in (1, 2)
    ]


def typed_indicators() -> list[int]:
    """Indicators whose definition is typed per period (source or measure)."""
    versions = IndicatorVersion.objects.filter(valid_from__lte=LAST_DAY)
    typed = versions.filter(source=Source.TYPED) | versions.filter(measure="reporting.typed")
    return sorted(set(typed.values_list("indicator_id", flat=True)))


def _figures(rng: random.Random) -> int:
    indicators = typed_indicators()
    communes = list(
        AdminUnit.objects.filter(kind=UnitKind.COMMUNE).values_list(
            "pk", "valid_from", "valid_until"
        )
    )
    rows = []
    for period in _halves():
        here = [
            pk
            for pk, start, until in communes
            if start <= period.start and (until is None or until >= period.end)
        ]
        for indicator in indicators:
            for pk in here:
                total = rng.randrange(0, 60)
                rows.append(
                    Figure(
                        indicator_id=indicator,
                        unit_id=pk,
                        period_kind=period.kind,
                        period_start=period.start,
                        period_end=period.end,
                        total=Decimal(total),
                        women=Decimal(rng.randrange(0, total + 1)),
                    )
                )
    _insert(Figure, rows)
    return len(rows)


def _targets(rng: random.Random, scale: float) -> int:
    """Nation and provinces: every year and the phase (new provinces: the second half of
    2025), for the indicators that add up; targets already set are kept."""
    phase = Phase.objects.order_by("start").first()
    if phase is None:
        return 0
    indicators = [
        v.indicator_id
        for v in IndicatorVersion.objects.filter(indicator__content_area__phase=phase)
        .exclude(aggregation=Aggregation.RATIO)
        .order_by("indicator_id", "valid_from")
    ]
    indicators = sorted(set(indicators))
    wanted = [phase.period] + [periods.parse(str(y)) for y in range(FIRST_DAY.year, 2026)]
    wanted.append(periods.parse("2025-H2"))
    units = list(
        AdminUnit.objects.filter(kind__in=[UnitKind.NATION, UnitKind.PROVINCE]).values_list(
            "pk", "kind", "valid_from", "valid_until"
        )
    )
    existing = set(
        Target.objects.values_list("indicator_id", "unit_id", "period_kind", "period_start")
    )
    share = {pk: rng.uniform(0.5, 1.5) for pk, *_rest in units}
    rows = []
    for indicator in indicators:
        yearly = Decimal(rng.randrange(100, 2_000) * 10)
        for period in wanted:
            size = yearly * {"phase": 5, "year": 1}.get(period.kind, Decimal("0.5"))
            here = [
                (pk, kind)
                for pk, kind, start, until in units
                if start <= period.start and (until is None or until > period.start)
            ]
            provinces = sum(1 for _pk, kind in here if kind == UnitKind.PROVINCE) or 1
            for pk, kind in here:
                if (indicator, pk, period.kind, period.start) in existing:
                    continue
                if kind == UnitKind.NATION and period.kind == "half":
                    continue
                value = size if kind == UnitKind.NATION else size * Decimal(share[pk]) / provinces
                rows.append(
                    Target(
                        indicator_id=indicator,
                        unit_id=pk,
                        period_kind=period.kind,
                        period_start=period.start,
                        period_end=period.end,
                        value=value.quantize(Decimal(1)),
                        note="Số liệu sinh tự động (duan8 generate)",
                    )
                )
    _insert(Target, rows)
    return len(rows)


def ensure_reference_data(log: Callable[[str], None] = print) -> None:
    """Official units and the phase-I framework, loaded when missing."""
    from duan8.framework import defaults
    from duan8.geo import official

    if not AdminUnit.objects.filter(kind=UnitKind.COMMUNE).exists():
        began = time.perf_counter()
        log(f"load_units: {official.load()} in {time.perf_counter() - began:.1f} s")
    if not Phase.objects.exists():
        defaults.load()
        log("load_framework: phase-I framework loaded")
    if not typed_indicators():
        _add_typed_indicators()
        log(f"{len(GENERATED_TYPED)} typed indicators added for the benchmark")


# The phase-I framework counts everything from records; figures typed per period are measured
# on indicators the generator adds (named as generated, never shipped by the framework).
GENERATED_TYPED = [
    ("SL-TGTT", "Người tham gia sinh hoạt truyền thông (chỉ số sinh tự động)"),
    ("SL-NNHT", "Phụ nữ được hỗ trợ, tư vấn (chỉ số sinh tự động)"),
    ("SL-TETG", "Trẻ em tham gia hoạt động (chỉ số sinh tự động)"),
]


def _add_typed_indicators() -> None:
    from duan8.framework import actions
    from duan8.framework.models import ContentArea

    area = ContentArea.objects.order_by("phase__start", "code").first()
    for code, name in GENERATED_TYPED:
        actions.add_indicator(
            area,
            code=code,
            name=name,
            unit_of_measure="người",
            source=Source.TYPED,
            measure="reporting.typed",
        )


def generate(scale: float = 1.0, seed: int = 8, log: Callable[[str], None] = print) -> Report:
    """Generate the data set (see the module docstring) in the configured database."""
    ensure_reference_data(log)
    rng = random.Random(seed)
    report = Report()

    def step(name, fn, *args):
        began = time.perf_counter()
        with transaction.atomic():
            result = fn(*args)
        report.seconds[name] = time.perf_counter() - began
        return result

    report.counts["villages"], report.counts["successions"] = step(
        "villages", _villages, rng, scale
    )
    pool = _pool()
    report.counts["community models"] = step("community models", _models, rng, scale, pool)
    report.counts["activities"] = step("activities", _activities, rng, scale, pool)
    report.counts["figures"] = step("figures", _figures, rng)
    report.counts["targets"] = step("targets", _targets, rng, scale)
    # The planner's statistics for the new rows (SQLite keeps none until asked): without
    # them SQLite sorts a whole national list instead of walking its index in order.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(str(report))
    return report
