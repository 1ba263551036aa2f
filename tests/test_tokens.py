"""API tokens: named, expiring, listed and revoked by their owner (and by the administrators of
her account), and revoked with her password or her account."""

import datetime
import re
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from duan8.accounts.models import ApiToken, User
from duan8.core.models import AuditEvent
from tests.factories import PASSWORD, token


def api_me(client, raw):
    return client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {raw}")


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def state_of(raw: str) -> str:
    import hashlib

    digest = hashlib.sha256(raw.encode()).hexdigest()
    return ApiToken.objects.get(digest=digest).state


# Expiry -----------------------------------------------------------------------------------


def test_a_token_stops_opening_the_api_when_it_expires(client, world):
    _token, raw = ApiToken.issue(world.commune_editor, "DHIS2", days=1)
    assert api_me(client, raw).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, minutes=1)):
        response = api_me(client, raw)
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


def test_a_token_lasts_the_configured_days_unless_told_otherwise(world, settings):
    settings.API_TOKEN_DAYS = 30
    issued, _raw = ApiToken.issue(world.commune_editor, "DHIS2")
    assert issued.expires_at - issued.created_at == pytest.approx(
        datetime.timedelta(days=30), abs=datetime.timedelta(seconds=5)
    )


def test_a_token_cannot_outlive_the_longest_validity(world, settings):
    settings.API_TOKEN_MAX_DAYS = 366
    with pytest.raises(CommandError):
        run("token", "xa.nhaplieu", "--days", "1000")
    assert not ApiToken.objects.exists()


# The page ---------------------------------------------------------------------------------


def test_an_officer_creates_a_named_token_and_sees_its_secret_once(client, world):
    client.force_login(world.commune_editor)
    url = reverse("accounts:tokens")
    response = client.post(url, {"name": "Bảng tính của xã", "days": 30})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    raw = re.search(r'data-testid="new-token">([^<]+)<', page).group(1)
    assert api_me(client, raw).json()["username"] == "xa.nhaplieu"
    assert raw not in client.get(url).content.decode(), "the secret is shown only once"
    issued = ApiToken.objects.get(user=world.commune_editor)
    assert issued.name == "Bảng tính của xã"
    assert (issued.expires_at - timezone.now()).days == 29
    event = AuditEvent.objects.for_object(issued).get()
    assert event.actor == world.commune_editor and "digest" not in event.after


def test_the_token_page_lists_only_ones_own_tokens(client, world):
    token(world.commune_editor)
    ApiToken.issue(world.district_approver, "Báo cáo huyện")
    client.force_login(world.commune_editor)
    listed = client.get(reverse("accounts:tokens")).context["tokens"]
    assert [t.user for t in listed] == [world.commune_editor]


def test_the_page_shows_when_a_token_was_last_used(client, world):
    raw = token(world.commune_editor)
    client.force_login(world.commune_editor)
    (listed,) = client.get(reverse("accounts:tokens")).context["tokens"]
    assert listed.last_used_at is None
    api_me(client, raw)
    page = client.get(reverse("accounts:tokens"))
    (listed,) = page.context["tokens"]
    assert listed.last_used_at is not None
    assert timezone.localtime(listed.last_used_at).strftime("%d/%m/%Y") in page.content.decode()


def test_a_script_reading_page_after_page_is_not_a_write_per_read(client, world):
    """The last use is kept to the minute: reads within it do not write the token again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    raw = token(world.commune_editor)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC), tick=False):
        api_me(client, raw)
        with CaptureQueriesContext(connection) as queries:
            for _ in range(5):
                assert api_me(client, raw).status_code == 200
        assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    with time_machine.travel(datetime.datetime(2026, 3, 2, 8, 1, 5, tzinfo=datetime.UTC)):
        api_me(client, raw)
    used = ApiToken.objects.get().last_used_at
    assert used >= datetime.datetime(2026, 3, 2, 8, 1, 5, tzinfo=datetime.UTC)


def test_an_officer_revokes_her_token_and_the_api_refuses_it(client, world):
    raw = token(world.commune_editor)
    issued = ApiToken.objects.get(user=world.commune_editor)
    client.force_login(world.commune_editor)
    response = client.post(reverse("accounts:token_revoke", args=[issued.pk]))
    assert response.status_code == 302
    assert api_me(client, raw).status_code == 401
    assert state_of(raw) == "revoked"
    event = AuditEvent.objects.for_object(issued).get(action="update")
    assert event.before == {"revoked_at": None} and event.after["revoked_at"]


def test_a_unit_administrator_revokes_tokens_of_accounts_she_manages_only(client, world):
    inside = token(world.commune_editor)
    outside = token(world.outsider)
    client.force_login(world.province_admin)
    listed = client.get(reverse("accounts:tokens"), {"user": world.commune_editor.pk})
    (mine,) = listed.context["tokens"]
    assert listed.context["form"] is None, "she may not create tokens for someone else"
    assert client.get(reverse("accounts:tokens"), {"user": world.outsider.pk}).status_code == 404
    theirs = ApiToken.objects.get(user=world.outsider)
    assert client.post(reverse("accounts:token_revoke", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("accounts:token_revoke", args=[mine.pk])).status_code == 302
    assert (state_of(inside), state_of(outside)) == ("revoked", "active")


def test_an_officer_cannot_revoke_a_colleagues_token(client, world):
    raw = token(world.district_approver)
    client.force_login(world.commune_editor)
    theirs = ApiToken.objects.get(user=world.district_approver)
    assert client.post(reverse("accounts:token_revoke", args=[theirs.pk])).status_code == 404
    assert state_of(raw) == "active"


# Revoked with the password or the account -------------------------------------------------


def test_changing_ones_password_revokes_every_token(client, world):
    first, second = token(world.commune_editor), token(world.commune_editor)
    client.force_login(world.commune_editor)
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "doi-mat-khau-2025!",
            "new_password2": "doi-mat-khau-2025!",
        },
    )
    assert api_me(client, first).status_code == 401
    assert (state_of(first), state_of(second)) == ("revoked", "revoked")


def test_an_administrators_password_reset_revokes_every_token(client, world):
    raw = token(world.commune_editor)
    client.force_login(world.province_admin)
    client.post(
        reverse("accounts:user_password", args=[world.commune_editor.pk]),
        {"new_password1": "mat-khau-moi-cua-xa-7", "new_password2": "mat-khau-moi-cua-xa-7"},
    )
    assert state_of(raw) == "revoked"
    revoked = AuditEvent.objects.filter(
        content_type__model="apitoken", action="update", actor=world.province_admin
    )
    assert revoked.count() == 1


def test_deactivating_an_account_revokes_its_tokens_for_good(client, world):
    raw = token(world.commune_editor)
    client.force_login(world.province_admin)
    url = reverse("accounts:user", args=[world.commune_editor.pk])
    client.post(url, {"full_name": "Xa Nhaplieu", "email": "", "phone": ""})  # is_active off
    assert state_of(raw) == "revoked"
    client.post(url, {"full_name": "Xa Nhaplieu", "email": "", "phone": "", "is_active": "on"})
    assert api_me(client, raw).status_code == 401, "reactivating brings no token back"


def test_other_changes_to_an_account_leave_its_tokens_alone(client, world, settings):
    raw = token(world.commune_editor)
    editor = User.objects.get(pk=world.commune_editor.pk)
    editor.full_name = "Lò Thị Xa"
    editor.save()
    # Signing in with a password stored by an older hasher upgrades its hash: same password.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    User.objects.filter(pk=editor.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )
    assert (
        client.post(
            reverse("accounts:signin"), {"username": "xa.nhaplieu", "password": PASSWORD}
        ).status_code
        == 302
    )
    assert User.objects.get(pk=editor.pk).password.startswith("md5$")
    assert state_of(raw) == "active"


# The command line -------------------------------------------------------------------------


def test_the_command_line_issues_lists_and_revokes_tokens(client, world):
    raw = run("token", "XA.NHAPLIEU", "--name", "DHIS2", "--days", "10").strip()
    issued = ApiToken.objects.get(user=world.commune_editor)
    assert (issued.expires_at - timezone.now()).days == 9
    listing = run("token", "--list", "xa.nhaplieu")
    assert issued.prefix in listing and "DHIS2" in listing
    run("token", "--revoke", issued.prefix)
    assert api_me(client, raw).status_code == 401
    other = token(world.commune_editor)
    run("token", "--revoke", str(ApiToken.objects.get(prefix=other[:10]).pk))
    assert state_of(other) == "revoked"


def test_revoking_an_unknown_token_on_the_command_line_says_so(db):
    with pytest.raises(CommandError):
        run("token", "--revoke", "d8_khongco")
