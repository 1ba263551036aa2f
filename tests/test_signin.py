"""Signing in and out, changing and resetting passwords, and locking out password guessers."""

import datetime

import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, user

WRONG = "khong-phai-mat-khau"


def sign_in(client, username, password):
    return client.post(reverse("accounts:signin"), {"username": username, "password": password})


def test_an_officer_signs_in_and_lands_on_the_overview(client, world):
    response = sign_in(client, "xa.nhaplieu", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("core:overview")


def test_a_wrong_password_gets_the_same_generic_message_as_an_unknown_user(client, world):
    wrong_password = sign_in(client, "xa.nhaplieu", WRONG).content.decode()
    unknown_user = sign_in(client, "khong.ton.tai", WRONG).content.decode()
    message = "Tên đăng nhập hoặc mật khẩu không đúng."
    assert message in wrong_password
    assert message in unknown_user


def test_five_failures_lock_the_account_with_a_clear_message(client, world, settings):
    settings.SIGNIN_MAX_FAILURES = 5
    for _ in range(4):
        assert "không đúng" in sign_in(client, "xa.nhaplieu", WRONG).content.decode()
    fifth = sign_in(client, "xa.nhaplieu", WRONG).content.decode()
    assert "tạm khóa" in fifth
    # Even the right password is refused while the lock lasts.
    right = sign_in(client, "xa.nhaplieu", PASSWORD)
    assert right.status_code == 200
    assert "tạm khóa" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_lifts_after_its_time(client, world, settings):
    settings.SIGNIN_LOCK_MINUTES = 15
    for _ in range(settings.SIGNIN_MAX_FAILURES):
        sign_in(client, "xa.nhaplieu", WRONG)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        assert sign_in(client, "xa.nhaplieu", PASSWORD).status_code == 302


def test_an_administrator_reset_lifts_the_lock(client, world, settings):
    for _ in range(settings.SIGNIN_MAX_FAILURES):
        sign_in(client, "xa.nhaplieu", WRONG)
    admin = client.__class__()
    admin.force_login(world.province_admin)
    response = admin.post(
        reverse("accounts:user_password", args=[world.commune_editor.pk]),
        {"new_password1": "mat-khau-moi-cua-xa-7", "new_password2": "mat-khau-moi-cua-xa-7"},
    )
    assert response.status_code == 302
    assert sign_in(client, "xa.nhaplieu", "mat-khau-moi-cua-xa-7").status_code == 302


def test_an_officer_changes_her_own_password(client, world):
    client.force_login(world.commune_editor)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "doi-mat-khau-2025!",
            "new_password2": "doi-mat-khau-2025!",
        },
    )
    assert response.status_code == 302
    world.commune_editor.refresh_from_db()
    assert world.commune_editor.check_password("doi-mat-khau-2025!")


def test_signing_out_ends_the_session(client, world):
    client.force_login(world.commune_editor)
    client.post(reverse("accounts:signout"))
    assert client.get(reverse("core:overview")).status_code == 302


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(client, world):
    url = reverse("accounts:signin")
    ok = client.post(
        url, {"username": "xa.nhaplieu", "password": PASSWORD, "next": reverse("geo:browse")}
    )
    assert ok.url == reverse("geo:browse")
    client.logout()
    evil = client.post(
        url, {"username": "xa.nhaplieu", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert evil.url == reverse("core:overview")


@pytest.mark.argon2
def test_passwords_are_hashed_with_argon2(db):
    account = user("argon.user")
    assert identify_hasher(account.password).algorithm == "argon2"


def test_an_administrator_cannot_reset_a_password_outside_her_province(client, world):
    client.force_login(world.province_admin)
    response = client.post(
        reverse("accounts:user_password", args=[world.outsider.pk]),
        {"new_password1": "mat-khau-moi-cua-xa-7", "new_password2": "mat-khau-moi-cua-xa-7"},
    )
    assert response.status_code == 404
    world.outsider.refresh_from_db()
    assert world.outsider.check_password(PASSWORD)
