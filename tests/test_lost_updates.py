"""Two officers at once: a save over a newer version is refused with both values shown; what
the second officer did not touch keeps the first one's change; saving again decides."""

import datetime

from django.urls import reverse

from duan8.accounts.models import Role
from duan8.activities.models import TrainerAppointment
from duan8.community.models import CommunityModel
from duan8.core.models import AuditEvent
from tests.factories import form_fields, user


def _open(client, officer, url):
    client.force_login(officer)
    return form_fields(client.get(url))


def test_the_second_save_of_a_stale_form_is_refused_and_shows_both_values(client, world):
    url = reverse("community:edit", args=[world.team.pk])
    colleague = user("xa.nhaplieu2", role=Role.EDITOR, on=world.commune)
    mine = _open(client, world.commune_editor, url)
    theirs = _open(client, colleague, url)

    theirs["name"] = "Tổ truyền thông bản Sì Choang (mới)"
    theirs["members_women"] = "11"
    assert client.post(url, theirs).status_code == 302

    client.force_login(world.commune_editor)
    mine["name"] = "Tổ truyền thông Sì Choang"
    response = client.post(url, mine)
    assert response.status_code == 200
    page = response.content.decode()
    assert "xa.nhaplieu2" in page
    assert "Tổ truyền thông bản Sì Choang (mới)" in page  # the value stored now …
    assert "Tổ truyền thông Sì Choang" in page  # … beside mine
    team = CommunityModel.objects.get(pk=world.team.pk)
    assert (team.name, team.members_women) == ("Tổ truyền thông bản Sì Choang (mới)", 11)

    # The form comes back with the new version, my name, and the colleague's count of women
    # (which I had not touched): saving again keeps both.
    again = form_fields(response)
    assert again["name"] == "Tổ truyền thông Sì Choang"
    assert again["members_women"] == "11"
    assert client.post(url, again).status_code == 302
    team.refresh_from_db()
    assert (team.name, team.members_women) == ("Tổ truyền thông Sì Choang", 11)


def test_a_form_saved_without_a_change_in_between_goes_through(client, world):
    url = reverse("community:edit", args=[world.team.pk])
    data = _open(client, world.commune_editor, url)
    data["members_men"] = "3"
    assert client.post(url, data).status_code == 302
    # The same officer goes on from the page the save led to: a new version each time.
    data = _open(client, world.commune_editor, url)
    data["members_men"] = "4"
    assert client.post(url, data).status_code == 302
    assert CommunityModel.objects.get(pk=world.team.pk).members_men == 4


def test_a_stale_activity_form_is_refused(client, world):
    url = reverse("activities:edit", args=[world.dialogue.pk])
    mine = _open(client, world.commune_editor, url)
    theirs = _open(client, world.province_admin, url)
    theirs["participants"] = "70"
    assert client.post(url, theirs).status_code == 302
    client.force_login(world.commune_editor)
    mine["participants"] = "65"
    response = client.post(url, mine)
    assert response.status_code == 200
    assert "tinh.quantri" in response.content.decode()
    world.dialogue.refresh_from_db()
    assert world.dialogue.participants == 70


def test_a_stale_unit_form_is_refused(client, world):
    url = reverse("geo:unit_edit", args=[world.commune.pk])
    first = _open(client, world.national_admin, url)
    second = _open(client, world.national_admin, url)
    first["name"] = "Xã Mồ Sì San (sửa)"
    assert client.post(url, first).status_code == 302
    second["name"] = "Xã Mồ Sì San (sửa lần hai)"
    response = client.post(url, second)
    assert response.status_code == 200
    world.commune.refresh_from_db()
    assert world.commune.name == "Xã Mồ Sì San (sửa)"


def test_the_trainers_an_appointment_names_are_in_the_audit_trail(world):
    from duan8.activities.models import Trainer

    second = Trainer.objects.create(unit=world.province, name="Vàng Văn Sử")
    decision = TrainerAppointment.objects.create(
        unit=world.province, number="12/QĐ-HLHPN", date=datetime.date(2024, 3, 1), signer="Chủ tịch"
    )
    decision.trainers.set([world.trainer, second])
    decision.trainers.remove(second)
    second.appointments.add(decision)  # from the other side
    changes = [
        (e.before, e.after)
        for e in AuditEvent.objects.for_object(decision).order_by("pk")
        if e.action == "update"
    ]
    assert changes == [
        ({"trainers": []}, {"trainers": sorted([world.trainer.pk, second.pk])}),
        ({"trainers": sorted([world.trainer.pk, second.pk])}, {"trainers": [world.trainer.pk]}),
        ({"trainers": [world.trainer.pk]}, {"trainers": sorted([world.trainer.pk, second.pk])}),
    ]
    # The history names them.
    readable = AuditEvent.objects.for_object(decision).order_by("pk").last().readable_changes()
    assert "Vàng Văn Sử" in readable[0][2]


def test_appointing_trainers_on_the_page_is_audited_with_their_names(client, world):
    client.force_login(world.province_admin)
    response = client.post(
        reverse("activities:appointment_add", args=[world.province.pk]),
        {
            "number": "20/QĐ-HLHPN",
            "date": "01/03/2024",
            "signer": "Chủ tịch",
            "trainers": [world.trainer.pk],
        },
    )
    assert response.status_code == 302
    decision = TrainerAppointment.objects.get(number="20/QĐ-HLHPN")
    event = AuditEvent.objects.for_object(decision).filter(action="update").get()
    assert event.after == {"trainers": [world.trainer.pk]}
    assert event.actor == world.province_admin


def test_a_patch_over_a_newer_version_answers_409_with_both_values(api_client, world):
    from tests.factories import token

    url = reverse("api:model_update", kwargs={"model_id": world.team.pk})
    listed = reverse("api:models")
    mine = api_client(token(world.commune_editor))
    theirs = api_client(token(world.province_admin))
    read = mine.get(listed, unit=world.commune.pk).json()["items"][0]
    assert read["id"] == world.team.pk

    first = theirs.patch(url, {"members_women": 11, "version": read["version"]})
    assert first.status_code == 200 and first.json()["version"] > read["version"]

    second = mine.patch(url, {"members_women": 9, "version": read["version"]})
    assert second.status_code == 409
    answer = second.json()
    assert answer["version"] == first.json()["version"]
    change = next(c for c in answer["changes"] if c["field"] == "members_women")
    assert (change["yours"], change["stored"], change["by"]) == (9, 11, "tinh.quantri")
    assert CommunityModel.objects.get(pk=world.team.pk).members_women == 11

    # The If-Match header does the same; sending the new version goes through.
    assert mine.patch(url, {"members_women": 9}, if_match=read["version"]).status_code == 409
    assert mine.patch(url, {"members_women": 9}, if_match=answer["version"]).status_code == 200


def test_a_patch_without_a_version_is_refused(api_client, world):
    from tests.factories import token

    url = reverse("api:activity_update", kwargs={"activity_id": world.dialogue.pk})
    response = api_client(token(world.commune_editor)).patch(url, {"participants": 61})
    assert response.status_code == 428
    assert response.json()["detail"]
    world.dialogue.refresh_from_db()
    assert world.dialogue.participants == 60


def test_a_change_elsewhere_in_the_record_does_not_refuse_the_form(client, world):
    """A change made meanwhile to none of the form's fields loses nothing: the save passes."""
    url = reverse("community:edit", args=[world.team.pk])
    data = _open(client, world.commune_editor, url)
    world.team.hotline = "0912 345 678"  # not on a communication team's form
    world.team.save()
    data["members_men"] = "5"
    assert client.post(url, data).status_code == 302
    world.team.refresh_from_db()
    assert (world.team.members_men, world.team.hotline) == (5, "0912 345 678")


def test_a_save_landing_between_the_forms_check_and_its_save_is_refused_not_a_crash(world):
    """Two officers press Save in the same second: both forms pass their check; the second
    save finds the first one's version and comes back to its officer."""
    from duan8.geo.forms import UnitForm

    def form_of(name):
        opened = UnitForm(instance=world.commune)
        data = {k: opened[k].value() or "" for k in opened.fields}
        data.update(name=name, valid_from="01/01/2021")
        return UnitForm(data=data, instance=type(world.commune).objects.get(pk=world.commune.pk))

    first, second = form_of("Xã Mồ Sì San (một)"), form_of("Xã Mồ Sì San (hai)")
    assert first.is_valid() and second.is_valid()
    assert first.saved()
    assert not second.saved()
    assert second.non_field_errors()
    world.commune.refresh_from_db()
    assert world.commune.name == "Xã Mồ Sì San (một)"


def test_an_if_match_that_is_not_a_version_is_refused(api_client, world):
    from tests.factories import token

    url = reverse("api:unit_update", kwargs={"unit_id": world.commune.pk})
    client = api_client(token(world.national_admin))
    for header in ("²", "9" * 5000, "abc", "-1"):
        response = client.patch(url, {"short_name": "Mồ Sì San"}, if_match=header)
        assert response.status_code == 412, header
