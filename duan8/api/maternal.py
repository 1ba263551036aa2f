"""The maternal registry in the API: mothers and births under the pages' access rules,
decisions with the reason for each criterion, judging again, and the rule set versions.

Personal data (Decree 13/2023/NĐ-CP): ``citizen_id`` and ``phone`` come in clear only to a
token whose user may export the unit's personal data (``access.may_export_personal_data``:
a permission of its own, granted on a membership); otherwise masked, with
``personal_data_masked`` true. Every read of mothers or births is logged with who and how
many persons (``privacy.record_access``, what "api")."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from duan8.api.common import VERSION_HELP, Id
from duan8.api.errors import answers
from duan8.api.jobs import JobOut, _submit
from duan8.api.schemas import InputSchema
from duan8.core import access, audit, versions
from duan8.geo.models import AdminUnit
from duan8.maternal import actions, ethnic_groups, privacy
from duan8.maternal.models import (
    Birth,
    BirthPlace,
    Decision,
    Delivery,
    HouseholdStatus,
    Mother,
    Outcome,
    RuleSet,
    fold_name,
)
from duan8.maternal.views import births_of

router = Router(tags=["maternal support"])

PERSONAL_HELP = (
    "In clear only for users who may export the unit's personal data (a permission of its "
    "own, granted on a membership); otherwise masked to its last three digits."
)


class Page(Schema):
    """``?limit=`` (1–1000, default 100) and ``?offset=``."""

    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=2**31)


class MotherOut(Schema):
    id: int
    unit_id: int
    full_name: str
    birth_date: datetime.date
    ethnic_group: str
    husband_ethnic_group: str | None
    household_status: str
    citizen_id: str = Field(description=PERSONAL_HELP)
    phone: str = Field(description=PERSONAL_HELP)
    personal_data_masked: bool
    possible_duplicate: bool
    version: int = Field(description=VERSION_HELP)


class MotherPage(Schema):
    count: int
    items: list[MotherOut]


class MotherIn(InputSchema):
    unit: Id = Field(description="The village she lives in.")
    full_name: str = Field(min_length=1, max_length=120)
    birth_date: datetime.date
    ethnic_group: str = Field(
        min_length=1, max_length=60, description="One of the 54 groups, as usually written."
    )
    citizen_id: str = Field("", max_length=12, description="12 digits, or empty.")
    husband_ethnic_group: str = Field("", max_length=60)
    household_status: HouseholdStatus | None = None
    phone: str = Field("", max_length=15)
    notes: str = Field("", max_length=300)


class MotherQuery(Schema):
    unit: Id
    q: str | None = Field(None, max_length=120, description="Part of the name.")


class CriterionOut(Schema):
    code: str
    label: str
    outcome: str
    reason: str


class DecisionOut(Schema):
    id: int
    result: str
    rule_set_id: int | None
    rule_set_name: str | None
    criteria: list[CriterionOut]
    decided_at: datetime.datetime
    reason_for_rerun: str

    @staticmethod
    def resolve_rule_set_name(obj) -> str | None:
        return obj.rule_set.name if obj.rule_set_id else None


class BirthOut(Schema):
    id: int
    mother_id: int
    unit_id: int
    date: datetime.date
    place: str
    facility_name: str
    delivery: str
    babies: int
    children_before: int | None
    children_alive: int | None
    deliveries_before: int | None
    married: bool | None
    common_children_alive: int | None
    mother_has_earlier_child: bool | None
    husband_has_earlier_child: bool | None
    child_with_certified_condition: bool | None
    covered_by_social_insurance: bool | None
    result: str | None = Field(description="The latest decision's result.")
    decision: DecisionOut | None = Field(description="The latest decision.")
    version: int = Field(description=VERSION_HELP)


class BirthPage(Schema):
    count: int
    items: list[BirthOut]


class BirthIn(InputSchema):
    mother: Id
    unit: Id | None = Field(None, description="The village on the birth date (default hers).")
    date: datetime.date
    place: BirthPlace
    facility_name: str = Field("", max_length=200)
    delivery: Delivery
    babies: int = Field(1, ge=1, le=9)
    children_before: int | None = Field(None, ge=0, le=30)
    children_alive: int | None = Field(None, ge=0, le=30)
    deliveries_before: int | None = Field(None, ge=0, le=30)
    married: bool | None = None
    common_children_alive: int | None = Field(None, ge=0, le=30)
    mother_has_earlier_child: bool | None = None
    husband_has_earlier_child: bool | None = None
    child_with_certified_condition: bool | None = None
    covered_by_social_insurance: bool | None = None
    notes: str = Field("", max_length=300)


class BirthQuery(Schema):
    unit: Id
    year: int | None = Field(None, ge=2000, le=2100)
    result: Outcome | None = None


class JudgeIn(InputSchema):
    reason: str = Field(min_length=1, max_length=300, description="Why it is judged again.")


class RuleSetOut(Schema):
    id: int
    scope_id: int | None
    name: str
    legal_basis: str
    valid_from: datetime.date
    valid_until: datetime.date | None
    min_age: int
    requires_facility_birth: bool
    requires_poor_household: bool
    kinh_mother_with_minority_husband: bool
    excludes_compulsory_insurance: bool
    population_policy: str
    very_small_groups: list[str]

    @staticmethod
    def resolve_very_small_groups(obj) -> list[str]:
        return [group.name for group in obj.very_small_groups.all()]


# Helpers --------------------------------------------------------------------------------------


def _mother_out(user, mother: Mother, flagged: bool) -> dict:
    clear = access.may_export_personal_data(user, mother.unit)
    return {
        "id": mother.pk,
        "unit_id": mother.unit_id,
        "full_name": mother.full_name,
        "birth_date": mother.birth_date,
        "ethnic_group": mother.ethnic_group.name,
        "husband_ethnic_group": (
            mother.husband_ethnic_group.name if mother.husband_ethnic_group_id else None
        ),
        "household_status": mother.household_status,
        "citizen_id": privacy.shown_citizen_id(mother.citizen_id, clear),
        "phone": privacy.shown_phone(mother.phone, clear),
        "personal_data_masked": not clear,
        "possible_duplicate": bool(flagged),
        "version": versions.of(mother),
    }


def _birth_out(birth: Birth, decision: Decision | None) -> dict:
    values = {name: getattr(birth, name) for name in BirthOut.model_fields if hasattr(birth, name)}
    values.update(
        {
            "id": birth.pk,
            "mother_id": birth.mother_id,
            "unit_id": birth.unit_id,
            "result": decision.result if decision else None,
            "decision": decision,
            "version": versions.of(birth),
        }
    )
    return values


def _latest_decisions(birth_ids) -> dict[int, Decision]:
    latest: dict[int, Decision] = {}
    for decision in Decision.objects.filter(birth_id__in=list(birth_ids)).select_related(
        "rule_set"
    ):
        found = latest.get(decision.birth_id)
        if found is None or decision.pk > found.pk:
            latest[decision.birth_id] = decision
    return latest


def _log(request, unit, count: int) -> None:
    privacy.record_access(request.auth, unit, "api", count=count, source=audit.SOURCE_API)


def _group(text: str, field: str, required: bool):
    if not text:
        if required:
            raise ValidationError({field: [_("This field is required.")]})
        return None
    group = ethnic_groups.find(text)
    if group is None:
        raise ValidationError(
            {field: [_("“%(value)s” is not one of the 54 ethnic groups.") % {"value": text[:60]}]}
        )
    return group


def _mothers():
    return Mother.objects.select_related("unit", "ethnic_group", "husband_ethnic_group")


# Mothers --------------------------------------------------------------------------------------


@router.get("/mothers", response=answers(MotherPage, 404, 422), url_name="mothers")
def mother_list(request, query: Query[MotherQuery], page: Query[Page]):
    """The mothers of a unit's subtree (personal fields masked unless allowed), by name."""
    unit = access.get_unit_or_404(request.auth, query.unit)
    records = access.scope_records(request.auth, _mothers().within(unit))
    if query.q:
        records = records.filter(name_key__contains=fold_name(query.q))
    records = records.order_by("name_key", "pk")
    count = records.count()
    items = list(records[page.offset : page.offset + page.limit])
    flagged = set(
        Mother.objects.filter(pk__in=[m.pk for m in items])
        .filter(
            Q(duplicate_flags__state="open") | Q(pk__in=_open_other_mothers([m.pk for m in items]))
        )
        .values_list("pk", flat=True)
    )
    _log(request, unit, len(items))
    return {
        "count": count,
        "items": [_mother_out(request.auth, m, m.pk in flagged) for m in items],
    }


def _open_other_mothers(ids):
    from duan8.maternal.models import DuplicateFlag

    return DuplicateFlag.objects.filter(other_mother_id__in=ids, state="open").values(
        "other_mother_id"
    )


@router.get("/mothers/{mother_id}", response=answers(MotherOut, 404), url_name="mother")
def mother_read(request, mother_id: Id):
    mother = access.get_or_404(request.auth, _mothers(), pk=mother_id)
    _log(request, mother.unit, 1)
    return _mother_out(request.auth, mother, _is_flagged(mother))


def _is_flagged(mother: Mother) -> bool:
    return (
        mother.duplicate_flags.filter(state="open").exists()
        or _open_other_mothers([mother.pk]).exists()
    )


@router.post(
    "/mothers", response=answers({201: MotherOut}, 403, 404, 422), url_name="mother_create"
)
def mother_create(request, payload: MotherIn):
    """Register a mother in a village the token's user edits; possible duplicates are flagged
    (``possible_duplicate``), never merged."""
    data = payload.dict()
    unit = access.get_unit_or_404(request.auth, data.pop("unit"), access.Action.EDIT)
    mother = Mother(
        unit=unit,
        full_name=" ".join(data["full_name"].split()),
        birth_date=data["birth_date"],
        ethnic_group=_group(data["ethnic_group"], "ethnic_group", True),
        husband_ethnic_group=_group(data["husband_ethnic_group"], "husband_ethnic_group", False),
        citizen_id="".join(data["citizen_id"].split()),
        household_status=data["household_status"] or "",
        phone="".join(data["phone"].split()),
        notes=data["notes"],
    )
    actions.save_mother(mother)
    return Status(201, _mother_out(request.auth, mother, _is_flagged(mother)))


# Births ---------------------------------------------------------------------------------------


@router.get("/births", response=answers(BirthPage, 404, 422), url_name="births")
def birth_list(request, query: Query[BirthQuery], page: Query[Page]):
    """The births of a unit's subtree with their latest decision, by year and result."""
    from django.http import QueryDict

    unit = access.get_unit_or_404(request.auth, query.unit)
    asked = QueryDict(mutable=True)
    if query.year:
        asked["year"] = str(query.year)
    if query.result:
        asked["result"] = query.result.value
    (records,) = births_of(request.auth, asked, unit)
    count = records.count()
    items = list(records[page.offset : page.offset + page.limit])
    latest = _latest_decisions(b.pk for b in items)
    _log(request, unit, len(items))
    return {"count": count, "items": [_birth_out(b, latest.get(b.pk)) for b in items]}


# Excel: before /births/{birth_id}, whose path would take theirs --------------------------


class BirthsExportIn(InputSchema):
    unit_id: Id
    purpose: str = Field(
        min_length=5,
        max_length=300,
        description="Why the personal list leaves the system; logged with the user's name.",
    )
    year: int | None = Field(None, ge=2000, le=2100)
    result: Outcome | None = None


@router.post(
    "/births/import",
    response=answers({202: JobOut}, 403, 404, 422),
    url_name="births_import",
)
def births_import(request, unit_id: Form[Id], file: File[UploadedFile]):
    """Queue an import of births with their mothers (the columns of the page's import and of
    its template). The whole file is checked, then stored and every birth judged in one
    transaction, or refused with every row, column and reason (``result.errors``)."""
    from duan8.core import sheets

    unit = access.get_unit_or_404(request.auth, unit_id, access.Action.EDIT)
    try:
        sheets.check_package(file)
    except sheets.ImportRefused as refused:
        raise HttpError(422, str(refused)) from None
    return Status(202, _submit(request, "maternal.births.import", unit, {}, file))


@router.post(
    "/births/export",
    response=answers({202: JobOut}, 403, 404, 422),
    url_name="births_export",
)
def births_export(request, payload: BirthsExportIn):
    """Queue an export of the births list with the mothers' personal data, in the import's
    columns: only with the permission to export the unit's personal data (403 otherwise);
    logged with its purpose."""
    from django.http import QueryDict

    unit = access.get_unit_or_404(request.auth, payload.unit_id)
    if not access.may_export_personal_data(request.auth, unit):
        raise HttpError(403, _("Exporting personal data needs its own permission."))
    query = QueryDict(mutable=True)
    if payload.year:
        query["year"] = str(payload.year)
    if payload.result:
        query["result"] = payload.result.value
    (records,) = births_of(request.auth, query, unit)
    privacy.record_access(
        request.auth,
        unit,
        "export",
        purpose=payload.purpose,
        count=records.count(),
        source=audit.SOURCE_API,
    )
    params = {"query": query.urlencode()}
    return Status(202, _submit(request, "maternal.births.export", unit, params))


def _birth_or_404(request, birth_id, action=access.Action.VIEW) -> Birth:
    return access.get_or_404(
        request.auth, Birth.objects.select_related("unit__parent", "mother"), action, pk=birth_id
    )


@router.get("/births/{birth_id}", response=answers(BirthOut, 404), url_name="birth")
def birth_read(request, birth_id: Id):
    birth = _birth_or_404(request, birth_id)
    _log(request, birth.unit, 1)
    return _birth_out(birth, _latest_decisions([birth.pk]).get(birth.pk))


@router.post("/births", response=answers({201: BirthOut}, 403, 404, 422), url_name="birth_create")
def birth_create(request, payload: BirthIn):
    """Register a birth of a mother the token's user edits: it is judged at once by the rules
    in force on its date (``decision``)."""
    data = payload.dict()
    mother = access.get_or_404(
        request.auth,
        Mother.objects.select_related("unit"),
        access.Action.EDIT,
        pk=data.pop("mother"),
    )
    unit_id = data.pop("unit")
    unit = mother.unit
    if unit_id is not None:
        unit = access.get_unit_or_404(request.auth, unit_id, access.Action.EDIT)
    unit = AdminUnit.objects.select_related("parent").get(pk=unit.pk)
    birth, decision = actions.save_birth(Birth(mother=mother, unit=unit, **data))
    return Status(201, _birth_out(birth, decision))


@router.get(
    "/births/{birth_id}/decisions",
    response=answers(list[DecisionOut], 404),
    url_name="birth_decisions",
)
def birth_decisions(request, birth_id: Id):
    """Every decision on the birth, newest first, each with its criteria and reasons."""
    birth = _birth_or_404(request, birth_id)
    return list(birth.decisions.select_related("rule_set"))


@router.post(
    "/births/{birth_id}/decisions",
    response=answers({201: DecisionOut}, 403, 404, 422),
    url_name="birth_judge",
)
def birth_judge(request, birth_id: Id, payload: JudgeIn):
    """Judge the birth again (approvers), by the rules in force on its date now; the earlier
    decisions are kept."""
    birth = _birth_or_404(request, birth_id, access.Action.APPROVE)
    return Status(201, actions.judge_again(birth, payload.reason))


@router.get("/maternal/rule-sets", response=list[RuleSetOut], url_name="rule_sets")
def rule_sets(request):
    """Every version of the eligibility rules, the latest first."""
    return list(
        RuleSet.objects.prefetch_related("very_small_groups").order_by("scope_id", "-valid_from")
    )
