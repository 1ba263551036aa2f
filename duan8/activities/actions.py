"""Recording activities, with the rule that a training needs a prior trainer appointment."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

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
