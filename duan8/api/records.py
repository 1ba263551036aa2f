"""Registry and activity endpoints: the lists behind every figure, and recording new ones."""

import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
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
    training_of_trainers: bool | None = Field(
        None,
        description="true: only trainings of trainers (tập huấn giảng viên nguồn); false: "
        "every activity but them.",
    )
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
        records = records.filter(programme=query.programme)
        if not query.training_of_trainers:  # a programme's trainings, as the page lists them
            records = records.filter(is_training_of_trainers=False)
    if query.training_of_trainers is not None:
        records = records.filter(is_training_of_trainers=query.training_of_trainers)
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


# One record, with what its page shows ----------------------------------------------------


class StatusOut(Schema):
    on: datetime.date
    status: str
    note: str


class ModelDetailOut(ModelOut):
    setting: str
    managing_body: str
    hotline: str
    women_owned: bool
    st_supports: list[str]
    equipment: str
    notes: str
    history: list[StatusOut]

    @staticmethod
    def resolve_history(obj) -> list:
        return list(obj.history.all())


@router.get(
    "/models/{model_id}", response=answers(ModelDetailOut, 404), url_name="model", tags=["records"]
)
def model_detail(request, model_id: Id):
    """A community model as its page shows it: its fields, its version and its history
    (founded, paused, resumed, dissolved)."""
    return access.get_or_404(
        request.auth, CommunityModel.objects.select_related("unit"), pk=model_id
    )


class NamedOut(Schema):
    id: int
    name: str


class AttachmentOut(Schema):
    id: int
    title: str
    uploaded_at: datetime.datetime
    file_url: str

    @staticmethod
    def resolve_file_url(obj) -> str:
        from django.urls import reverse

        return reverse("api:attachment_file", args=[obj.pk])


class ActivityDetailOut(ActivityOut):
    is_training_of_trainers: bool
    dialogue_level: str
    event_form: str
    participants_ethnic: int
    notes: str
    trainers: list[NamedOut]
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_trainers(obj) -> list:
        return list(obj.trainers.all())

    @staticmethod
    def resolve_attachments(obj) -> list:
        return list(obj.attachments.all())


@router.get(
    "/activities/{activity_id}",
    response=answers(ActivityDetailOut, 404),
    url_name="activity",
    tags=["records"],
)
def activity_detail(request, activity_id: Id):
    """An activity as its page shows it: its fields, the decision and trainers of a
    training, and its attached documents."""
    return access.get_or_404(
        request.auth, Activity.objects.select_related("unit", "appointment"), pk=activity_id
    )


@router.post(
    "/activities/{activity_id}/attachments",
    response=answers({201: AttachmentOut}, 403, 404, 422),
    url_name="attachment_create",
    tags=["records"],
)
def attachment_create(request, activity_id: Id, title: Form[str], file: File[UploadedFile]):
    """Attach a document to an activity (its plan, attendance list, photos, minutes): a PDF,
    Word, Excel or image file of at most 20 MB; by those who may edit the activity."""
    from django.core.exceptions import ValidationError

    from duan8.activities.forms import AttachmentForm
    from duan8.activities.models import Attachment

    activity = access.get_or_404(
        request.auth, Activity.objects.select_related("unit"), access.Action.EDIT, pk=activity_id
    )
    form = AttachmentForm({"title": title}, {"file": file}, instance=Attachment(activity=activity))
    if not form.is_valid():
        raise ValidationError({name: list(problems) for name, problems in form.errors.items()})
    return Status(201, form.save())


@router.get(
    "/attachments/{attachment_id}/file",
    response=answers({200: None}, 404),
    url_name="attachment_file",
    tags=["records"],
    openapi_extra={
        "responses": {
            200: {
                "description": "The attached file.",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def attachment_file(request, attachment_id: Id):
    """The file of an activity's attached document."""
    from django.http import FileResponse, Http404

    from duan8.activities.models import Attachment

    attachment = access.get_or_404(
        request.auth,
        Attachment.objects.select_related("activity__unit"),
        pk=attachment_id,
        unit_of=lambda a: a.activity.unit,
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.file.name.rsplit("/", 1)[-1],
        content_type="application/octet-stream",
    )


# Trainers, the trainings of trainers they completed, and the decisions appointing them ----


def _form_errors(form) -> None:
    """A page's form refused: the same messages, as a 422 answer naming the fields."""
    from django.core.exceptions import ValidationError

    raise ValidationError({name: list(problems) for name, problems in form.errors.items()})


class QualificationOut(Schema):
    id: int
    programme: str
    programme_label: str
    completed_on: datetime.date

    @staticmethod
    def resolve_programme_label(obj) -> str:
        return str(obj.get_programme_display())


class TrainerOut(Schema):
    id: int
    unit_id: int
    name: str
    phone: str
    organisation: str
    qualifications: list[QualificationOut]
    appointment_ids: list[int]

    @staticmethod
    def resolve_qualifications(obj) -> list:
        return list(obj.qualifications.all())

    @staticmethod
    def resolve_appointment_ids(obj) -> list[int]:
        return sorted(a.pk for a in obj.appointments.all())


class TrainerIn(InputSchema):
    name: str = Field(min_length=1, max_length=150, examples=["Lò Thị Mai"])
    phone: str = Field("", max_length=20, examples=["0912345678"])
    organisation: str = Field("", max_length=200, examples=["Hội LHPN tỉnh Lai Châu"])


class QualificationIn(InputSchema):
    programme: TrainingProgramme = Field(examples=["programme_2"])
    completed_on: datetime.date = Field(examples=["2023-05-12"])


class AppointmentOut(Schema):
    id: int
    unit_id: int
    number: str
    date: datetime.date
    signer: str
    trainers: list[NamedOut]
    training_ids: list[int]
    version: int = Field(description=VERSION_HELP)

    @staticmethod
    def resolve_trainers(obj) -> list:
        return list(obj.trainers.all())

    @staticmethod
    def resolve_training_ids(obj) -> list[int]:
        return sorted(t.pk for t in obj.trainings.all())

    @staticmethod
    def resolve_version(obj) -> int:
        return versions.of_listed(obj)


class AppointmentIn(InputSchema):
    number: str = Field(min_length=1, max_length=60, examples=["15/QĐ-HPN"])
    date: datetime.date = Field(examples=["2024-03-01"])
    signer: str = Field(min_length=1, max_length=150, examples=["Nguyễn Thị Hoa"])
    trainers: list[Id] = Field(
        min_length=1,
        max_length=500,
        description="The trainers appointed: kept by the issuing unit or a unit above it, "
        "or by a unit you see.",
        examples=[[12, 15]],
    )


@router.get(
    "/units/{unit_id}/trainers",
    response=answers(list[TrainerOut], 404),
    url_name="trainers",
    tags=["trainers"],
)
@paginate(Pagination)
def trainer_list(request, unit_id: Id):
    """The register of trainers (giảng viên nguồn) kept by a unit, each with the trainings of
    trainers (tập huấn giảng viên nguồn) completed and the decisions naming them."""
    from duan8.activities.models import Trainer

    unit = access.get_unit_or_404(request.auth, unit_id)
    return (
        Trainer.objects.filter(unit=unit)
        .prefetch_related("qualifications", "appointments")
        .order_by("name", "pk")
    )


@router.post(
    "/units/{unit_id}/trainers",
    response=answers({201: TrainerOut}, 403, 404, 422),
    url_name="trainer_create",
    tags=["trainers"],
)
def trainer_create(request, unit_id: Id, payload: TrainerIn):
    """Add a trainer to the unit's register (by those who may edit the unit's records)."""
    from duan8.activities.forms import TrainerForm
    from duan8.activities.models import Trainer

    unit = access.get_unit_or_404(request.auth, unit_id, access.Action.EDIT)
    form = TrainerForm(data=payload.dict(), instance=Trainer(unit=unit))
    if not form.is_valid():
        _form_errors(form)
    return Status(201, form.save())


@router.get(
    "/trainers/{trainer_id}",
    response=answers(TrainerOut, 404),
    url_name="trainer",
    tags=["trainers"],
)
def trainer_detail(request, trainer_id: Id):
    from duan8.activities.models import Trainer

    return access.get_or_404(request.auth, Trainer.objects.select_related("unit"), pk=trainer_id)


@router.post(
    "/trainers/{trainer_id}/qualifications",
    response=answers({201: QualificationOut}, 403, 404, 422),
    url_name="qualification_create",
    tags=["trainers"],
)
def qualification_create(request, trainer_id: Id, payload: QualificationIn):
    """Record a training of trainers the trainer completed (one per programme): what lets a
    decision appoint her to teach trainings of that programme."""
    from duan8.activities.forms import QualificationForm
    from duan8.activities.models import Trainer

    trainer = access.get_or_404(
        request.auth, Trainer.objects.select_related("unit"), access.Action.EDIT, pk=trainer_id
    )
    form = QualificationForm(data=payload.dict())
    form.instance.trainer = trainer
    if not form.is_valid():
        _form_errors(form)
    return Status(201, form.save())


@router.get(
    "/units/{unit_id}/appointments",
    response=answers(list[AppointmentOut], 404),
    url_name="appointments",
    tags=["trainers"],
)
@paginate(Pagination)
def appointment_list(request, unit_id: Id):
    """The decisions appointing trainers (quyết định chỉ định giảng viên) issued by a unit,
    newest first, with the trainers they name and the trainings that cite them."""
    from duan8.activities.models import TrainerAppointment

    unit = access.get_unit_or_404(request.auth, unit_id)
    records = TrainerAppointment.objects.filter(unit=unit).prefetch_related("trainers", "trainings")
    return versions.annotate(records.order_by("-date", "-pk"))


@router.post(
    "/units/{unit_id}/appointments",
    response=answers({201: AppointmentOut}, 403, 404, 422),
    url_name="appointment_create",
    tags=["trainers"],
)
def appointment_create(request, unit_id: Id, payload: AppointmentIn):
    """Record a decision of the unit appointing trainers. A training cites it (``appointment``
    of POST /activities) and is refused unless the decision is dated on or before its first
    day and names trainers who completed the matching training of trainers."""
    from duan8.activities.forms import AppointmentForm

    unit = access.get_unit_or_404(request.auth, unit_id, access.Action.EDIT)
    choices = activity_actions.appointable_trainers(request.auth, unit)
    if choices.filter(pk__in=payload.trainers).count() != len(set(payload.trainers)):
        raise HttpError(404, _("Not found."))
    form = AppointmentForm(data=payload.dict(), trainers=choices)
    form.instance.unit = unit
    if not form.is_valid():
        _form_errors(form)
    return Status(201, form.save())


@router.get(
    "/appointments/{appointment_id}",
    response=answers(AppointmentOut, 404),
    url_name="appointment",
    tags=["trainers"],
)
def appointment_detail(request, appointment_id: Id):
    from duan8.activities.models import TrainerAppointment

    return access.get_or_404(
        request.auth, TrainerAppointment.objects.select_related("unit"), pk=appointment_id
    )
