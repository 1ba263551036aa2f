"""Registry and activity endpoints: the lists behind every figure, and recording new ones."""

import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from duan8.activities import actions as activity_actions
from duan8.activities.models import (
    Activity,
    ActivityKind,
    TrainingProgramme,
)
from duan8.analytics import reading
from duan8.api.common import VERSION_HELP, Id, Pagination, expect_version, parse_period
from duan8.api.errors import answers
from duan8.api.schemas import InputSchema, Message
from duan8.community import actions as community_actions
from duan8.community.models import CommunityModel, ModelKind
from duan8.core import access, versions

router = Router(tags=["records"])


def _period(code: str | None):
    if not code:
        return None
    return parse_period(code)


class ModelOut(Schema):
    id: int
    kind: str
    unit_id: int
    name: str
    established_on: datetime.date
    ended_on: datetime.date | None
    members_women: int
    members_men: int
    version: int = Field(description=VERSION_HELP)

    @staticmethod
    def resolve_version(obj) -> int:
        return versions.of_listed(obj)


class ModelIn(InputSchema):
    kind: ModelKind
    unit: Id
    name: str = Field(min_length=1, max_length=200)
    established_on: datetime.date
    ended_on: datetime.date | None = None
    members_women: int = Field(0, ge=0, le=100_000)
    members_men: int = Field(0, ge=0, le=100_000)
    setting: str = Field("", max_length=12)
    managing_body: str = Field("", max_length=200)
    hotline: str = Field("", max_length=30)
    women_owned: bool = False
    st_supports: list[str] = []
    equipment: str = Field("", max_length=300)
    notes: str = Field("", max_length=4000)


class ModelPatch(InputSchema):
    version: int | None = Field(None, ge=0, le=2**62, description=VERSION_HELP)
    name: str | None = Field(None, min_length=1, max_length=200)
    established_on: datetime.date | None = None
    ended_on: datetime.date | None = None
    members_women: int | None = Field(None, ge=0, le=100_000)
    members_men: int | None = Field(None, ge=0, le=100_000)
    managing_body: str | None = Field(None, max_length=200)
    hotline: str | None = Field(None, max_length=30)
    women_owned: bool | None = None
    st_supports: list[str] | None = None
    equipment: str | None = Field(None, max_length=300)
    notes: str | None = Field(None, max_length=4000)


class ModelQuery(Schema):
    unit: Id
    kind: ModelKind | None = None
    period: str | None = None
    count: str | None = Field(None, pattern="^(established|maintained)$")
    on: datetime.date | None = Field(None, description="Tree date (default: see /figures).")


@router.get("/models", response=answers(list[ModelOut], 404, 422), url_name="models")
@paginate(Pagination)
def model_list(request, query: Query[ModelQuery]):
    """Community models of a unit's subtree; with ``period`` and ``count`` the records a
    figure counts (established in the period, or maintained at its end)."""
    unit = access.get_unit_or_404(request.auth, query.unit)
    period = _period(query.period)
    records = CommunityModel.objects.within(unit, on=reading.records_day(unit, period, query.on))
    records = access.scope_records(request.auth, records)
    if query.kind:
        records = records.filter(kind=query.kind)
    if period and query.count == "established":
        records = records.established_in(period)
    elif period and query.count == "maintained":
        records = records.maintained_at_end_of(period)
    return versions.annotate(records.order_by("unit__path", "name"))


@router.post("/models", response=answers({201: ModelOut}, 403, 404, 422), url_name="model_create")
def model_create(request, payload: ModelIn):
    data = payload.dict()
    unit = access.get_unit_or_404(request.auth, data.pop("unit"), access.Action.EDIT)
    return Status(201, community_actions.save(CommunityModel(unit=unit, **data)))


@router.patch(
    "/models/{model_id}",
    response=answers({200: ModelOut, 409: dict, 428: Message}, 403, 404, 412, 422),
    url_name="model_update",
)
def model_update(request, model_id: Id, payload: ModelPatch):
    """Change a model (the fields sent); a dissolution date enters its history."""
    model = access.get_or_404(
        request.auth, CommunityModel.objects.select_related("unit"), access.Action.EDIT, pk=model_id
    )
    for name, value in expect_version(request, model, payload).items():
        if value is not None or name == "ended_on":
            setattr(model, name, value)
    return community_actions.save(model)


class ActivityOut(Schema):
    id: int
    kind: str
    programme: str
    title: str
    unit_id: int
    start_on: datetime.date
    end_on: datetime.date
    organiser: str
    participants: int
    participants_women: int
    participants_ethnic: int
    cost: int
    appointment_id: int | None
    version: int = Field(description=VERSION_HELP)

    @staticmethod
    def resolve_version(obj) -> int:
        return versions.of_listed(obj)


class ActivityIn(InputSchema):
    kind: ActivityKind
    programme: TrainingProgramme | None = None
    is_training_of_trainers: bool = False
    dialogue_level: str = Field("", max_length=16)
    event_form: str = Field("", max_length=12)
    title: str = Field(min_length=1, max_length=300)
    unit: Id
    start_on: datetime.date
    end_on: datetime.date
    organiser: str = Field(min_length=1, max_length=200)
    participants: int = Field(0, ge=0, le=1_000_000)
    participants_women: int = Field(0, ge=0, le=1_000_000)
    participants_ethnic: int = Field(0, ge=0, le=1_000_000)
    cost: int = Field(0, ge=0, le=10**15)
    appointment: Id | None = None
    trainers: list[Id] = []
    notes: str = Field("", max_length=4000)


class ActivityPatch(InputSchema):
    version: int | None = Field(None, ge=0, le=2**62, description=VERSION_HELP)
    title: str | None = Field(None, min_length=1, max_length=300)
    start_on: datetime.date | None = None
    end_on: datetime.date | None = None
    organiser: str | None = Field(None, min_length=1, max_length=200)
    participants: int | None = Field(None, ge=0, le=1_000_000)
    participants_women: int | None = Field(None, ge=0, le=1_000_000)
    participants_ethnic: int | None = Field(None, ge=0, le=1_000_000)
    cost: int | None = Field(None, ge=0, le=10**15)
    notes: str | None = Field(None, max_length=4000)


class ActivityQuery(Schema):
    unit: Id
    kind: ActivityKind | None = None
    programme: TrainingProgramme | None = None
    period: str | None = None
    on: datetime.date | None = Field(None, description="Tree date (default: see /figures).")


@router.get("/activities", response=answers(list[ActivityOut], 404, 422), url_name="activities")
@paginate(Pagination)
def activity_list(request, query: Query[ActivityQuery]):
    unit = access.get_unit_or_404(request.auth, query.unit)
    period = _period(query.period)
    records = Activity.objects.within(unit, on=reading.records_day(unit, period, query.on))
    records = access.scope_records(request.auth, records)
    if query.kind:
        records = records.filter(kind=query.kind)
    if query.programme:
        records = records.filter(programme=query.programme, is_training_of_trainers=False)
    if period:
        records = records.held_in(period)
    return versions.annotate(records.order_by("-start_on", "pk"))


@router.post(
    "/activities",
    response=answers({201: ActivityOut}, 403, 404, 422),
    url_name="activity_create",
)
def activity_create(request, payload: ActivityIn):
    """Record an activity; a training is refused (422) unless a decision dated on or before
    its first day appoints its trainers and each completed the matching training of trainers."""
    data = payload.dict()
    unit = access.get_unit_or_404(request.auth, data.pop("unit"), access.Action.EDIT)
    trainer_ids = data.pop("trainers")
    appointment_id = data.pop("appointment")
    data["programme"] = data["programme"] or ""
    appointment = None
    if appointment_id:
        appointment = get_object_or_404(
            activity_actions.citable_appointments(request.auth, unit), pk=appointment_id
        )
    citable = activity_actions.citable_trainers(request.auth, unit)
    trainers = list(citable.filter(pk__in=trainer_ids))
    if len(trainers) != len(set(trainer_ids)):
        raise HttpError(404, _("Not found."))
    activity = Activity(unit=unit, appointment=appointment, **data)
    return Status(201, activity_actions.record(activity, trainers))


@router.patch(
    "/activities/{activity_id}",
    response=answers({200: ActivityOut, 409: dict, 428: Message}, 403, 404, 412, 422),
    url_name="activity_update",
)
def activity_update(request, activity_id: Id, payload: ActivityPatch):
    """Change an activity (the fields sent); a training keeps its trainers and is checked again
    against its appointment decision."""
    activity = access.get_or_404(
        request.auth, Activity.objects.select_related("unit"), access.Action.EDIT, pk=activity_id
    )
    for name, value in expect_version(request, activity, payload).items():
        if value is not None:
            setattr(activity, name, value)
    return activity_actions.record(activity, list(activity.trainers.all()))
