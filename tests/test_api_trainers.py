"""Trainers, their trainings of trainers and the decisions appointing them, through the API:
the page's register and forms, under the same rules, and a training recorded with them."""

import datetime
import json

from django.urls import reverse

from duan8.activities.models import Activity, Trainer, TrainerAppointment
from duan8.core.models import AuditEvent
from tests.factories import token


def _post(client, url, data, user):
    return client.post(
        url,
        json.dumps(data),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token(user)}",
    )


def _get(client, url, user, **params):
    return client.get(url, params, HTTP_AUTHORIZATION=f"Bearer {token(user)}")


def test_a_province_officer_builds_a_register_and_a_commune_records_a_training(client, world):
    admin = world.province_admin
    trainers = reverse("api:trainers", kwargs={"unit_id": world.province.pk})
    made = _post(client, trainers, {"name": "Vàng Thị Dợ", "phone": "0912000111"}, admin)
    assert made.status_code == 201, made.content
    trainer = made.json()
    assert trainer["unit_id"] == world.province.pk and trainer["qualifications"] == []
    qualified = _post(
        client,
        reverse("api:qualification_create", kwargs={"trainer_id": trainer["id"]}),
        {"programme": "programme_2", "completed_on": "2023-04-10"},
        admin,
    )
    assert qualified.status_code == 201 and qualified.json()["programme"] == "programme_2"
    decision = _post(
        client,
        reverse("api:appointment_create", kwargs={"unit_id": world.province.pk}),
        {
            "number": "21/QĐ-HPN",
            "date": "2024-03-01",
            "signer": "Chủ tịch Hội LHPN tỉnh",
            "trainers": [trainer["id"]],
        },
        admin,
    )
    assert decision.status_code == 201, decision.content
    assert [t["name"] for t in decision.json()["trainers"]] == ["Vàng Thị Dợ"]
    # Everything went through the audited write path.
    assert AuditEvent.objects.filter(object_repr__contains="21/QĐ-HPN").exists()
    listed = _get(client, trainers, world.commune_editor)
    assert listed.status_code == 404  # a commune editor does not see the province's register
    listed = _get(client, trainers, world.district_approver)
    assert listed.status_code == 404
    listed = _get(client, trainers, admin).json()
    assert listed["count"] == 2 and listed["next_cursor"] is None
    named = next(item for item in listed["items"] if item["name"] == "Vàng Thị Dợ")
    assert named["appointment_ids"] == [decision.json()["id"]]
    # The commune's training cites the province's decision and its trainer.
    body = {
        "kind": "training",
        "programme": "programme_2",
        "title": "Lồng ghép giới chương trình 2",
        "unit": world.commune.pk,
        "start_on": "2024-04-02",
        "end_on": "2024-04-03",
        "organiser": "Hội LHPN huyện",
        "participants": 30,
        "participants_women": 18,
        "appointment": decision.json()["id"],
        "trainers": [trainer["id"]],
    }
    recorded = _post(client, reverse("api:activity_create"), body, world.commune_editor)
    assert recorded.status_code == 201, recorded.content
    detail = _get(
        client,
        reverse("api:activity", kwargs={"activity_id": recorded.json()["id"]}),
        world.commune_editor,
    ).json()
    assert [t["name"] for t in detail["trainers"]] == ["Vàng Thị Dợ"]
    assert detail["appointment_id"] == decision.json()["id"]
    shown = _get(
        client,
        reverse("api:appointment", kwargs={"appointment_id": decision.json()["id"]}),
        admin,
    ).json()
    assert shown["training_ids"] == [recorded.json()["id"]]


def test_a_training_before_its_decision_is_refused_with_the_pages_reason(client, world):
    admin = world.province_admin
    decision = TrainerAppointment.objects.create(
        unit=world.province,
        number="30/QĐ-HPN",
        date=datetime.date(2024, 6, 1),
        signer="Chủ tịch",
    )
    decision.trainers.add(world.trainer)
    body = {
        "kind": "training",
        "programme": "programme_3",
        "title": "Lồng ghép giới CT3",
        "unit": world.commune.pk,
        "start_on": "2024-05-02",
        "end_on": "2024-05-02",
        "organiser": "Hội LHPN huyện",
        "appointment": decision.pk,
        "trainers": [world.trainer.pk],
    }
    refused = _post(client, reverse("api:activity_create"), body, admin)
    assert refused.status_code == 422
    reasons = " ".join(refused.json()["errors"]["appointment"])
    assert "30/QĐ-HPN" in reasons and "02/05/2024" in reasons  # dated after its first day
    assert "Lò Thị Mai" in reasons  # and the trainer has no training of trainers for it
    assert not Activity.objects.filter(kind="training").exists()


def test_only_editors_of_the_unit_add_trainers_and_decisions(client, world):
    url = reverse("api:trainers", kwargs={"unit_id": world.commune.pk})
    assert _post(client, url, {"name": "A"}, world.sibling_viewer).status_code == 404
    assert _post(client, url, {"name": "A"}, world.commune_editor).status_code == 201
    decision = reverse("api:appointment_create", kwargs={"unit_id": world.commune.pk})
    body = {"number": "1/QĐ", "date": "2024-01-05", "signer": "B", "trainers": [9999]}
    assert _post(client, decision, body, world.commune_editor).status_code == 404
    body["trainers"] = [world.trainer.pk]  # the province's trainer: above the commune
    assert _post(client, decision, body, world.commune_editor).status_code == 201
    qualification = reverse("api:qualification_create", kwargs={"trainer_id": world.trainer.pk})
    body = {"programme": "gender_me", "completed_on": "2023-01-01"}
    assert _post(client, qualification, body, world.commune_editor).status_code == 404
    assert _post(client, qualification, body, world.province_admin).status_code == 201
    again = _post(client, qualification, body, world.province_admin)
    assert again.status_code == 422 and again.json()["detail"]  # one per programme


def test_a_decision_before_its_unit_existed_is_refused_in_vietnamese(client, world):
    from duan8.geo.models import AdminUnit

    AdminUnit.objects.filter(pk=world.commune.pk).update(valid_from="2024-01-01")
    refused = _post(
        client,
        reverse("api:appointment_create", kwargs={"unit_id": world.commune.pk}),
        {"number": "2/QĐ", "date": "2023-05-01", "signer": "C", "trainers": [world.trainer.pk]},
        world.commune_editor,
    )
    assert refused.status_code == 422
    assert "date" in refused.json()["errors"]
    assert Trainer.objects.count() == 1


def test_an_attachment_is_added_and_read_back_by_those_who_see_the_activity(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("api:attachment_create", kwargs={"activity_id": world.dialogue.pk})
    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 minutes", "application/pdf")
    made = client.post(
        url,
        {"title": "Biên bản", "file": upload},
        HTTP_AUTHORIZATION=f"Bearer {token(world.commune_editor)}",
    )
    assert made.status_code == 201, made.content
    refused = client.post(
        url,
        {"title": "Ảnh", "file": SimpleUploadedFile("a.exe", b"MZ")},
        HTTP_AUTHORIZATION=f"Bearer {token(world.commune_editor)}",
    )
    assert refused.status_code == 422 and "file" in refused.json()["errors"]
    file_url = made.json()["file_url"]
    got = client.get(file_url, HTTP_AUTHORIZATION=f"Bearer {token(world.district_approver)}")
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"%PDF-1.4 minutes"
    hidden = client.get(file_url, HTTP_AUTHORIZATION=f"Bearer {token(world.outsider)}")
    assert hidden.status_code == 404


def test_trainings_of_trainers_are_listed_apart(client, world):
    Activity.objects.create(
        kind="training",
        programme="programme_2",
        is_training_of_trainers=True,
        title="Tập huấn giảng viên nguồn CT2",
        unit=world.province,
        start_on=datetime.date(2023, 3, 1),
        end_on=datetime.date(2023, 3, 3),
        organiser="TW Hội",
    )
    url = reverse("api:activities")
    found = _get(
        client, url, world.province_admin, unit=world.province.pk, training_of_trainers="true"
    ).json()
    assert [a["title"] for a in found["items"]] == ["Tập huấn giảng viên nguồn CT2"]
    rest = _get(
        client, url, world.province_admin, unit=world.province.pk, training_of_trainers="false"
    ).json()
    assert [a["title"] for a in rest["items"]] == ["Đối thoại về tảo hôn"]
