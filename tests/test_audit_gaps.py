"""Audit without gaps: writes at the command line carry an actor, histories follow the access
rules."""

import getpass

from duan8 import cli
from duan8.core.models import AuditEvent


def test_a_change_made_in_duan8_shell_names_the_operating_system_user(world, monkeypatch):
    from django.core.management import base

    # The command line closes every connection when a command ends; the test's own (inside
    # its transaction, on PostgreSQL) must stay open.
    monkeypatch.setattr(base.connections, "close_all", lambda: None)
    code = (
        "from duan8.geo.models import AdminUnit; "
        f"u = AdminUnit.objects.get(pk={world.commune.pk}); "
        "u.short_name = 'Mồ Sì San (sửa)'; u.save()"
    )
    cli.main(["duan8", "shell", "-c", code])
    event = AuditEvent.objects.for_object(world.commune).order_by("pk").last()
    assert event.after == {"short_name": "Mồ Sì San (sửa)"}
    assert (event.source, event.actor_label) == ("cli", f"cli:{getpass.getuser()}")


def test_a_records_history_shows_addresses_to_its_unit_administrators_only(client, world):
    from django.urls import reverse

    from duan8.core import audit

    with audit.acting_as(world.commune_editor, source=audit.SOURCE_WEB, ip="203.0.113.7"):
        world.team.members_men = 3
        world.team.save()
    url = reverse("community:detail", args=[world.team.pk])
    client.force_login(world.commune_editor)
    page = client.get(url).content.decode()
    assert "xa.nhaplieu" in page and "203.0.113.7" not in page
    client.force_login(world.province_admin)
    assert "203.0.113.7" in client.get(url).content.decode()


def test_a_command_run_by_a_user_without_a_name_is_attributed_to_its_uid(monkeypatch):
    import os

    def nameless():
        raise KeyError("getpwuid(): uid not found")

    monkeypatch.setattr(getpass, "getuser", nameless)
    assert cli.system_user() == f"uid:{os.getuid()}"
