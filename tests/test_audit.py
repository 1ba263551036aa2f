"""Every change, made through a page, the API or the command line, lands in the audit trail."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from duan8.accounts.models import Membership, Role
from duan8.core import versions
from duan8.core.models import AuditEvent
from tests.factories import token


def unit_events(unit):
    return list(AuditEvent.objects.for_object(unit).filter(action="update").order_by("pk"))


def test_a_change_through_page_api_and_cli_gives_three_events_with_before_and_after(client, world):
    commune = world.commune
    client.force_login(world.national_admin)
    response = client.post(
        reverse("geo:unit_edit", args=[commune.pk]),
        {
            "code": commune.code,
            "name": "Xã Mồ Sì San (trang)",
            "short_name": "Mồ Sì San",
            "valid_from": "01/01/2021",
            "valid_until": "",
        },
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    response = client.patch(
        reverse("api:unit_update", kwargs={"unit_id": commune.pk}),
        json.dumps({"name": "Xã Mồ Sì San (API)", "version": versions.of(commune)}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token(world.national_admin)}",
    )
    assert response.status_code == 200, response.content
    call_command(
        "unit", "commune", commune.code, "--name", "Xã Mồ Sì San (CLI)", "--as", "tw.quantri"
    )

    web, api, cli = unit_events(commune)
    assert (web.source, web.actor, web.ip) == ("web", world.national_admin, "10.1.2.3")
    assert web.before == {"name": "Xã Mồ Sì San"}
    assert web.after == {"name": "Xã Mồ Sì San (trang)"}
    assert (api.source, api.actor) == ("api", world.national_admin)
    assert api.before == {"name": "Xã Mồ Sì San (trang)"}
    assert api.after == {"name": "Xã Mồ Sì San (API)"}
    assert (cli.source, cli.actor_label) == ("cli", "tw.quantri")
    assert cli.after == {"name": "Xã Mồ Sì San (CLI)"}
    assert all(event.unit == commune for event in (web, api, cli))


def test_a_command_without_an_account_is_attributed_to_the_system_user(world):
    call_command("unit", "commune", world.commune.code, "--short-name", "Mồ Sì San mới")
    (event,) = unit_events(world.commune)
    assert event.source == "cli"
    assert event.actor is None
    assert event.actor_label.startswith("cli:")


def test_saving_without_a_change_records_nothing(world):
    before = AuditEvent.objects.count()
    world.commune.save()
    assert AuditEvent.objects.count() == before


def test_creating_and_deleting_a_membership_is_recorded_on_its_unit(world):
    membership = Membership.objects.create(
        user=world.outsider, unit=world.commune, role=Role.VIEWER
    )
    pk = membership.pk
    membership.delete()
    created, deleted = AuditEvent.objects.filter(
        object_id=str(pk), content_type__model="membership"
    ).order_by("pk")
    assert created.action == "create" and created.after["role"] == "viewer"
    assert deleted.action == "delete" and deleted.before["unit"] == world.commune.pk
    assert deleted.unit == world.commune


def test_passwords_never_reach_the_audit_trail(world):
    account = world.commune_editor
    old_hash = account.password
    account.set_password("mot-mat-khau-moi-42")
    account.save()
    event = AuditEvent.objects.for_object(account).filter(action="update").get()
    assert set(event.after) == {"password"}
    assert old_hash not in str(event.before) and account.password not in str(event.after)


def test_an_administrator_reads_the_history_of_a_unit(client, world):
    world.commune.name = "Xã Mồ Sì San đổi tên"
    world.commune.save()
    client.force_login(world.province_admin)
    page = client.get(reverse("geo:unit_history", args=[world.commune.pk])).content.decode()
    assert "Xã Mồ Sì San đổi tên" in page


def test_the_unit_audit_log_shows_changes_in_the_subtree_only(client, world):
    world.commune.short_name = "Trong tỉnh"
    world.commune.save()
    world.other_commune.short_name = "Ngoài tỉnh"
    world.other_commune.save()
    client.force_login(world.province_admin)
    page = client.get(reverse("accounts:audit_log")).content.decode()
    assert "Trong tỉnh" in page
    assert "Ngoài tỉnh" not in page


@pytest.mark.parametrize("source", ["web", "api", "cli"])
def test_the_audit_log_filters_by_source(client, world, source):
    client.force_login(world.national_admin)
    response = client.get(reverse("accounts:audit_log"), {"source": source})
    assert response.status_code == 200
    assert all(event.source == source for event in response.context["page"])


def test_a_new_unit_appears_in_the_audit_trail_of_its_parent(client, world):
    from tests.factories import unit

    village = unit("village", "Bản Mới", world.commune, code="")
    event = AuditEvent.objects.for_object(village).get()
    assert event.unit_path == village.path
    client.force_login(world.province_admin)
    client.post(reverse("geo:switch"), {"unit": world.district.pk})
    assert "Bản Mới" in client.get(reverse("accounts:audit_log")).content.decode()


def test_a_national_administrator_at_the_root_sees_changes_to_accounts(client, world):
    world.commune_editor.email = "xa@example.vn"
    world.commune_editor.save()
    client.force_login(world.national_admin)
    page = client.get(reverse("accounts:audit_log")).content.decode()
    assert "xa@example.vn" in page


def test_an_import_writes_each_record_with_the_same_event_a_single_save_would(world):
    """Imports write records and events in bulk; what lands in the trail is what one save
    writes: an event per record, naming it, in the importer's name, with its values."""
    import datetime

    from duan8.community.models import CommunityModel
    from duan8.core import audit
    from duan8.core.models import ChangeCounter

    with audit.acting_as(world.province_admin, source="web", ip="10.0.0.7"):
        single = CommunityModel(
            kind="leaders_club",
            unit=world.commune,
            name="CLB một",
            established_on=datetime.date(2024, 5, 1),
        )
        single.save()
        many = audit.bulk_create(
            [
                CommunityModel(
                    kind="leaders_club",
                    unit=world.commune,
                    name=f"CLB {n}",
                    established_on=datetime.date(2024, 5, 1),
                )
                for n in range(3)
            ]
        )
    assert len({m.pk for m in many}) == 3 and all(m.pk > single.pk for m in many)
    assert CommunityModel.objects.filter(pk__in=[m.pk for m in many]).count() == 3
    one = AuditEvent.objects.for_object(single).get()
    for model in many:
        event = AuditEvent.objects.for_object(model).get()
        assert (event.actor, event.source, event.ip, event.action) == (
            one.actor,
            one.source,
            one.ip,
            one.action,
        )
        assert event.unit == world.commune and event.unit_path == world.commune.path
        assert event.object_repr == str(model)
        assert {**event.after, "name": "CLB một"} == one.after
    counter = ChangeCounter.objects.get(label="community.communitymodel")
    last = AuditEvent.objects.for_object(many[-1]).get()
    assert counter.last_event == last.pk
    # The next record saved one by one gets the next id: nothing reserved was lost.
    after = CommunityModel.objects.create(
        kind="leaders_club",
        unit=world.commune,
        name="CLB sau",
        established_on=single.established_on,
    )
    assert after.pk == many[-1].pk + 1


def test_invisible_characters_are_refused_wherever_a_name_is_written(client, world):
    """A zero-width space or a right-to-left override makes two names look alike."""
    import datetime

    from django.core.exceptions import ValidationError

    from duan8.community.models import CommunityModel

    for text in ("Tổ\u200bA", "Tổ \u202eA", "\ufeffTổ A"):
        with pytest.raises(ValidationError):
            CommunityModel(
                kind="leaders_club",
                unit=world.commune,
                name=text,
                established_on=datetime.date(2024, 5, 1),
            ).full_clean()
        with pytest.raises(ValidationError):
            CommunityModel.objects.create(
                kind="leaders_club",
                unit=world.commune,
                name=text,
                established_on=datetime.date(2024, 5, 1),
            )
    # Line breaks stay allowed in long texts (notes).
    model = CommunityModel(
        kind="leaders_club",
        unit=world.commune,
        name="Tổ B",
        notes="dòng một\ndòng hai",
        established_on=datetime.date(2024, 5, 1),
    )
    model.full_clean()


def test_many_records_saved_in_one_transaction_open_no_savepoint_each_and_a_refusal_spoils_nothing(
    world,
):
    """An import saves record by record inside its one transaction: PostgreSQL slows down
    past 64 writing savepoints in a transaction, so a save there opens none; a save refused
    by its checks (here a stale version) still leaves the transaction usable."""
    import datetime

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from duan8.community.models import CommunityModel

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        saved = [
            CommunityModel.objects.create(
                kind="communication_team",
                unit=world.commune,
                name=f"Tổ {n}",
                established_on=datetime.date(2024, 3, 1),
            )
            for n in range(70)
        ]
        stale = CommunityModel.objects.get(pk=saved[0].pk)
        stale.name, stale.expected_version = "Tổ đổi tên", 0
        with pytest.raises(versions.Stale):
            stale.save()
        saved[1].name = "Tổ một"
        saved[1].save()
    assert not any("SAVEPOINT" in q["sql"].upper() for q in queries.captured_queries)
    assert CommunityModel.objects.get(pk=saved[1].pk).name == "Tổ một"
    assert CommunityModel.objects.get(pk=saved[0].pk).name == "Tổ 0"
    assert AuditEvent.objects.for_object(saved[1]).filter(action="update").count() == 1


def test_a_batch_of_saves_counts_every_change_and_updates_the_counter_row_twice(world):
    """``audit.batched()``: an import saving record by record updates its model's change
    counter when the first change comes and once at the end, and the counter then holds
    every change and the last event, as single saves would have left it."""
    import datetime

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from duan8.community.models import CommunityModel
    from duan8.core import audit
    from duan8.core.models import ChangeCounter

    label = "community.communitymodel"
    audit.bump(CommunityModel, by=0)
    before = ChangeCounter.objects.get(label=label).value
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        with audit.batched():
            saved = [
                CommunityModel.objects.create(
                    kind="communication_team",
                    unit=world.commune,
                    name=f"Tổ {n}",
                    established_on=datetime.date(2024, 3, 1),
                )
                for n in range(30)
            ]
    updates = [
        q
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and "core_changecounter" in q["sql"]
    ]
    assert len(updates) == 2
    counter = ChangeCounter.objects.get(label=label)
    assert counter.value == before + 30
    last = AuditEvent.objects.for_object(saved[-1]).get()
    assert counter.last_event == last.pk
