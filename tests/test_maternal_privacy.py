"""Personal data of the registry (Decree 13/2023/NĐ-CP): who sees citizen IDs and phones in
clear, who may export them, and the log of each view and export."""

from django.urls import reverse

from duan8.accounts.models import Membership, Role
from duan8.core import access, audit
from duan8.core.models import AuditEvent
from duan8.maternal.models import PersonalDataAccess
from duan8.maternal.privacy import mask_citizen_id, mask_phone, record_access


def test_masks_keep_only_the_last_three_digits():
    assert mask_citizen_id("012345678901") == "•••••••••901"
    assert mask_phone("0912345678") == "•••••••678"
    assert mask_citizen_id("") == ""
    assert mask_phone(None) == ""
    assert mask_phone("12") == "••"


def test_editors_and_above_see_personal_data_viewers_do_not(world):
    assert access.sees_personal_data(world.commune_editor, world.village)
    assert access.sees_personal_data(world.district_approver, world.village)
    assert access.sees_personal_data(world.province_admin, world.village)
    assert access.sees_personal_data(world.national_admin, world.village)
    Membership.objects.create(user=world.sibling_viewer, unit=world.commune, role=Role.VIEWER)
    access.forget(world.sibling_viewer)
    assert access.can(world.sibling_viewer, access.Action.VIEW, world.village)
    assert not access.sees_personal_data(world.sibling_viewer, world.village)
    assert not access.sees_personal_data(world.outsider, world.village)


def test_exporting_personal_data_needs_its_own_permission_not_a_role(world):
    admin = world.province_admin
    assert not access.may_export_personal_data(admin, world.village)
    membership = Membership.objects.get(user=admin, unit=world.province)
    membership.may_export_personal_data = True
    membership.save()
    access.forget(admin)
    assert access.may_export_personal_data(admin, world.village)
    assert not access.may_export_personal_data(admin, world.other_commune)
    assert access.may_export_personal_data(world.national_admin, world.village)
    assert not access.may_export_personal_data(world.commune_editor, world.village)


def test_an_administrator_grants_the_export_permission_and_it_is_audited(world, client):
    client.force_login(world.province_admin)
    session = client.session
    session["duan8_unit"] = world.district.pk
    session.save()
    response = client.post(
        reverse("accounts:membership_add", args=[world.commune_editor.pk]),
        {"m-unit": world.commune.pk, "m-role": Role.EDITOR, "m-may_export_personal_data": "on"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=world.commune_editor, unit=world.commune)
    assert membership.may_export_personal_data
    event = AuditEvent.objects.for_object(membership).newest_first().first()
    assert event.after["may_export_personal_data"] is True
    page = client.get(reverse("accounts:user", args=[world.commune_editor.pk]))
    assert 'data-testid="may-export"' in page.content.decode()


def test_each_access_is_logged_with_who_why_and_how_many(world):
    with audit.acting_as(world.commune_editor, source=audit.SOURCE_WEB, ip="10.0.0.7"):
        record_access(world.commune_editor, world.commune, "export", " báo cáo quý ", 12)
    entry = PersonalDataAccess.objects.get()
    assert entry.user == world.commune_editor
    assert entry.user_label == "xa.nhaplieu"
    assert entry.unit == world.commune
    assert entry.unit_path == world.commune.path
    assert (entry.what, entry.purpose, entry.count) == ("export", "báo cáo quý", 12)
    assert (entry.source, entry.ip) == ("web", "10.0.0.7")


def test_no_citizen_id_or_phone_reaches_the_application_logs(world, client, caplog):
    """Registering, refusing and reading mothers through pages and the API leaves the CCCD
    and the phone out of every log line (the audit trail keeps fingerprints only)."""
    import json
    import logging

    from tests.factories import token

    caplog.set_level(logging.INFO)
    cccd, phone = "012198004567", "0912345678"
    client.force_login(world.commune_editor)
    form = {
        "unit": world.village.pk,
        "full_name": "Lò Thị Mai",
        "birth_date": "10/05/1998",
        "ethnic_group": "Mông",
        "citizen_id": cccd,
        "phone": phone,
    }
    client.post(reverse("maternal:mother_create", args=[world.commune.pk]), form)
    client.post(
        reverse("maternal:mother_create", args=[world.commune.pk]),
        {**form, "citizen_id": cccd[:-1] + "x"},
    )
    client.post(reverse("maternal:mother_create", args=[world.other_commune.pk]), form)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token(world.outsider)}"}
    client.post(
        "/api/v1/mothers",
        json.dumps({**form, "birth_date": "1998-05-10", "unit": world.village.pk}),
        content_type="application/json",
        **headers,
    )
    client.get(f"/api/v1/mothers?unit={world.commune.pk}", **headers)
    assert caplog.records  # the refusals were logged…
    for secret in (cccd, phone, cccd[:-1] + "x"):
        assert secret not in caplog.text  # …without the personal data
