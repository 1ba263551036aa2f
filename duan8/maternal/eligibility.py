"""Who qualifies for the four safe-birth packages: a birth judged by the rule set in force on
its date, one result per criterion with its reason, and the overall result.

Criteria (each met, not met, or not enough information — never a guess):

- ``rule_set``: only when no rule set is in force on the birth's date (the birth is then not
  met, with the date of the earliest set, so that an administrator may add one and judge it
  again);
- ``ethnicity``: the mother belongs to an ethnic minority. Guidance 04/HD-ĐCT, which the
  default set follows, names "bà mẹ người dân tộc thiểu số"; Decree 39 Art. 1 also names a
  Kinh woman whose husband is ethnic minority, but Guidance 04 refers to Decree 39 only for
  what a birth "in line with the population policy" is. So a Kinh mother does not qualify,
  whatever her husband's group, unless a rule set says otherwise
  (``kinh_mother_with_minority_husband``);
- ``age``: her age in full years on the birth's date is at least the set's minimum (her 18th
  birthday on the birth's date counts as 18; a mother born on 29 February has her birthday
  on 1 March in other years);
- ``residence``: the village she lived in on the birth's date is an especially disadvantaged
  village (``DISADVANTAGED_VILLAGE``), or its commune is a region III commune (``REGION`` III),
  by the classifications in force on that date;
- ``facility``: she gave birth at a health facility (when the set requires it);
- ``poor_household``: her household is poor — only when the set requires it; otherwise shown
  as not required, and the household status never changes the result (seed 000);
- ``social_insurance``: she is not covered by compulsory social insurance — only when the set
  excludes those covered (Decree 39 Art. 1 does; Guidance 04 does not);
- ``population_policy``: the birth is one of the cases of Decree 39/2015/NĐ-CP Art. 1 (cases
  1–9 of the brief §3; case 2 with the set's list of very small ethnic groups), or the set
  places no limit on the number of children.

The overall result is met when every criterion is met, not met when one is not met, and not
enough information otherwise. Reasons are stored in Vietnamese with the decision, as an
official record: they do not change with the reader's language.

``Context`` holds what many births share (the rule sets, the ethnic groups, the villages'
classifications), so that an import judges 20.000 births with a handful of queries.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from duan8.core.formatting import format_date
from duan8.geo import paths
from duan8.geo.models import Classification, ClassificationKind
from duan8.maternal.models import (
    Birth,
    BirthPlace,
    Decision,
    EthnicGroup,
    HouseholdStatus,
    Outcome,
    PopulationPolicy,
    RuleSet,
)

MET, NOT_MET, UNKNOWN = Outcome.MET.value, Outcome.NOT_MET.value, Outcome.UNKNOWN.value

DECREE_39 = "Nghị định 39/2015/NĐ-CP"

LABELS = {
    "rule_set": "Bộ tiêu chí áp dụng",
    "ethnicity": "Bà mẹ là người dân tộc thiểu số",
    "age": "Đủ tuổi vào ngày sinh con",
    "residence": "Cư trú tại xã khu vực III hoặc thôn đặc biệt khó khăn",
    "facility": "Sinh con tại cơ sở y tế",
    "poor_household": "Hộ nghèo",
    "social_insurance": "Không tham gia bảo hiểm xã hội bắt buộc",
    "population_policy": "Sinh con đúng chính sách dân số",
}

# The facts of a birth, as a reason names them when they are missing.
FACT_NAMES = {
    "children_before": "số con bà mẹ đã sinh trước lần sinh này",
    "children_alive": "số con đó còn sống vào ngày sinh",
    "deliveries_before": "số lần sinh trước",
    "common_children_alive": "số con chung còn sống của hai vợ chồng",
    "mother_has_earlier_child": "bà mẹ có con riêng hay không",
    "husband_has_earlier_child": "người chồng có con riêng hay không",
    "child_with_certified_condition": (
        "con bị dị tật hoặc bệnh hiểm nghèo không di truyền đã được Hội đồng Giám định y khoa "
        "xác nhận hay không"
    ),
    "married": "bà mẹ đã kết hôn hay chưa",
    "husband_ethnic_group": "dân tộc của người chồng",
    "household_status": "hộ nghèo hay không",
}

CASES = {
    1: "sinh một hoặc hai con",
    2: (
        "sinh con thứ ba khi cả hai vợ chồng hoặc một người thuộc dân tộc có dưới 10.000 người "
        "hoặc có nguy cơ suy giảm số dân"
    ),
    3: "sinh lần thứ nhất mà sinh ba con trở lên",
    4: "đã có một con đẻ, sinh lần thứ hai mà sinh hai con trở lên",
    5: (
        "sinh lần thứ ba trở lên khi vào lúc sinh chỉ có một con đẻ còn sống (kể cả con đã "
        "cho làm con nuôi)"
    ),
    6: (
        "sinh con thứ ba khi một hoặc cả hai con đã có bị dị tật hoặc mắc bệnh hiểm nghèo "
        "không mang tính di truyền, được Hội đồng Giám định y khoa cấp tỉnh hoặc trung ương "
        "xác nhận"
    ),
    7: "sinh một hoặc hai con khi một trong hai vợ chồng đã có con riêng",
    8: (
        "sinh một con, hoặc hai con trở lên trong cùng một lần sinh, khi cả hai vợ chồng đã "
        "có con riêng và chưa có từ hai con chung trở lên còn sống"
    ),
    9: (
        "phụ nữ dân tộc thiểu số chưa kết hôn, thuộc hộ nghèo, sinh một hoặc hai con (kể cả "
        "sinh hai con trong một lần sinh)"
    ),
}


def criterion(code: str, outcome: str, reason: str, label: str | None = None) -> dict:
    return {"code": code, "label": label or LABELS[code], "outcome": outcome, "reason": reason}


def overall(criteria: list[dict]) -> str:
    outcomes = {c["outcome"] for c in criteria}
    if NOT_MET in outcomes:
        return NOT_MET
    if UNKNOWN in outcomes:
        return UNKNOWN
    return MET


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Full years from ``born`` to ``day``: the birthday itself completes a year."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# What many births share ---------------------------------------------------------------------


@dataclass
class _Class:
    kind: str
    value: str
    valid_from: datetime.date
    valid_until: datetime.date | None
    legal_basis: str

    def on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)


class Context:
    """Rule sets, ethnic groups and classifications read once for many births."""

    def __init__(self) -> None:
        self.rule_sets = list(
            RuleSet.objects.select_related("scope").prefetch_related("very_small_groups")
        )
        self.very_small = {
            rule_set.pk: {group.pk for group in rule_set.very_small_groups.all()}
            for rule_set in self.rule_sets
        }
        self.groups = {group.pk: group for group in EthnicGroup.objects.all()}
        self._classes: dict[int, list[_Class]] = {}
        self._before: dict[int, list] = {}

    def rule_set_on(self, day: datetime.date, unit=None) -> RuleSet | None:
        """The set in force on ``day`` for a birth in ``unit``: the province's own where one
        is in force, else the nation's."""
        above = set(paths.ids_in(unit.path)) if unit is not None and unit.path else set()
        found = [
            rule_set
            for rule_set in self.rule_sets
            if rule_set.in_force_on(day)
            and (rule_set.scope_id is None or rule_set.scope_id in above)
        ]
        if not found:
            return None
        # The province's own before the nation's; the latest start first.
        found.sort(key=lambda r: (r.scope_id is not None, r.valid_from, r.pk), reverse=True)
        return found[0]

    def earliest(self, unit=None) -> RuleSet | None:
        above = set(paths.ids_in(unit.path)) if unit is not None and unit.path else set()
        sets = [r for r in self.rule_sets if r.scope_id is None or r.scope_id in above]
        return min(sets, key=lambda r: r.valid_from, default=None)

    def load_classifications(self, unit_ids: Iterable[int]) -> None:
        wanted = set(unit_ids) - set(self._classes)
        if not wanted:
            return
        for unit_id in wanted:
            self._classes[unit_id] = []
        ids = sorted(wanted)
        for start in range(0, len(ids), 5000):
            rows = Classification.objects.filter(
                unit_id__in=ids[start : start + 5000],
                kind__in=[ClassificationKind.REGION, ClassificationKind.DISADVANTAGED_VILLAGE],
            ).values_list("unit_id", "kind", "value", "valid_from", "valid_until", "legal_basis")
            for unit_id, *rest in rows:
                self._classes[unit_id].append(_Class(*rest))

    def load_predecessors(self, unit_ids: Iterable[int]) -> None:
        """The units each village continues (the 2025 reform carried villages to the new
        communes), with their communes and classifications."""
        from duan8.geo.models import Succession

        wanted = set(unit_ids) - set(self._before)
        if not wanted:
            return
        for unit_id in wanted:
            self._before[unit_id] = []
        ids = sorted(wanted)
        for start in range(0, len(ids), 5000):
            links = Succession.objects.filter(successor_id__in=ids[start : start + 5000])
            for link in links.select_related("predecessor__parent"):
                self._before[link.successor_id].append(link.predecessor)
        former = [u for units in self._before.values() for u in units]
        self.load_classifications(
            {u.pk for u in former} | {u.parent_id for u in former if u.parent_id}
        )

    def predecessors(self, unit_id: int) -> list:
        if unit_id not in self._before:
            self.load_predecessors([unit_id])
        return self._before[unit_id]

    def classes(self, unit_id: int) -> list[_Class]:
        if unit_id not in self._classes:
            self.load_classifications([unit_id])
        return self._classes[unit_id]

    def group(self, pk: int | None) -> EthnicGroup | None:
        return self.groups.get(pk) if pk is not None else None


# The criteria -------------------------------------------------------------------------------


def _ethnicity(birth: Birth, rule_set: RuleSet, ctx: Context) -> dict:
    mother = birth.mother
    group = ctx.group(mother.ethnic_group_id)
    husband = ctx.group(mother.husband_ethnic_group_id)
    if group is None:
        return criterion("ethnicity", UNKNOWN, "Chưa ghi dân tộc của bà mẹ.")
    if not group.is_kinh:
        return criterion(
            "ethnicity", MET, f"Bà mẹ là người dân tộc {group.name} (dân tộc thiểu số)."
        )
    if not rule_set.kinh_mother_with_minority_husband:
        with_husband = (
            f"; chồng là người dân tộc {husband.name}"
            if husband is not None and not husband.is_kinh
            else ""
        )
        return criterion(
            "ethnicity",
            NOT_MET,
            f"Bà mẹ là người Kinh{with_husband}. Bộ tiêu chí này (theo Hướng dẫn 04/HD-ĐCT) chỉ "
            "áp dụng cho bà mẹ người dân tộc thiểu số; trường hợp phụ nữ Kinh có chồng là người "
            f"dân tộc thiểu số của Điều 1 {DECREE_39} không được áp dụng.",
        )
    if husband is None:
        return criterion(
            "ethnicity",
            UNKNOWN,
            "Bà mẹ là người Kinh; chưa ghi dân tộc của người chồng (bộ tiêu chí này áp dụng "
            "cho phụ nữ Kinh có chồng là người dân tộc thiểu số).",
        )
    if husband.is_kinh:
        return criterion("ethnicity", NOT_MET, "Bà mẹ và người chồng đều là người Kinh.")
    return criterion(
        "ethnicity",
        MET,
        f"Bà mẹ là người Kinh, chồng là người dân tộc {husband.name} (dân tộc thiểu số): "
        f"thuộc đối tượng theo Điều 1 {DECREE_39} mà bộ tiêu chí này áp dụng.",
    )


def _age(birth: Birth, rule_set: RuleSet) -> dict:
    born = birth.mother.birth_date
    if born is None:
        return criterion("age", UNKNOWN, "Chưa ghi ngày sinh của bà mẹ.")
    years = age_on(born, birth.date)
    told = (
        f"Bà mẹ sinh ngày {format_date(born)}, vào ngày sinh con {format_date(birth.date)} "
        f"được {years} tuổi tròn"
    )
    if years >= rule_set.min_age:
        return criterion("age", MET, f"{told} (từ đủ {rule_set.min_age} tuổi trở lên).")
    return criterion("age", NOT_MET, f"{told}, chưa đủ {rule_set.min_age} tuổi.")


def _residence(birth: Birth, ctx: Context) -> dict:
    village = birth.unit
    day = birth.date
    when = format_date(day)
    for item in ctx.classes(village.pk):
        if item.kind == ClassificationKind.DISADVANTAGED_VILLAGE and item.on(day):
            return criterion(
                "residence",
                MET,
                f"{village.name} là thôn đặc biệt khó khăn vào ngày {when} ({item.legal_basis}).",
            )
    commune = village.parent if village.parent_id else None
    if commune is not None:
        for item in ctx.classes(commune.pk):
            if item.kind == ClassificationKind.REGION and item.value == "III" and item.on(day):
                return criterion(
                    "residence",
                    MET,
                    f"{village.name} thuộc {commune.name}, xã khu vực III vào ngày {when} "
                    f"({item.legal_basis}).",
                )
    where = f"{village.name} ({commune.name})" if commune is not None else village.name
    recorded = any(item.on(day) for item in ctx.classes(village.pk)) or (
        commune is not None and any(item.on(day) for item in ctx.classes(commune.pk))
    )
    if not recorded:
        # Nothing is recorded for the village or its commune on the day: a village carried
        # to a new commune by the 2025 reform keeps no classification. What its former
        # village was is said, never taken as the answer.
        for former in ctx.predecessors(village.pk):
            if former.valid_until is None or former.valid_until > day:
                continue
            last = former.valid_until - datetime.timedelta(days=1)
            was = _disadvantaged_on(former, last, ctx)
            if was:
                return criterion(
                    "residence",
                    UNKNOWN,
                    f"Vào ngày {when}, chưa có phân loại nào được ghi cho {where}. Thôn này "
                    f"tiếp nối {former.name}"
                    f"{' (' + former.parent.name + ')' if former.parent_id else ''}, {was} đến "
                    f"hết ngày {format_date(last)}. Cần ghi danh sách xã khu vực III, thôn đặc "
                    "biệt khó khăn áp dụng cho đơn vị hành chính sau sắp xếp rồi xét lại.",
                )
    return criterion(
        "residence",
        NOT_MET,
        f"Vào ngày {when}, {where} không phải thôn đặc biệt khó khăn và xã không thuộc khu vực "
        "III: không thuộc địa bàn đặc biệt khó khăn.",
    )


def _disadvantaged_on(unit, day: datetime.date, ctx: Context) -> str:
    """How ``unit`` (a village) was classified on ``day``: words for the reason, or ""."""
    for item in ctx.classes(unit.pk):
        if item.kind == ClassificationKind.DISADVANTAGED_VILLAGE and item.on(day):
            return f"là thôn đặc biệt khó khăn ({item.legal_basis})"
    if unit.parent_id:
        for item in ctx.classes(unit.parent_id):
            if item.kind == ClassificationKind.REGION and item.value == "III" and item.on(day):
                return f"thuộc xã khu vực III ({item.legal_basis})"
    return ""


def _facility(birth: Birth, rule_set: RuleSet) -> dict:
    if not rule_set.requires_facility_birth:
        return criterion("facility", MET, "Bộ tiêu chí này không yêu cầu sinh tại cơ sở y tế.")
    if birth.place == BirthPlace.FACILITY:
        name = (birth.facility_name or "").strip()
        return criterion("facility", MET, f"Sinh tại cơ sở y tế{': ' + name if name else ''}.")
    if birth.place == BirthPlace.HOME:
        return criterion("facility", NOT_MET, "Sinh tại nhà, không tại cơ sở y tế.")
    if birth.place == BirthPlace.OTHER:
        return criterion("facility", NOT_MET, "Sinh ngoài cơ sở y tế.")
    return criterion("facility", UNKNOWN, "Chưa ghi nơi sinh.")


def _poor_household(birth: Birth, rule_set: RuleSet) -> dict:
    status = birth.mother.household_status
    if not rule_set.requires_poor_household:
        return criterion(
            "poor_household",
            MET,
            "Không yêu cầu: bộ tiêu chí này không đòi hỏi bà mẹ thuộc hộ nghèo (Hướng dẫn "
            "04/HD-ĐCT), hộ nghèo hay không đều không ảnh hưởng đến kết quả.",
            label="Hộ nghèo (không bắt buộc)",
        )
    if status == HouseholdStatus.POOR:
        return criterion("poor_household", MET, "Bà mẹ thuộc hộ nghèo.")
    if status in (HouseholdStatus.NEAR_POOR, HouseholdStatus.OTHER):
        told = "hộ cận nghèo" if status == HouseholdStatus.NEAR_POOR else "không thuộc hộ nghèo"
        return criterion("poor_household", NOT_MET, f"Bà mẹ {told}; bộ tiêu chí yêu cầu hộ nghèo.")
    return criterion("poor_household", UNKNOWN, "Chưa ghi bà mẹ có thuộc hộ nghèo hay không.")


def _social_insurance(birth: Birth) -> dict:
    covered = birth.covered_by_social_insurance
    if covered is None:
        return criterion(
            "social_insurance",
            UNKNOWN,
            "Chưa ghi bà mẹ có tham gia bảo hiểm xã hội bắt buộc hay không.",
        )
    if covered:
        return criterion(
            "social_insurance",
            NOT_MET,
            f"Bà mẹ tham gia bảo hiểm xã hội bắt buộc: không thuộc đối tượng (Điều 1 {DECREE_39}).",
        )
    return criterion("social_insurance", MET, "Bà mẹ không tham gia bảo hiểm xã hội bắt buộc.")


# Decree 39's cases in three values: True, False, or None (a fact is missing).


class _Cond:
    """A condition over a birth's facts: its value, and the facts it lacked when None."""

    __slots__ = ("missing", "value")

    def __init__(self, value: bool | None, missing: Iterable[str] = ()) -> None:
        self.value = value
        self.missing = set(missing) if value is None else set()


def _fact(birth: Birth, name: str, test) -> _Cond:
    value = getattr(birth, name)
    if value is None:
        return _Cond(None, [name])
    return _Cond(bool(test(value)))


def _all(*conds: _Cond) -> _Cond:
    if any(c.value is False for c in conds):
        return _Cond(False)
    if all(c.value is True for c in conds):
        return _Cond(True)
    return _Cond(None, set().union(*(c.missing for c in conds)))


def _any(*conds: _Cond) -> _Cond:
    if any(c.value is True for c in conds):
        return _Cond(True)
    if all(c.value is False for c in conds):
        return _Cond(False)
    return _Cond(None, set().union(*(c.missing for c in conds)))


def decree_39_cases(birth: Birth, rule_set: RuleSet, ctx: Context) -> dict[int, _Cond]:
    """Each case of Decree 39 Art. 1 for ``birth``: True, False or None (with the facts
    missing). "The n-th child" counts the mother's children born alive before this delivery;
    children given for adoption count as her own and, in case 5, as alive."""
    babies = birth.babies or 1
    mother = birth.mother
    small = ctx.very_small.get(rule_set.pk, set())
    third_child = _all(_fact(birth, "children_before", lambda n: n == 2), _Cond(babies == 1))
    at_most_two = _fact(birth, "children_before", lambda n: n + babies <= 2)
    no_husband = birth.married is False
    # Case 2: the mother's group, or the husband's, is a very small group.
    mother_small = _Cond(mother.ethnic_group_id in small)
    if no_husband:
        husband_small = _Cond(False)
    elif mother.husband_ethnic_group_id is None:
        husband_small = _Cond(None, ["husband_ethnic_group"])
    else:
        husband_small = _Cond(mother.husband_ethnic_group_id in small)
    group = ctx.group(mother.ethnic_group_id)
    minority = _Cond(group is not None and not group.is_kinh)
    spouse = _Cond(False) if no_husband else _Cond(True)
    mother_earlier = _fact(birth, "mother_has_earlier_child", bool)
    husband_earlier = _fact(birth, "husband_has_earlier_child", bool)
    return {
        1: at_most_two,
        2: _all(third_child, _any(mother_small, husband_small)),
        3: _all(_fact(birth, "deliveries_before", lambda n: n == 0), _Cond(babies >= 3)),
        4: _all(
            _fact(birth, "children_before", lambda n: n == 1),
            _fact(birth, "deliveries_before", lambda n: n == 1),
            _Cond(babies >= 2),
        ),
        5: _all(
            _fact(birth, "deliveries_before", lambda n: n >= 2),
            _fact(birth, "children_alive", lambda n: n == 1),
        ),
        6: _all(third_child, _fact(birth, "child_with_certified_condition", bool)),
        7: _all(
            spouse,
            _any(mother_earlier, husband_earlier),
            _fact(birth, "common_children_alive", lambda n: n + babies <= 2),
        ),
        8: _all(
            spouse,
            mother_earlier,
            husband_earlier,
            _fact(birth, "common_children_alive", lambda n: n < 2),
        ),
        9: _all(
            _fact(birth, "married", lambda married: not married),
            minority,
            _Cond(
                None if not mother.household_status else mother.household_status == "poor",
                ["household_status"],
            ),
            at_most_two,
        ),
    }


def _count(value, unit: str) -> str:
    return "chưa ghi" if value is None else f"{value} {unit}"


def _facts_told(birth: Birth) -> str:
    return (
        f"lần sinh này {birth.babies or 1} con; trước đó bà mẹ đã sinh "
        f"{_count(birth.children_before, 'con')}, còn sống "
        f"{_count(birth.children_alive, 'con')}, đã sinh {_count(birth.deliveries_before, 'lần')}"
    )


def _population_policy(birth: Birth, rule_set: RuleSet, ctx: Context) -> dict:
    if rule_set.population_policy == PopulationPolicy.NO_LIMIT:
        return criterion(
            "population_policy",
            MET,
            "Bộ tiêu chí này không giới hạn số con: mọi lần sinh đều đúng chính sách dân số.",
        )
    cases = decree_39_cases(birth, rule_set, ctx)
    met = [number for number, cond in cases.items() if cond.value is True]
    if met:
        number = met[0]
        return criterion(
            "population_policy",
            MET,
            f"Trường hợp {number} Điều 1 {DECREE_39}: {CASES[number]} ({_facts_told(birth)}).",
        )
    missing = set().union(*(cond.missing for cond in cases.values()))
    if missing:
        names = "; ".join(FACT_NAMES[name] for name in FACT_NAMES if name in missing)
        return criterion(
            "population_policy",
            UNKNOWN,
            f"Chưa đủ thông tin để xét các trường hợp của Điều 1 {DECREE_39} "
            f"({_facts_told(birth)}). Cần ghi: {names}.",
        )
    return criterion(
        "population_policy",
        NOT_MET,
        f"Không thuộc trường hợp nào của Điều 1 {DECREE_39} ({_facts_told(birth)}).",
    )


# Judging ------------------------------------------------------------------------------------


def rule_set_on(day: datetime.date, unit=None, *, context: Context | None = None) -> RuleSet | None:
    """The rule set in force on ``day`` (for a birth in ``unit``: a province's own set over
    the nation's), or None."""
    return (context or Context()).rule_set_on(day, unit)


def judge(birth: Birth, rule_set: RuleSet | None, *, context: Context | None = None):
    """``(result, criteria)`` for ``birth`` under ``rule_set`` (None: none in force)."""
    ctx = context or Context()
    if rule_set is None:
        first = ctx.earliest(birth.unit)
        since = (
            " Bộ tiêu chí sớm nhất áp dụng cho các ca sinh từ ngày "
            f"{format_date(first.valid_from)}."
            if first is not None
            else ""
        )
        reason = (
            f"Không có bộ tiêu chí nào áp dụng cho ca sinh ngày {format_date(birth.date)}."
            f"{since} Quản trị viên có thể thêm bộ tiêu chí cho thời gian này rồi xét lại."
        )
        criteria = [criterion("rule_set", NOT_MET, reason)]
        return NOT_MET, criteria
    criteria = [
        _ethnicity(birth, rule_set, ctx),
        _age(birth, rule_set),
        _residence(birth, ctx),
        _facility(birth, rule_set),
        _poor_household(birth, rule_set),
    ]
    if rule_set.excludes_compulsory_insurance:
        criteria.append(_social_insurance(birth))
    criteria.append(_population_policy(birth, rule_set, ctx))
    return overall(criteria), criteria


def prepare(birth: Birth, reason_for_rerun: str = "", *, context: Context, by=None) -> Decision:
    """The decision for ``birth`` by the set in force on its date, not yet stored."""
    rule_set = context.rule_set_on(birth.date, birth.unit)
    result, criteria = judge(birth, rule_set, context=context)
    actor = by if getattr(by, "is_authenticated", False) else None
    return Decision(
        birth=birth,
        rule_set=rule_set,
        result=result,
        criteria=criteria,
        reason_for_rerun=(reason_for_rerun or "").strip()[:300],
        decided_by=actor,
    )


def decide(
    birth: Birth, reason_for_rerun: str = "", *, context: Context | None = None, by=None
) -> Decision:
    """Judge ``birth`` by the set in force on its date and store the decision. Judging again
    adds a decision; the earlier ones are kept as they were."""
    from duan8.core import audit

    ctx = context or Context()
    ctx.load_classifications([birth.unit_id, birth.unit.parent_id or birth.unit_id])
    decision = prepare(birth, reason_for_rerun, context=ctx, by=by or audit.current().actor())
    decision.save()
    return decision


def decide_many(births: list[Birth], *, context: Context | None = None, by=None) -> list[Decision]:
    """Judge and store many births at once (an import): one decision each."""
    from duan8.core import audit

    ctx = context or Context()
    units = defaultdict(set)
    for birth in births:
        units[birth.unit_id].add(birth.unit.parent_id)
    ctx.load_classifications({*units, *(p for ps in units.values() for p in ps if p)})
    ctx.load_predecessors(units)
    actor = by or audit.current().actor()
    decisions = [prepare(birth, context=ctx, by=actor) for birth in births]
    return audit.bulk_create(decisions, validated=True)


def latest(birth: Birth) -> Decision | None:
    return birth.decisions.order_by("-decided_at", "-pk").first()
