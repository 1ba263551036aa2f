"""Activities: trainings need a prior appointment of qualified trainers; all are counted."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from duan8.activities import actions
from duan8.activities.models import Activity, TrainerAppointment, TrainerQualification
from duan8.framework import defaults, measures, periods

DAY = datetime.date(2024, 5, 20)


@pytest.fixture
def appointment(world):
    TrainerQualification.objects.create(
        trainer=world.trainer, programme="programme_3", completed_on=datetime.date(2023, 3, 1)
    )
    decision = TrainerAppointment.objects.create(
        unit=world.province, number="15/QĐ-HPN", date=datetime.date(2024, 5, 10), signer="Chủ tịch"
    )
    decision.trainers.add(world.trainer)
    return decision


def training(world, decision, start=DAY, programme="programme_3"):
    return Activity(
        kind="training",
        programme=programme,
        title="Lồng ghép giới CT3",
        unit=world.commune,
        start_on=start,
        end_on=start,
        organiser="Hội LHPN huyện",
        participants=30,
        participants_women=20,
        participants_ethnic=28,
        appointment=decision,
    )


def test_a_training_with_a_prior_decision_and_qualified_trainers_is_recorded(world, appointment):
    recorded = actions.record(training(world, appointment), [world.trainer])
    assert list(recorded.trainers.all()) == [world.trainer]


def test_a_decision_dated_after_the_training_is_refused_and_named(world, appointment):
    with pytest.raises(ValidationError) as refused:
        actions.record(
            training(world, appointment, start=datetime.date(2024, 5, 1)), [world.trainer]
        )
    assert "15/QĐ-HPN" in str(refused.value) and "01/05/2024" in str(refused.value)
    assert not Activity.objects.filter(kind="training").exists()


def test_a_trainer_without_the_matching_training_of_trainers_is_refused(world, appointment):
    with pytest.raises(ValidationError) as refused:
        actions.record(training(world, appointment, programme="gender_me"), [world.trainer])
    assert "Lò Thị Mai" in str(refused.value)


def test_a_training_without_a_decision_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        actions.record(training(world, None), [world.trainer])
    assert "appointment" in refused.value.message_dict


def test_a_trainer_not_named_in_the_decision_is_refused(world, appointment):
    from duan8.activities.models import Trainer

    other = Trainer.objects.create(unit=world.province, name="Vàng Thị Dua")
    TrainerQualification.objects.create(
        trainer=other, programme="programme_3", completed_on=datetime.date(2023, 3, 1)
    )
    with pytest.raises(ValidationError) as refused:
        actions.record(training(world, appointment), [other])
    assert "Vàng Thị Dua" in str(refused.value)


def test_women_cannot_outnumber_all_participants(world, appointment):
    activity = training(world, appointment)
    activity.participants_women = 40
    with pytest.raises(ValidationError):
        actions.record(activity, [world.trainer])


def test_dialogues_and_trainings_are_counted_through_the_measures(world, appointment):
    phase = defaults.load()
    actions.record(training(world, appointment), [world.trainer])
    year = periods.parse("2024")
    dialogues = measures.read(phase.indicators().get(code="DTCS"), world.province, year)
    trainings = measures.read(phase.indicators().get(code="CT3"), world.district, year)
    assert (dialogues.value, trainings.value) == (1, 1)
    assert (
        "kind=training" in trainings.records_url
        and "programme=programme_3" in trainings.records_url
    )


def test_the_page_refuses_a_training_and_says_why(client, world, appointment):
    client.force_login(world.commune_editor)
    response = client.post(
        reverse("activities:create", args=[world.commune.pk]) + "?kind=training",
        {
            "kind": "training",
            "unit": world.commune.pk,
            "title": "CT3",
            "start_on": "01/05/2024",
            "end_on": "01/05/2024",
            "organiser": "Hội LHPN",
            "participants": "10",
            "participants_women": "5",
            "participants_ethnic": "10",
            "cost": "0",
            "programme": "programme_3",
            "appointment": appointment.pk,
            "trainers": [world.trainer.pk],
        },
    )
    assert response.status_code == 200
    assert "15/QĐ-HPN" in response.content.decode()
    assert not Activity.objects.filter(kind="training").exists()
