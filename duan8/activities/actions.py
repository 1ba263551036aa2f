"""Recording activities, with the rule that a training needs a prior trainer appointment."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duan8.activities.models import Activity, ActivityKind, TrainingProgramme
from duan8.core import audit


def appointment_problems(training: Activity, trainers) -> list[str]:
    """Why a training may not be recorded (seed 000 §3): it must cite a decision appointing
    its trainers, dated on or before its first day, naming only trainers who completed the
    matching training of trainers. Each failed condition is named."""
    if training.kind != ActivityKind.TRAINING or training.is_training_of_trainers:
        return []
    programme = TrainingProgramme(training.programme).label if training.programme else ""
    decision = training.appointment
    if decision is None:
        return [_("The training cites no decision appointing its trainers.")]
    problems = []
    if decision.date > training.start_on:
        problems.append(
            _(
                "Decision %(number)s is dated %(date)s, after the first day of the training (%(start)s)."  # noqa: E501
            )
            % {
                "number": decision.number,
                "date": decision.date.strftime("%d/%m/%Y"),
                "start": training.start_on.strftime("%d/%m/%Y"),
            }
        )
    if not trainers:
        problems.append(_("Name the trainers who teach the training."))
    named = set(decision.trainers.values_list("pk", flat=True))
    for trainer in trainers:
        if trainer.pk not in named:
            problems.append(
                _("%(name)s is not named in decision %(number)s.")
                % {"name": trainer.name, "number": decision.number}
            )
        qualified = trainer.qualifications.filter(
            programme=training.programme, completed_on__lte=training.start_on
        ).exists()
        if not qualified:
            problems.append(
                _("%(name)s has not completed the training of trainers for “%(programme)s”.")
                % {"name": trainer.name, "programme": programme}
            )
    return problems


def _around(unit):
    """The unit and the units above it: whose trainers and decisions a training may cite."""
    from duan8.geo.models import AdminUnit

    return AdminUnit.objects.filter(pk__in=[*unit.ancestor_ids(), unit.pk])


def citable_trainers(user, unit):
    """Trainers kept by the unit or a unit above it, or by units the user may edit."""
    from duan8.activities.models import Trainer
    from duan8.core import access

    mine = access.scope(user, Trainer.objects.all(), access.Action.EDIT)
    return (Trainer.objects.filter(unit__in=_around(unit)) | mine).distinct()


def citable_appointments(user, unit):
    from duan8.activities.models import TrainerAppointment
    from duan8.core import access

    mine = access.scope(user, TrainerAppointment.objects.all(), access.Action.EDIT)
    return (TrainerAppointment.objects.filter(unit__in=_around(unit)) | mine).distinct()


@transaction.atomic
def record(activity: Activity, trainers=()) -> Activity:
    """Validate and store an activity (and its trainers); refuse with every failed condition."""
    activity.full_clean()
    trainers = list(trainers)
    problems = appointment_problems(activity, trainers)
    if problems:
        raise ValidationError({"appointment": problems})
    before = sorted(activity.trainers.values_list("pk", flat=True)) if activity.pk else []
    activity.save()
    activity.trainers.set(trainers)
    after = sorted(t.pk for t in trainers)
    if before != after:
        audit.record(activity, "update", {"trainers": before}, {"trainers": after})
    return activity


def _columns():
    from duan8.core import sheets
    from duan8.geo import resolver

    return [
        sheets.Column(
            "record",
            "Mã hoạt động",
            required=False,
            aliases=("Record id",),
            help=gettext_lazy(
                "Leave empty for a new activity. An export fills in each activity's id: "
                "importing the row again then updates or skips it, never stores it twice."
            ),
        ),
        sheets.Column(
            "kind_text",
            "Loại",
            required=False,
            aliases=("Kind",),
            help=gettext_lazy(
                "Optional: the kind chosen on the import page; a row of another kind is refused."
            ),
        ),
        sheets.Column(
            "unit",
            "Đơn vị",
            aliases=("Xã", "Huyện", "Mã đơn vị", "Unit"),
            help=gettext_lazy(
                "The commune (or, until 1/7/2025, the district) that held it: its official "
                "name, short name or code; when two units share a name, add the one above it "
                "after a comma or in the “Thuộc …” columns."
            ),
        ),
        sheets.Column(
            "title",
            "Tên hoặc chủ đề",
            aliases=("Tên", "Chủ đề", "Title"),
            help=gettext_lazy("Its name or subject."),
        ),
        sheets.Column(
            "start_on",
            "Ngày bắt đầu",
            aliases=("Start",),
            help=gettext_lazy(
                "Its first day (dd/mm/yyyy); its unit is read on the units of that day."
            ),
        ),
        sheets.Column(
            "end_on",
            "Ngày kết thúc",
            required=False,
            aliases=("End",),
            help=gettext_lazy("Its last day, when it lasted more than one day."),
        ),
        sheets.Column(
            "organiser",
            "Đơn vị tổ chức",
            aliases=("Organiser",),
            help=gettext_lazy("Who organised it (for example: Hội LHPN xã)."),
        ),
        sheets.Column(
            "participants",
            "Số người tham dự",
            required=False,
            aliases=("Participants",),
            help=gettext_lazy("How many took part: a whole number, 0 or more."),
        ),
        sheets.Column(
            "participants_women",
            "Trong đó nữ",
            required=False,
            aliases=("Women",),
            help=gettext_lazy("Of whom women."),
        ),
        sheets.Column(
            "participants_ethnic",
            "Trong đó người DTTS",
            required=False,
            aliases=("Ethnic minority",),
            help=gettext_lazy("Of whom ethnic-minority people."),
        ),
        sheets.Column(
            "cost",
            "Kinh phí (đồng)",
            required=False,
            aliases=("Cost",),
            help=gettext_lazy("Its cost in whole đồng (1.500.000)."),
        ),
        *resolver.context_columns(),
    ]


COLUMNS = _columns()
# What an export writes, in the import's columns, so that the file imports back.
EXPORT_HEADERS = [c.header for c in COLUMNS]


def export_rows(records):
    """Activities as rows of ``EXPORT_HEADERS``, each unit by name with the names above it."""
    from duan8.core import roundtrip

    return roundtrip.exported(
        records,
        [
            "title",
            "start_on",
            "end_on",
            "organiser",
            "participants",
            "participants_women",
            "participants_ethnic",
            "cost",
        ],
        ActivityKind,
    )


def import_rows(upload, scope, kind: str, details: dict, *, existing: str = "skip", progress=None):
    """Record many dialogues, campaigns, visits or reviews at once (trainings, which need an
    appointment each, are recorded one by one); the whole file or nothing. Rows for
    activities already recorded under ``scope`` (their id, as an export writes it, or the
    same unit, title and first day) are skipped, or updated when ``existing`` is "update"."""
    from duan8.core import roundtrip, sheets
    from duan8.geo import resolver
    from duan8.geo.models import UnitKind

    if kind == ActivityKind.TRAINING:
        raise ValueError("trainings are recorded one by one")
    progress = progress or sheets.no_progress
    progress("reading")
    rows = sheets.read(upload, COLUMNS)
    errors, skipped = [], []
    names = resolver.for_scope(scope, [UnitKind.DISTRICT, UnitKind.COMMUNE, UnitKind.VILLAGE])
    known = roundtrip.Registered.under(
        Activity.objects.filter(kind=kind), scope, name="title", day="start_on", columns=COLUMNS
    )
    kinds = roundtrip.kind_names(kind, ActivityKind(kind).label)
    checked = roundtrip.Checked(Activity, COLUMNS, "title")

    header = sheets.headers(COLUMNS).__getitem__

    for done, row in enumerate(rows):
        if done % 1000 == 0:
            progress("checking", done, len(rows))
        days, problems = sheets.date_cells(row, ("start_on", "end_on"), header)
        start = days.get("start_on") if "end_on" in days else None
        end = days.get("end_on") or start
        if "start_on" in days and start is None and "end_on" in days:
            problems.append(
                sheets.RowError(row.number, header("start_on"), _("the first day is empty."))
            )
        unit = None
        if start is not None:
            found = names.resolve(row.text("unit"), start, resolver.context_of(row))
            unit = found.unit
            if known.skips_former(row, found, row.text("title"), start, existing):
                skipped.append(row.number)
                continue
            if unit is None:
                problems.append(sheets.RowError(row.number, header("unit"), found.message))
        numbers = {}
        for key in ("participants", "participants_women", "participants_ethnic", "cost"):
            numbers[key], problem = sheets.whole_number(row, key, header(key))
            if problem:
                problems.append(problem)
        wrong_kind = roundtrip.kind_problem(row, header("kind_text"), kinds)
        if wrong_kind:
            problems.append(wrong_kind)
        found_pk = None
        if not problems:
            key = (unit.pk, roundtrip.text_key(row.text("title")), start)
            found_pk, duplicates = known.match(row, key)
            problems += duplicates
        if not problems and found_pk is not None and existing != roundtrip.UPDATE:
            skipped.append(row.number)
            continue
        if not problems:
            values = {
                "unit": unit,
                "title": row.text("title"),
                "start_on": start,
                "end_on": end,
                "organiser": row.text("organiser"),
                **numbers,
            }
            checked.add(row, values, found_pk)
        errors += problems
    progress("validating", len(rows), len(rows))
    rows.clear()  # the cells are read: free them before the records are built
    planned, updates, invalid = checked.validate(
        lambda values: Activity(kind=kind, **values, **details)
    )
    errors = sorted(errors + invalid, key=lambda error: error.row)
    if errors:
        raise sheets.ImportRefused(errors)
    progress("storing", 0, len(planned) + len(updates))
    with transaction.atomic():
        for activity in updates:
            activity.save()
        return roundtrip.Imported(audit.bulk_create(planned, validated=True), updates, skipped)
