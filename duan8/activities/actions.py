"""Recording activities, with the rule that a training needs a prior trainer appointment."""

from __future__ import annotations

import re

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
    # ``all()``: an import prefetches the decisions' trainers and their qualifications.
    named = {t.pk for t in decision.trainers.all()}
    for trainer in trainers:
        if trainer.pk not in named:
            problems.append(
                _("%(name)s is not named in decision %(number)s.")
                % {"name": trainer.name, "number": decision.number}
            )
        qualified = any(
            q.programme == training.programme and q.completed_on <= training.start_on
            for q in trainer.qualifications.all()
        )
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


def appointable_trainers(user, unit):
    """Trainers a decision of ``unit`` may appoint: those kept by the unit or a unit above it,
    or by units the user sees (the page's and the API's choice)."""
    from duan8.activities.models import Trainer
    from duan8.core import access

    return (
        Trainer.objects.filter(unit__in=_around(unit)) | access.scope(user, Trainer.objects.all())
    ).distinct()


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
    with transaction.atomic():  # the row stays locked (a versioned save) until the trainers
        activity.save()
        activity.trainers.set(trainers)  # audited with before and after (the m2m receiver)
    return activity


def _columns():
    from duan8.core import roundtrip, sheets
    from duan8.geo import resolver

    return [
        roundtrip.id_column(
            "Mã hoạt động",
            gettext_lazy(
                "Leave empty for a new activity. An export fills in each activity's id: "
                "importing the row again then updates or skips it, never stores it twice."
            ),
        ),
        roundtrip.kind_column(),
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
        sheets.Column(
            "programme",
            "Chương trình tập huấn",
            required=False,
            aliases=("Chương trình", "Programme"),
            help=gettext_lazy("Trainings only: the training programme (its name as listed)."),
        ),
        sheets.Column(
            "appointment",
            "Quyết định chỉ định giảng viên",
            required=False,
            aliases=("Quyết định", "Appointment decision"),
            help=gettext_lazy(
                "Trainings only: the number of the decision appointing its trainers "
                "(15/QĐ-HPN), kept by the unit, a unit above it or a unit you work for."
            ),
        ),
        sheets.Column(
            "trainers",
            "Giảng viên",
            required=False,
            aliases=("Trainers",),
            help=gettext_lazy(
                "Trainings only: the trainers who taught it, full names separated by “;”, "
                "each named in the decision and qualified for the programme."
            ),
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
            "programme",
            "appointment__number",
        ],
        ActivityKind,
        labels={"programme": TrainingProgramme},
        extra=_trainer_names,
    )


def _trainer_names(ids) -> dict[int, list[str]]:
    """Each activity's trainers, as the "Giảng viên" column writes them."""
    found: dict[int, list[str]] = {}
    through = Activity.trainers.through.objects.filter(activity_id__in=ids)
    for activity, name in through.order_by("trainer__name").values_list(
        "activity_id", "trainer__name"
    ):
        found.setdefault(activity, []).append(name)
    return {pk: ["; ".join(found.get(pk, []))] for pk in ids}


class _Appointments:
    """The decisions a training of the import may cite, by number: those kept by the
    import's unit, a unit above it or a unit below it (the importer may edit its subtree)."""

    def __init__(self, scope) -> None:
        from django.db.models import Q

        from duan8.activities.models import TrainerAppointment
        from duan8.geo import matching

        found = (
            TrainerAppointment.objects.filter(
                Q(unit__in=_around(scope)) | Q(unit__path__startswith=scope.path)
            )
            .select_related("unit")
            .prefetch_related("trainers__qualifications")
        )
        self.by_number: dict[str, list] = {}
        for decision in found:
            self.by_number.setdefault(matching.fold(decision.number), []).append(decision)
        self.fold = matching.fold

    def cited(self, number: str, unit) -> tuple[object | None, str]:
        """The decision ``number`` names for a training of ``unit``: one kept on the unit's
        own line (the nearest above it wins), else the only one kept elsewhere in scope."""
        candidates = self.by_number.get(self.fold(number), [])
        line = [d for d in candidates if unit.path.startswith(d.unit.path)]
        if line:
            return max(line, key=lambda d: len(d.unit.path)), ""
        if len(candidates) == 1:
            return candidates[0], ""
        if candidates:
            return None, _("several decisions are numbered %(number)s; none above this unit.") % {
                "number": number
            }
        return None, _("no decision numbered %(number)s is kept by this unit or above it.") % {
            "number": number
        }

    def trainers(self, decision, text: str) -> tuple[list, list[str]]:
        """The trainers a cell names (separated by ";"), among those the decision names."""
        named = {self.fold(t.name): t for t in decision.trainers.all()}
        found, problems = [], []
        for part in re.split(r"[;\n]", text):
            name = part.strip()
            if not name:
                continue
            trainer = named.get(self.fold(name))
            if trainer is None:
                problems.append(
                    _("%(name)s is not named in decision %(number)s.")
                    % {"name": name, "number": decision.number}
                )
            elif trainer not in found:
                found.append(trainer)
        return found, problems


def import_rows(upload, scope, kind: str, details: dict, *, existing: str = "skip", progress=None):
    """Record many activities at once, the whole file or nothing. A training cites the
    decision appointing its trainers ("Quyết định chỉ định giảng viên"), names its
    programme and its trainers, and passes the same checks as one recorded by hand
    (``appointment_problems``). Rows for activities already recorded under ``scope`` (their
    id, as an export writes it, or the same unit, title and first day) are skipped, or
    updated when ``existing`` is "update"."""
    from duan8.core import roundtrip, sheets
    from duan8.geo import resolver
    from duan8.geo.models import UnitKind

    training = kind == ActivityKind.TRAINING
    appointments = _Appointments(scope) if training else None
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
        values = {
            "unit": unit,
            "title": row.text("title"),
            "start_on": start,
            "end_on": end,
            "organiser": row.text("organiser"),
            **numbers,
        }
        trainers = None
        if training and not problems:
            trainers = _training(row, values, appointments, header, problems)
        if not problems:
            checked.add(row, values, found_pk, trainers)
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
        created = audit.bulk_create(planned, validated=True)
        if training:
            _name_trainers(created, updates)
        return roundtrip.Imported(created, updates, skipped)


def _training(row, values: dict, appointments: _Appointments, header, problems: list):
    """A training row's programme, decision and trainers into ``values`` (problems into
    ``problems``, each on its column); returns the trainers."""
    from duan8.core import roundtrip, sheets

    programme = roundtrip.choice_named(TrainingProgramme, row.text("programme"))
    if programme is None:
        problems.append(
            sheets.RowError(
                row.number,
                header("programme"),
                _("name the training programme as listed (“%(text)s” is not one).")
                % {"text": row.text("programme")},
            )
        )
        return None
    number = row.text("appointment")
    if not number:
        problems.append(
            sheets.RowError(
                row.number,
                header("appointment"),
                _("The training cites no decision appointing its trainers."),
            )
        )
        return None
    decision, problem = appointments.cited(number, values["unit"])
    if decision is None:
        problems.append(sheets.RowError(row.number, header("appointment"), problem))
        return None
    trainers, unnamed = appointments.trainers(decision, row.text("trainers"))
    problems += [sheets.RowError(row.number, header("trainers"), m) for m in unnamed]
    values.update(programme=programme, appointment=decision)
    check = Activity(
        kind=ActivityKind.TRAINING,
        programme=programme,
        appointment=decision,
        start_on=values["start_on"],
    )
    about_trainers = {_("Name the trainers who teach the training.")}
    for message in appointment_problems(check, trainers) if not unnamed else []:
        # What is said of a trainer goes on the trainers' column, of the decision on its own.
        named = message in about_trainers or any(t.name in message for t in trainers)
        column = "trainers" if named else "appointment"
        problems.append(sheets.RowError(row.number, header(column), message))
    return trainers


def _name_trainers(created: list, updated: list) -> None:
    """The trainers of imported trainings, each set audited as a recorded training's is."""
    through = Activity.trainers.through
    through.objects.bulk_create(
        [
            through(activity_id=activity.pk, trainer_id=trainer.pk)
            for activity in created
            for trainer in activity.imported_extra or ()
        ]
    )
    for activity in created:
        names = sorted(t.pk for t in activity.imported_extra or ())
        if names:
            audit.record(activity, "update", {"trainers": []}, {"trainers": names})
    for activity in updated:
        if activity.imported_extra is not None:
            activity.trainers.set(activity.imported_extra)  # audited by the m2m receiver
