"""Activities: trainings need a prior appointment of qualified trainers; all are counted."""

import datetime

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from duan8.activities import actions
from duan8.activities.models import Activity, TrainerAppointment, TrainerQualification
from duan8.analytics import reading
from duan8.core import sheets
from duan8.framework import defaults, periods
from tests.factories import downloaded, xlsx

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
    dialogues = reading.read(phase.indicators().get(code="DTCS"), world.province, year)
    trainings = reading.read(phase.indicators().get(code="CT3"), world.district, year)
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


def test_dialogues_are_imported_whole_or_not_at_all(world):
    from duan8.core import sheets
    from tests.factories import xlsx

    header = [
        "Đơn vị",
        "Tên hoặc chủ đề",
        "Ngày bắt đầu",
        "Ngày kết thúc",
        "Đơn vị tổ chức",
        "Số người tham dự",
        "Trong đó nữ",
    ]
    good = ["Mồ Sì San", "Đối thoại về sinh kế", "05/09/2024", None, "Hội LHPN xã", 50, 30]
    bad = ["Pa Tần", "Đối thoại", "05/09/2024", None, "Hội LHPN xã", 20, 30]
    before = Activity.objects.count()
    with pytest.raises(sheets.ImportRefused) as refused:
        actions.import_rows(
            xlsx([header, good, bad]), world.province, "dialogue", {"dialogue_level": "commune"}
        )
    assert [(e.row, e.column) for e in refused.value.errors] == [(3, "Trong đó nữ")]
    assert Activity.objects.count() == before
    created = actions.import_rows(
        xlsx([header, good]), world.province, "dialogue", {"dialogue_level": "commune"}
    )
    assert [a.unit for a in created] == [world.commune]


def test_a_document_is_attached_and_downloaded_by_those_who_see_the_activity(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.commune_editor)
    client.post(
        reverse("activities:attachment_add", args=[world.dialogue.pk]),
        {
            "title": "Biên bản đối thoại",
            "file": SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 x"),
        },
    )
    attachment = world.dialogue.attachments.get(title="Biên bản đối thoại")
    response = client.get(reverse("activities:attachment", args=[attachment.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 x"
    client.force_login(world.outsider)
    assert client.get(reverse("activities:attachment", args=[attachment.pk])).status_code == 404


def test_an_executable_is_not_accepted_as_a_document(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.commune_editor)
    client.post(
        reverse("activities:attachment_add", args=[world.dialogue.pk]),
        {
            "title": "x",
            "file": SimpleUploadedFile("virus.exe", b"MZ"),
        },
    )
    assert not world.dialogue.attachments.filter(title="x").exists()


def test_the_list_exports_to_excel(client, world):
    import io

    import openpyxl

    client.force_login(world.commune_editor)
    response = client.get(
        reverse("activities:export", args=[world.commune.pk]), {"kind": "dialogue"}
    )
    rows = list(
        openpyxl.load_workbook(io.BytesIO(downloaded(response))).active.iter_rows(values_only=True)
    )
    row = dict(zip(rows[0], rows[1], strict=True))  # the import's own columns
    assert row["Tên hoặc chủ đề"] == "Đối thoại về tảo hôn" and row["Số người tham dự"] == 60


def test_a_training_cannot_cite_another_provinces_decision_or_trainer(client, world):
    from duan8.activities.models import Trainer
    from tests.factories import token

    foreign = Trainer.objects.create(unit=world.other_province, name="Giảng viên Sơn La")
    TrainerQualification.objects.create(
        trainer=foreign, programme="programme_3", completed_on=datetime.date(2023, 1, 1)
    )
    decision = TrainerAppointment.objects.create(
        unit=world.other_province,
        number="9/QĐ-HPN",
        date=datetime.date(2024, 1, 1),
        signer="Chủ tịch",
    )
    decision.trainers.add(foreign)
    response = client.post(
        reverse("api:activity_create"),
        {
            "kind": "training",
            "programme": "programme_3",
            "title": "CT3",
            "unit": world.commune.pk,
            "start_on": "2024-05-20",
            "end_on": "2024-05-20",
            "organiser": "Hội LHPN xã",
            "appointment": decision.pk,
            "trainers": [foreign.pk],
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token(world.commune_editor)}",
    )
    assert response.status_code == 404
    assert not Activity.objects.filter(kind="training").exists()


TRAINING_HEADER = [
    "Đơn vị",
    "Tên hoặc chủ đề",
    "Ngày bắt đầu",
    "Đơn vị tổ chức",
    "Số người tham dự",
    "Chương trình tập huấn",
    "Quyết định chỉ định giảng viên",
    "Giảng viên",
]


def test_trainings_are_imported_citing_their_decision_and_trainers(world, appointment):
    from django.utils import translation

    from duan8.activities.models import TrainingProgramme

    with translation.override("vi"):
        label = str(TrainingProgramme.PROGRAMME_3.label)
    upload = xlsx(
        [
            TRAINING_HEADER,
            [
                "Xã Mồ Sì San",
                "Lồng ghép giới CT3",
                "20/05/2024",
                "Hội LHPN",
                30,
                label,
                "15/qđ-hpn",
                "lò thị mai",
            ],
        ]
    )
    (created,) = actions.import_rows(upload, world.province, "training", {})
    assert created.appointment == appointment and created.programme == "programme_3"
    assert list(created.trainers.all()) == [world.trainer]
    # Counted like a training recorded by hand, its trainers in the audit trail.
    from duan8.core.models import AuditEvent

    named = AuditEvent.objects.for_object(created).filter(action="update").get()
    assert named.after == {"trainers": [world.trainer.pk]}


def test_an_imported_training_passes_the_checks_of_one_recorded_by_hand(world, appointment):
    from duan8.activities.models import Trainer

    stranger = Trainer.objects.create(unit=world.province, name="Vàng A Tủa")
    rows = [
        # The decision is dated after the training began.
        ["Xã Mồ Sì San", "Sớm", "01/05/2024", "Hội", 5, "programme_3", "15/QĐ-HPN", "Lò Thị Mai"],
        # A trainer the decision does not name.
        ["Xã Mồ Sì San", "Lạ", "20/05/2024", "Hội", 5, "programme_3", "15/QĐ-HPN", stranger.name],
        # No decision, and one that does not exist.
        ["Xã Mồ Sì San", "Thiếu", "20/05/2024", "Hội", 5, "programme_3", "", "Lò Thị Mai"],
        ["Xã Mồ Sì San", "Sai số", "20/05/2024", "Hội", 5, "programme_3", "99/QĐ", "Lò Thị Mai"],
        # The trainer has not completed the training of trainers for this programme.
        [
            "Xã Mồ Sì San",
            "Chưa học",
            "20/05/2024",
            "Hội",
            5,
            "gender_me",
            "15/QĐ-HPN",
            "Lò Thị Mai",
        ],
    ]
    before = Activity.objects.count()
    with pytest.raises(sheets.ImportRefused) as refused:
        actions.import_rows(xlsx([TRAINING_HEADER, *rows]), world.province, "training", {})
    found = {(e.row, e.column): e.message for e in refused.value.errors}
    assert "15/QĐ-HPN" in found[(2, "Quyết định chỉ định giảng viên")]
    assert stranger.name in found[(3, "Giảng viên")]
    assert (4, "Quyết định chỉ định giảng viên") in found
    assert "99/QĐ" in found[(5, "Quyết định chỉ định giảng viên")]
    assert "Lò Thị Mai" in found[(6, "Giảng viên")]
    assert Activity.objects.count() == before


def test_a_training_export_imports_back_with_its_decision_and_trainers(client, world, appointment):
    import io

    recorded = actions.record(training(world, appointment), [world.trainer])
    client.force_login(world.province_admin)
    response = client.get(
        reverse("activities:export", args=[world.province.pk]), {"kind": "training"}
    )
    content = downloaded(response)
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Quyết định chỉ định giảng viên"] == "15/QĐ-HPN"
    assert row["Giảng viên"] == "Lò Thị Mai" and row["Mã hoạt động"] == recorded.pk
    imported = actions.import_rows(
        io.BytesIO(content), world.province, "training", {}, existing="update"
    )
    assert list(imported) == [] and len(imported.updated) == 1
    assert list(Activity.objects.get(pk=recorded.pk).trainers.all()) == [world.trainer]
