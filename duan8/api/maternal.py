"""The maternal registry in the API: mothers and births under the pages' access rules,
decisions with the reason for each criterion, judging again, and the rule set versions.

Personal data (Decree 13/2023/NĐ-CP): ``citizen_id`` and ``phone`` come in clear only to a
token whose user may export the unit's personal data (``access.may_export_personal_data``:
a permission of its own, granted on a membership); otherwise masked, with
``personal_data_masked`` true. Every read of mothers or births is logged with who and how
many persons (``privacy.record_access``, what "api").

Every write goes through the pages' write path (``duan8.maternal.actions``): validated,
audited, a changed birth (or a mother's judged facts) judged again with the earlier decisions
kept, possible duplicates flagged and reviewed, never merged. A PATCH carries the version it
read (``expect_version``): 428 without it, 409 over a newer one."""

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

from duan8.api.common import VERSION_HELP, Id, expect_version
from duan8.api.errors import answers
from duan8.api.jobs import JobOut, _submit
from duan8.api.schemas import InputSchema, Message
from duan8.core import access, audit, sheets, versions
from duan8.geo import paths, timeline
from duan8.geo.models import AdminUnit, UnitKind
from duan8.maternal import actions, eligibility, ethnic_groups, privacy
from duan8.maternal.models import (
    DECREE_39_FACTS,
    Birth,
    BirthPlace,
    Decision,
    Delivery,
    DuplicateFlag,
    HouseholdStatus,
    Mother,
    Outcome,
    PersonalDataAccess,
    PopulationPolicy,
    ReviewState,
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


class MotherPatch(InputSchema):
    """The fields sent are changed; ``citizen_id``, ``phone``, ``husband_ethnic_group``,
    ``household_status`` and ``notes`` are cleared by ``""`` or ``null``."""

    version: int | None = Field(None, ge=0, le=2**62, description=VERSION_HELP)
    unit: Id | None = Field(
        None, description="A village of her commune where the token's user registers records."
    )
    full_name: str | None = Field(None, min_length=1, max_length=120)
    birth_date: datetime.date | None = None
    ethnic_group: str | None = Field(None, min_length=1, max_length=60)
    citizen_id: str | None = Field(None, max_length=12, description="12 digits, or empty.")
    husband_ethnic_group: str | None = Field(None, max_length=60)
    household_status: HouseholdStatus | None = None
    phone: str | None = Field(None, max_length=15)
    notes: str | None = Field(None, max_length=300)


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


class BirthPatch(InputSchema):
    """The fields sent are changed; the facts of Decree 39 (counts, yes/no) are made unknown
    again by ``null``. The birth is judged again by the rules in force on its date, the
    earlier decisions kept."""

    version: int | None = Field(None, ge=0, le=2**62, description=VERSION_HELP)
    unit: Id | None = Field(
        None,
        description="The village on the birth date, of the mother's commune (or its "
        "successor or predecessor on that date).",
    )
    date: datetime.date | None = None
    place: BirthPlace | None = None
    facility_name: str | None = Field(None, max_length=200)
    delivery: Delivery | None = None
    babies: int | None = Field(None, ge=1, le=9)
    children_before: int | None = Field(None, ge=0, le=30)
    children_alive: int | None = Field(None, ge=0, le=30)
    deliveries_before: int | None = Field(None, ge=0, le=30)
    married: bool | None = None
    common_children_alive: int | None = Field(None, ge=0, le=30)
    mother_has_earlier_child: bool | None = None
    husband_has_earlier_child: bool | None = None
    child_with_certified_condition: bool | None = None
    covered_by_social_insurance: bool | None = None
    notes: str | None = Field(None, max_length=300)


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


# Fields of a mother that ``""`` or ``null`` clears.
_MOTHER_CLEARED = {"citizen_id", "phone", "household_status", "notes"}


@router.patch(
    "/mothers/{mother_id}",
    response=answers({200: MotherOut, 409: dict, 428: Message}, 403, 404, 412, 422),
    url_name="mother_update",
)
def mother_update(request, mother_id: Id, payload: MotherPatch):
    """Change a mother's record (the fields sent), as her page's edit form does: by those who
    edit her village (and see her personal data). A change of her date of birth, ethnic group,
    husband's group or household judges her births again (the earlier decisions kept);
    possible duplicates are flagged again, never merged."""
    from duan8.maternal.views import _villages

    mother = access.get_or_404(
        request.auth,
        Mother.objects.select_related("unit__parent", "ethnic_group", "husband_ethnic_group"),
        access.Action.EDIT,
        pk=mother_id,
    )
    if not access.sees_personal_data(request.auth, mother.unit):
        raise HttpError(403, _("You may not do this here."))
    sent = expect_version(request, mother, payload)
    if sent.get("unit") is not None:
        unit = access.get_unit_or_404(request.auth, sent["unit"], access.Action.EDIT)
        offered = _villages(
            request.auth, mother.unit.parent or mother.unit
        ) | AdminUnit.objects.filter(pk=mother.unit_id)
        if not offered.filter(pk=unit.pk).exists():
            raise ValidationError(
                {"unit": [_("Choose a village of her commune that you may register records in.")]}
            )
        mother.unit = unit
    if sent.get("full_name") is not None:
        mother.full_name = " ".join(sent["full_name"].split())
    if sent.get("birth_date") is not None:
        mother.birth_date = sent["birth_date"]
    if sent.get("ethnic_group") is not None:
        mother.ethnic_group = _group(sent["ethnic_group"], "ethnic_group", True)
    if "husband_ethnic_group" in sent:
        mother.husband_ethnic_group = _group(
            sent["husband_ethnic_group"] or "", "husband_ethnic_group", False
        )
    for name in _MOTHER_CLEARED & sent.keys():
        value = sent[name] or ""
        if name in ("citizen_id", "phone"):
            value = "".join(value.split())
        setattr(mother, name, value)
    actions.save_mother(mother)
    _log(request, mother.unit, 1)
    return _mother_out(request.auth, mother, _is_flagged(mother))


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


@router.get(
    "/births/template",
    response=answers({200: None}, 404, 422),
    url_name="births_template",
    openapi_extra={
        "responses": {
            200: {
                "description": "The blank workbook: the import's columns, drop-down lists of "
                "the unit's villages, the 54 ethnic groups, the places and the deliveries.",
                "content": {sheets.XLSX: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def births_template(request, unit: Id):
    """The births import's blank workbook for a unit the token's user reads (the page's
    template): the columns ``/births/import`` takes, with drop-down lists."""
    from duan8.maternal.views import template_response

    return template_response(access.get_unit_or_404(request.auth, unit))


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


# Fields of a birth a PATCH sets as sent: null makes a fact unknown again.
_BIRTH_FACTS = set(DECREE_39_FACTS)


def _birth_area(user, birth: Birth, day: datetime.date):
    """The villages the birth's edit form offers for ``day``: those ``user`` edits in the
    mother's commune, or in the units that stood for it on that day."""
    from duan8.maternal.views import _around, _birth_villages

    around = _around(birth.mother)
    roots = [around, *timeline.counterparts_on(around, day)]
    return _birth_villages(user, birth.mother).filter(
        paths.any_prefix_q("path", [root.path for root in roots])
    )


@router.patch(
    "/births/{birth_id}",
    response=answers({200: BirthOut, 409: dict, 428: Message}, 403, 404, 412, 422),
    url_name="birth_update",
)
def birth_update(request, birth_id: Id, payload: BirthPatch):
    """Change a birth (the fields sent), as its page's edit form does: by those who edit its
    village. The birth is judged again by the rules in force on its date (``decision``, its
    reason "Thông tin ca sinh đã được sửa"); the earlier decisions are kept."""
    birth = access.get_or_404(
        request.auth,
        Birth.objects.select_related("mother__unit__parent", "unit__parent"),
        access.Action.EDIT,
        pk=birth_id,
    )
    sent = expect_version(request, birth, payload)
    for name in ("date", "place", "delivery", "babies"):
        if sent.get(name) is not None:
            setattr(birth, name, sent[name])
    for name in ("facility_name", "notes"):
        if name in sent:
            setattr(birth, name, sent[name] or "")
    for name in _BIRTH_FACTS & sent.keys():
        setattr(birth, name, sent[name])
    if sent.get("unit") is not None:
        unit = access.get_unit_or_404(request.auth, sent["unit"], access.Action.EDIT)
        if not _birth_area(request.auth, birth, birth.date).filter(pk=unit.pk).exists():
            message = _(
                "Choose a village of the mother's commune as it stood on the birth's date, "
                "one you may register records in."
            )
            raise ValidationError({"unit": [message]})
        birth.unit = AdminUnit.objects.select_related("parent").get(pk=unit.pk)
    birth, decision = actions.save_birth(birth)
    _log(request, birth.unit, 1)
    return _birth_out(birth, decision)


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


class RuleSetIn(InputSchema):
    """A new version of the rules from ``valid_from``. A criterion not sent keeps its value
    in the version in force today (as the page's form starts)."""

    scope: Id | None = Field(
        None,
        description="A province the token's user administers; empty for the whole country "
        "(national administrators only).",
    )
    name: str = Field(min_length=1, max_length=200)
    legal_basis: str = Field(min_length=1, max_length=400)
    valid_from: datetime.date = Field(
        description="Births from this day are judged by the new version; the version in force "
        "before it ends that day. Decisions already made are kept as they were."
    )
    min_age: int | None = Field(None, ge=0, le=60)
    requires_facility_birth: bool | None = None
    requires_poor_household: bool | None = None
    kinh_mother_with_minority_husband: bool | None = None
    excludes_compulsory_insurance: bool | None = None
    population_policy: PopulationPolicy | None = None
    very_small_groups: list[str] | None = Field(
        None, max_length=54, description="Ethnic groups of the third-child case, by name."
    )
    notes: str = Field("", max_length=4000)


# The criteria a new version takes from the version in force today unless sent.
_RULE_FIELDS = (
    "min_age",
    "requires_facility_birth",
    "requires_poor_household",
    "kinh_mother_with_minority_husband",
    "excludes_compulsory_insurance",
    "population_policy",
)


@router.post(
    "/maternal/rule-sets",
    response=answers({201: RuleSetOut}, 403, 404, 422),
    url_name="rule_set_create",
)
def rule_set_create(request, payload: RuleSetIn):
    """Add a version of the eligibility rules from a date (national administrators for the
    country or a province, province administrators for theirs; 403 for anyone else). The
    version of the same scope in force before it ends that day; decisions already made are
    never changed (a birth is judged by the new version when it is judged again). A version
    starts after the latest one of its scope (422 otherwise)."""
    from duan8.maternal.views import _may_add_rules, _rule_scopes

    if not _may_add_rules(request.auth):
        raise HttpError(403, _("You may not do this here."))
    scope = None
    if payload.scope is not None:
        scope = access.get_unit_or_404(request.auth, payload.scope)
        if scope.kind != UnitKind.PROVINCE:
            raise ValidationError(
                {"scope": [_("A rule set is the whole country's or a province's.")]}
            )
        if not _rule_scopes(request.auth).filter(pk=scope.pk).exists():
            raise HttpError(403, _("You may not do this here."))
    elif not access.is_national_admin(request.auth):
        raise ValidationError(
            {"scope": [_("Only national administrators set the country's rules.")]}
        )
    base = eligibility.rule_set_on(datetime.date.today())
    values = {name: getattr(base, name) for name in _RULE_FIELDS} if base is not None else {}
    sent = payload.dict(exclude_unset=True)
    values.update({name: sent[name] for name in _RULE_FIELDS if sent.get(name) is not None})
    if payload.very_small_groups is not None:
        groups = []
        for text in payload.very_small_groups:
            group = ethnic_groups.find(text)
            if group is None or group.is_kinh:
                message = (
                    _("“%(value)s” is not one of the 54 ethnic groups.")
                    if group is None
                    else _("“%(value)s” is the Kinh group, not an ethnic minority.")
                )
                raise ValidationError({"very_small_groups": [message % {"value": text[:60]}]})
            groups.append(group)
    else:
        groups = list(base.very_small_groups.all()) if base is not None else []
    rule_set = RuleSet(
        scope=scope,
        name=" ".join(payload.name.split()),
        legal_basis=payload.legal_basis.strip(),
        valid_from=payload.valid_from,
        notes=payload.notes,
        **values,
    )
    rule_set = actions.add_rule_set(rule_set, groups)
    return Status(201, RuleSet.objects.prefetch_related("very_small_groups").get(pk=rule_set.pk))


# Possible duplicates ------------------------------------------------------------------------


class DuplicateRecordOut(Schema):
    mother_id: int
    unit_id: int
    unit_name: str
    full_name: str
    birth_date: datetime.date
    citizen_id: str = Field(description=PERSONAL_HELP)
    personal_data_masked: bool
    birth_id: int | None = Field(description="The birth flagged (two births close together).")
    birth_on: datetime.date | None = Field(description="That birth's date.")


class DuplicateOut(Schema):
    id: int
    kind: str
    unit_id: int = Field(description="The village of the record flagged.")
    record: DuplicateRecordOut
    other_record: DuplicateRecordOut | None = Field(
        description="The record it may duplicate; null when outside the token's user's units."
    )
    state: str = Field(description="open (to review), different or same.")
    note: str
    version: int = Field(description=VERSION_HELP)
    found_at: datetime.datetime
    reviewed_at: datetime.datetime | None
    reviewed_by: str | None


class DuplicatePage(Schema):
    count: int
    items: list[DuplicateOut]


class DuplicateQuery(Schema):
    unit: Id
    state: str = Field(
        "open",
        pattern="^(open|different|same|all)$",
        description="open (to review, the default), different, same, or all.",
    )


class DuplicateReviewIn(InputSchema):
    state: ReviewState = Field(
        description="different (not a duplicate), same (the same person or birth, to correct "
        "by hand: nothing is merged) or open (to review again)."
    )
    note: str = Field("", max_length=300)
    version: int | None = Field(None, ge=0, le=2**62, description=VERSION_HELP)


def _record_out(user, mother: Mother, birth: Birth | None) -> dict:
    clear = access.may_export_personal_data(user, mother.unit)
    return {
        "mother_id": mother.pk,
        "unit_id": mother.unit_id,
        "unit_name": mother.unit.name,
        "full_name": mother.full_name,
        "birth_date": mother.birth_date,
        "citizen_id": privacy.shown_citizen_id(mother.citizen_id, clear),
        "personal_data_masked": not clear,
        "birth_id": birth.pk if birth is not None else None,
        "birth_on": birth.date if birth is not None else None,
    }


def _flag_out(user, flag: DuplicateFlag) -> dict:
    """A flag as the page shows it: the other record only when ``user`` may read it."""
    visible = access.can(user, access.Action.VIEW, flag.other_mother.unit)
    return {
        "id": flag.pk,
        "kind": flag.kind,
        "unit_id": flag.unit_id,
        "record": _record_out(user, flag.mother, flag.birth),
        "other_record": _record_out(user, flag.other_mother, flag.other_birth) if visible else None,
        "state": flag.state,
        "note": flag.note,
        "version": versions.of_listed(flag),
        "found_at": flag.found_at,
        "reviewed_at": flag.reviewed_at,
        "reviewed_by": flag.reviewed_by.display_name() if flag.reviewed_by_id else None,
    }


def _flags():
    return DuplicateFlag.objects.select_related(
        "mother__unit", "other_mother__unit", "birth", "other_birth", "reviewed_by"
    )


@router.get(
    "/maternal/duplicates", response=answers(DuplicatePage, 404, 422), url_name="duplicates"
)
def duplicate_list(request, query: Query[DuplicateQuery], page: Query[Page]):
    """The possible duplicates of a unit's subtree (to review by default; ``state=all`` for
    all): the same CCCD, the same name, date of birth and village, or two births of one
    mother less than six months apart. Nothing is ever merged. CCCDs masked unless allowed;
    each read logged."""
    unit = access.get_unit_or_404(request.auth, query.unit)
    flags = access.scope_records(request.auth, _flags().within(unit))
    if query.state != "all":
        flags = flags.filter(state=query.state)
    flags = flags.order_by("state", "-found_at", "-pk")
    count = flags.count()
    items = versions.attach(list(flags[page.offset : page.offset + page.limit]))
    _log(request, unit, len(items))
    return {"count": count, "items": [_flag_out(request.auth, flag) for flag in items]}


@router.post(
    "/maternal/duplicates/{flag_id}/review",
    response=answers({200: DuplicateOut, 409: dict, 428: Message}, 403, 404, 412, 422),
    url_name="duplicate_review",
)
def duplicate_review(request, flag_id: Id, payload: DuplicateReviewIn):
    """Review a possible duplicate (those who edit its village): not a duplicate, the same
    (to correct by hand: the records are never merged), or open again; with a note. Carries
    the flag's version as read (``version`` or ``If-Match``): 428 without it, 409 when someone
    reviewed it since."""
    flag = access.get_or_404(request.auth, _flags(), access.Action.EDIT, pk=flag_id)
    expect_version(request, flag, payload)
    flag = actions.review(flag, payload.state.value, payload.note, request.auth)
    _log(request, flag.unit, 1)
    return _flag_out(request.auth, flag)


# The log of personal data read --------------------------------------------------------------


class AccessEntryOut(Schema):
    id: int
    at: datetime.datetime
    user_label: str
    unit_id: int | None
    unit_name: str | None
    what: str = Field(description="list, detail (one person's page), export or api.")
    purpose: str
    count: int = Field(description="How many persons were read.")
    source: str

    @staticmethod
    def resolve_unit_name(obj) -> str | None:
        return obj.unit.name if obj.unit_id else None


class AccessEntryPage(Schema):
    count: int
    items: list[AccessEntryOut]


class AccessLogQuery(Schema):
    unit: Id
    what: PersonalDataAccess.What | None = None


@router.get(
    "/maternal/personal-data-log",
    response=answers(AccessEntryPage, 403, 404, 422),
    url_name="personal_data_log",
)
def personal_data_log(request, query: Query[AccessLogQuery], page: Query[Page]):
    """Who read or exported the personal data of the people of a unit's subtree, when, why
    and how many, newest first (the unit's administrators, as on the page; Decree
    13/2023/NĐ-CP). The log holds no personal data of the persons read."""
    unit = access.get_unit_or_404(request.auth, query.unit, access.Action.ADMINISTER)
    entries = PersonalDataAccess.objects.filter(paths.prefix_q("unit_path", unit.path))
    if query.what:
        entries = entries.filter(what=query.what)
    entries = entries.select_related("unit").order_by("-at", "-pk")
    count = entries.count()
    return {"count": count, "items": list(entries[page.offset : page.offset + page.limit])}
