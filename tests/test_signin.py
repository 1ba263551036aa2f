"""Signing in and out, changing and resetting passwords, and throttling password guessers in a
way that never locks the owner out of her own account."""

import datetime

import pyotp
import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from duan8.accounts.models import SecondFactor, SignInLift, User
from duan8.core.models import AuditEvent
from tests.factories import PASSWORD, user

WRONG = "khong-phai-mat-khau"
ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.7"


def sign_in(client, username, password):
    return client.post(reverse("accounts:signin"), {"username": username, "password": password})


def refusal(response) -> set[str]:
    """The codes of the reasons the sign-in form gave (empty when it was not refused)."""
    if response.status_code != 200:
        return set()
    form = response.context["form"]
    return {error.code for error in form.non_field_errors().as_data()}


def signed_in_as(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def browser(address: str = OFFICE) -> Client:
    return Client(REMOTE_ADDR=address)


def a_usual_browser_of(account, address: str = OFFICE) -> Client:
    """A browser the account's owner has signed in with before (and signed out of)."""
    own = browser(address)
    assert sign_in(own, account.username, PASSWORD).status_code == 302
    own.post(reverse("accounts:signout"))
    return own


def enrol(account) -> pyotp.TOTP:
    """Two-step sign-in set up and confirmed for ``account``; returns its app."""
    secret = pyotp.random_base32()
    SecondFactor.objects.create(user=account, secret=secret, confirmed_at=timezone.now())
    return pyotp.TOTP(secret)


def guess(username: str, times: int, address: str = ATTACKER) -> Client:
    attacker = browser(address)
    for _ in range(times):
        sign_in(attacker, username, WRONG)
    return attacker


@pytest.fixture
def admin(db):
    return user("admin", national_admin=True)


# Signing in -------------------------------------------------------------------------------


def test_an_officer_signs_in_and_lands_on_the_overview(client, world):
    response = sign_in(client, "xa.nhaplieu", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("core:overview")


def test_the_username_is_found_whatever_its_case(client, world):
    assert sign_in(client, "XA.NhapLieu", PASSWORD).status_code == 302
    assert signed_in_as(client) == world.commune_editor.pk


def test_a_wrong_password_gets_the_same_generic_message_as_an_unknown_user(client, world):
    wrong_password = sign_in(client, "xa.nhaplieu", WRONG).content.decode()
    unknown_user = sign_in(client, "khong.ton.tai", WRONG).content.decode()
    message = "Tên đăng nhập hoặc mật khẩu không đúng."
    assert message in wrong_password
    assert message in unknown_user


def test_five_failures_block_the_account_for_an_unknown_browser(client, world, settings):
    settings.SIGNIN_MAX_FAILURES = 5
    for _ in range(4):
        assert refusal(sign_in(client, "xa.nhaplieu", WRONG)) == {"invalid"}
    assert refusal(sign_in(client, "xa.nhaplieu", WRONG)) == {"locked"}
    # Even the right password is refused from this browser while the block lasts.
    assert refusal(sign_in(client, "xa.nhaplieu", PASSWORD)) == {"locked"}
    assert signed_in_as(client) is None


def test_the_block_lifts_after_its_time(client, world, settings):
    settings.SIGNIN_LOCK_MINUTES = 15
    for _ in range(settings.SIGNIN_MAX_FAILURES):
        sign_in(client, "xa.nhaplieu", WRONG)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        assert sign_in(client, "xa.nhaplieu", PASSWORD).status_code == 302


def test_names_without_an_account_are_blocked_like_accounts(client, world, settings):
    for _ in range(settings.SIGNIN_MAX_FAILURES):
        sign_in(client, "khong.ton.tai", WRONG)
    assert refusal(sign_in(client, "Khong.Ton.Tai", WRONG)) == {"locked"}


# An attacker cannot lock the owner out ----------------------------------------------------


def test_guessing_the_admins_password_in_any_case_does_not_stop_her_usual_browser(admin):
    usual = a_usual_browser_of(admin)
    for name in ("ADMIN", "Admin", "admin", "aDmIn", "admin ", "ADMIN", "Admin"):
        sign_in(browser(ATTACKER), name, WRONG)
    # A browser that never signed in to the account is blocked, even with the right password…
    stranger = browser(ATTACKER)
    assert refusal(sign_in(stranger, "admin", PASSWORD)) == {"locked"}
    assert refusal(sign_in(browser("192.0.2.1"), "admin", PASSWORD)) == {"locked"}
    # …but the administrator signs in from the browser she always uses.
    assert sign_in(usual, "admin", PASSWORD).status_code == 302
    assert signed_in_as(usual) == admin.pk


def test_the_owner_signs_in_with_her_code_from_a_new_browser_while_blocked(admin):
    app = enrol(admin)
    guess("Admin", 8)
    laptop = browser("192.0.2.44")
    response = sign_in(laptop, "admin", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("accounts:signin_code")
    assert signed_in_as(laptop) is None
    response = laptop.post(reverse("accounts:signin_code"), {"code": app.now()})
    assert response.status_code == 302 and response.url == reverse("core:overview")
    assert signed_in_as(laptop) == admin.pk


def test_a_blocked_browser_with_the_wrong_password_gets_nowhere_even_with_the_code(admin):
    app = enrol(admin)
    attacker = guess("admin", 6)
    # The password step does not tell whether the password was right…
    response = sign_in(attacker, "admin", "mot-doan-khac")
    assert response.status_code == 302 and response.url == reverse("accounts:signin_code")
    # …and a right code with a wrong password opens nothing.
    attacker.post(reverse("accounts:signin_code"), {"code": app.now()})
    assert signed_in_as(attacker) is None


def test_signing_in_to_another_account_does_not_reset_a_block(world):
    insider = guess("xa.nhaplieu", 5, address=OFFICE)
    # The insider signs in to her own account from the same browser and address…
    assert sign_in(insider, "huyen.pheduyet", PASSWORD).status_code == 302
    # …and the account she tried to guess stays blocked for browsers it does not know.
    assert refusal(sign_in(browser(OFFICE), "xa.nhaplieu", PASSWORD)) == {"locked"}


def test_the_owner_signing_in_at_her_usual_browser_does_not_reset_the_block(admin):
    usual = a_usual_browser_of(admin)
    guess("admin", 5)
    assert sign_in(usual, "admin", PASSWORD).status_code == 302
    assert refusal(sign_in(browser(ATTACKER), "admin", PASSWORD)) == {"locked"}


def test_a_usual_browser_has_a_limit_of_its_own(world, settings):
    usual = a_usual_browser_of(world.commune_editor)
    for _ in range(settings.SIGNIN_MAX_FAILURES):
        sign_in(usual, "xa.nhaplieu", WRONG)
    assert refusal(sign_in(usual, "xa.nhaplieu", PASSWORD)) == {"locked"}
    # Her own typing mistakes do not block her account anywhere else.
    assert sign_in(browser("192.0.2.8"), "xa.nhaplieu", PASSWORD).status_code == 302


def test_a_changed_password_forgets_the_browsers_that_knew_the_old_one(world):
    usual = a_usual_browser_of(world.commune_editor)
    editor = User.objects.get(pk=world.commune_editor.pk)
    editor.set_password("mat-khau-moi-cua-xa-7")
    editor.save()
    guess("xa.nhaplieu", 5)
    assert refusal(sign_in(usual, "xa.nhaplieu", "mat-khau-moi-cua-xa-7")) == {"locked"}


def test_one_address_trying_many_names_is_blocked(world, settings):
    settings.SIGNIN_ADDRESS_MAX_FAILURES = 20
    usual = a_usual_browser_of(world.commune_editor, address=ATTACKER)
    for number in range(20):  # a password sprayed over twenty names, once each
        sign_in(browser(ATTACKER), f"can.bo.{number}", WRONG)
    assert refusal(sign_in(browser(ATTACKER), "huyen.pheduyet", PASSWORD)) == {"locked"}
    # Other addresses are not concerned, nor the browsers the account typed knows.
    assert sign_in(browser("192.0.2.9"), "huyen.pheduyet", PASSWORD).status_code == 302
    assert sign_in(usual, "xa.nhaplieu", PASSWORD).status_code == 302


# Two-step sign-in -------------------------------------------------------------------------


def test_the_password_step_does_not_sign_in_an_account_with_two_step_sign_in(client, admin):
    app = enrol(admin)
    response = sign_in(client, "admin", PASSWORD)
    assert response.url == reverse("accounts:signin_code")
    assert client.get(reverse("core:overview")).status_code == 302
    assert signed_in_as(client) is None
    client.post(reverse("accounts:signin_code"), {"code": app.now()})
    assert signed_in_as(client) == admin.pk


def test_the_code_step_expires_after_a_few_minutes(client, admin, settings):
    settings.SIGNIN_CODE_MINUTES = 5
    app = enrol(admin)
    sign_in(client, "admin", PASSWORD)
    later = timezone.now() + datetime.timedelta(minutes=6)
    with time_machine.travel(later, tick=False):
        response = client.post(reverse("accounts:signin_code"), {"code": app.now()})
    assert response.status_code == 302 and response.url == reverse("accounts:signin")
    assert signed_in_as(client) is None


def test_wrong_codes_are_throttled(client, admin, settings):
    settings.SIGNIN_MAX_FAILURES = 5
    app = enrol(admin)
    sign_in(client, "admin", PASSWORD)
    for _ in range(4):
        assert client.post(reverse("accounts:signin_code"), {"code": "000000"}).status_code == 200
    response = client.post(reverse("accounts:signin_code"), {"code": "000000"})
    assert response.url == reverse("accounts:signin"), "the waiting sign-in is dropped"
    # Starting again from the same address, even the right code is refused for a while.
    sign_in(client, "admin", PASSWORD)
    client.post(reverse("accounts:signin_code"), {"code": app.now()})
    assert signed_in_as(client) is None


def test_a_code_is_accepted_only_once(admin):
    app = enrol(admin)
    with time_machine.travel(timezone.now(), tick=False):
        code = app.now()
        first, second = browser(), browser()
        sign_in(first, "admin", PASSWORD)
        first.post(reverse("accounts:signin_code"), {"code": code})
        sign_in(second, "admin", PASSWORD)
        second.post(reverse("accounts:signin_code"), {"code": code})
    assert signed_in_as(first) == admin.pk
    assert signed_in_as(second) is None


def test_wrong_codes_typed_elsewhere_do_not_stop_the_owner_at_her_usual_browser(admin, settings):
    settings.SIGNIN_ADDRESS_MAX_FAILURES = 20
    app = enrol(admin)
    code_step = reverse("accounts:signin_code")
    usual = browser()
    sign_in(usual, "admin", PASSWORD)
    usual.post(code_step, {"code": app.now()})
    assert signed_in_as(usual) == admin.pk
    usual.post(reverse("accounts:signout"))
    guess("admin", 5)  # blocked for unknown browsers: a wrong password now leads to the code step
    for number in range(5):  # twenty wrong codes from five addresses
        attacker = browser(f"203.0.113.{number + 1}")
        sign_in(attacker, "admin", WRONG)
        for _ in range(4):
            attacker.post(code_step, {"code": "000000"})
    stranger = browser("192.0.2.50")
    sign_in(stranger, "admin", PASSWORD)
    stranger.post(code_step, {"code": app.now()})
    assert signed_in_as(stranger) is None, "unknown browsers wait"
    sign_in(usual, "admin", PASSWORD)
    usual.post(code_step, {"code": app.at(timezone.now(), counter_offset=1)})
    assert signed_in_as(usual) == admin.pk


def test_an_administrator_sets_up_two_step_sign_in_with_a_code_from_her_app(client, world):
    client.force_login(world.province_admin)
    url = reverse("accounts:two_factor")
    client.post(url, {"action": "start"})
    page = client.get(url).content.decode()
    factor = SecondFactor.objects.get(user=world.province_admin)
    assert "otpauth://totp/duan8:tinh.quantri?secret=" + factor.secret in page
    assert "<svg" in page  # the QR code, drawn by the app itself
    client.post(url, {"action": "confirm", "code": "123456"})
    assert not SecondFactor.objects.get(pk=factor.pk).confirmed
    client.post(url, {"action": "confirm", "code": pyotp.TOTP(factor.secret).now()})
    assert SecondFactor.objects.get(pk=factor.pk).confirmed
    events = AuditEvent.objects.for_object(factor)
    assert events.count() == 2
    assert all(factor.secret not in str(event.after) for event in events)
    assert events.filter(action="create").get().after["secret"].startswith("••••")


def test_turning_two_step_sign_in_off_needs_the_password_or_a_code(client, world):
    enrol(world.province_admin)
    client.force_login(world.province_admin)
    url = reverse("accounts:two_factor")
    client.post(url, {"action": "disable", "password": WRONG})
    assert SecondFactor.objects.filter(user=world.province_admin).exists()
    client.post(url, {"action": "disable", "password": PASSWORD})
    assert not SecondFactor.objects.filter(user=world.province_admin).exists()
    assert AuditEvent.objects.filter(action="delete", object_repr="tinh.quantri").exists()


# Administrators see and lift blocks -------------------------------------------------------


def test_an_administrator_sees_a_block_and_lifts_it_on_the_record(world):
    guess("xa.nhaplieu", 6)
    admin = Client(REMOTE_ADDR="10.0.0.5")
    admin.force_login(world.province_admin)
    page = admin.get(reverse("accounts:blocks"))
    (block,) = page.context["accounts"]
    assert (block.account, block.failures, block.addresses) == (world.commune_editor, 6, [ATTACKER])
    assert 14 <= block.minutes <= 15
    response = admin.post(reverse("accounts:block_lift"), {"account": world.commune_editor.pk})
    assert response.status_code == 302
    lift = SignInLift.objects.get(account=world.commune_editor)
    event = AuditEvent.objects.for_object(lift).get()
    assert (event.actor, event.action, event.ip) == (world.province_admin, "create", "10.0.0.5")
    assert admin.get(reverse("accounts:blocks")).context["accounts"] == []
    assert sign_in(browser(), "xa.nhaplieu", PASSWORD).status_code == 302
    # The account's page tells its history, the lift included.
    history = admin.get(reverse("accounts:user", args=[world.commune_editor.pk])).context["history"]
    assert event in list(history)


def test_the_users_page_links_to_the_blocks(client, world):
    guess("xa.nhaplieu", 5)
    client.force_login(world.province_admin)
    page = client.get(reverse("accounts:users"))
    assert reverse("accounts:blocks") in page.content.decode()
    assert page.context["blocked"] == 1


def test_a_unit_administrator_sees_and_lifts_only_blocks_of_accounts_she_manages(client, world):
    guess("xa.nhaplieu", 5)
    guess("sonla.xem", 5)
    guess("khong.ton.tai", 10)  # 20 failures from one address: the address is blocked too
    client.force_login(world.province_admin)
    page = client.get(reverse("accounts:blocks"))
    assert [b.account for b in page.context["accounts"]] == [world.commune_editor]
    assert page.context["addresses"] is None
    lift = reverse("accounts:block_lift")
    assert client.post(lift, {"account": world.outsider.pk}).status_code == 404
    assert client.post(lift, {"ip": ATTACKER}).status_code == 403
    assert client.post(lift, {"name": "khong.ton.tai"}).status_code == 403
    assert not SignInLift.objects.exists()


def test_a_national_administrator_sees_every_block_and_lifts_an_address(client, world):
    guess("xa.nhaplieu", 5)
    guess("sonla.xem", 5)
    guess("khong.ton.tai", 10)
    client.force_login(world.national_admin)
    page = client.get(reverse("accounts:blocks"))
    blocked = {b.account.username if b.account else b.name for b in page.context["accounts"]}
    assert blocked == {"xa.nhaplieu", "sonla.xem", "khong.ton.tai"}
    ((address, count),) = [(b.ip, b.failures) for b in page.context["addresses"]]
    assert (address, count) == (ATTACKER, 20)
    client.post(reverse("accounts:block_lift"), {"ip": ATTACKER})
    assert client.get(reverse("accounts:blocks")).context["addresses"] == []
    # Lifting the address leaves the accounts' own blocks in place.
    assert refusal(sign_in(browser("192.0.2.3"), "xa.nhaplieu", PASSWORD)) == {"locked"}


def test_an_administrator_reset_lifts_the_block(client, world, settings):
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


# Usernames are unique whatever their case -------------------------------------------------


def test_an_account_named_like_another_but_for_capitals_is_refused(client, world):
    client.force_login(world.national_admin)
    before = User.objects.count()
    response = client.post(
        reverse("accounts:user_create"),
        {"username": "XA.NhapLieu", "password": "mot-mat-khau-dai-9", "m-unit": "", "m-role": ""},
    )
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["username"]] == ["taken"]
    assert User.objects.count() == before


def test_createadmin_refuses_a_name_that_differs_only_in_case(admin):
    with pytest.raises(CommandError, match="admin"):
        call_command("createadmin", "Admin", "--password", "mot-mat-khau-dai-9")
    assert User.objects.filter(username__iexact="admin").count() == 1


def test_the_database_refuses_two_names_that_differ_only_in_case(admin):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="ADMIN")


# Passwords --------------------------------------------------------------------------------


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


# What a review found: counters, replays and addresses an attacker could use ----------------


def test_while_blocked_a_right_password_counts_like_a_wrong_one(admin):
    """No counter tells an attacker that a guess of a two-step account's password was right."""
    from duan8.accounts.models import SignInFailure

    enrol(admin)
    attacker = guess("admin", 5)
    before = SignInFailure.objects.filter(ip=ATTACKER).count()
    right = sign_in(attacker, "admin", PASSWORD)
    wrong = sign_in(attacker, "admin", WRONG)
    assert right.status_code == wrong.status_code == 302
    assert right.url == wrong.url == reverse("accounts:signin_code")
    assert SignInFailure.objects.filter(ip=ATTACKER).count() == before + 2


def test_the_code_that_confirms_two_step_sign_in_cannot_sign_in_again(client, world):
    from duan8.accounts import two_factor

    client.force_login(world.province_admin)
    url = reverse("accounts:two_factor")
    client.post(url, {"action": "start"})
    factor = SecondFactor.objects.get(user=world.province_admin)
    code = pyotp.TOTP(factor.secret).now()
    client.post(url, {"action": "confirm", "code": code})
    factor.refresh_from_db()
    assert factor.confirmed and not two_factor.verify(factor, code)


def test_addresses_of_one_ipv6_network_are_counted_together(world, settings):
    settings.SIGNIN_ADDRESS_MAX_FAILURES = 6
    for n in range(6):
        sign_in(browser(f"2001:db8:1:2::{n + 1:x}"), f"khong-co-{n}", WRONG)
    next_door = browser("2001:db8:1:2:ffff::9")
    assert "locked" in refusal(sign_in(next_door, world.commune_editor.username, PASSWORD))
    elsewhere = browser("2001:db8:1:3::1")
    assert sign_in(elsewhere, world.commune_editor.username, PASSWORD).status_code == 302


def test_the_blocks_page_shows_an_account_whose_code_step_is_blocked(client, world, settings):
    from duan8.accounts import lockout

    account = world.province_admin
    enrol(account)
    for n in range(settings.SIGNIN_ADDRESS_MAX_FAILURES):  # the password known, no code
        other = browser(f"192.0.2.{n + 10}")
        sign_in(other, account.username, PASSWORD)
        other.post(reverse("accounts:signin_code"), {"code": "000000"})
    assert not lockout.minutes_blocked(lockout.Attempt(account.username, account, OFFICE))
    blocks = lockout.account_blocks(User.objects.filter(pk=account.pk), with_names=False)
    assert [b.account for b in blocks] == [account]
