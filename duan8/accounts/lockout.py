"""Throttling sign-ins without handing an attacker a way to lock the owner out.

Failures are counted within the last ``SIGNIN_LOCK_MINUTES``, four ways:

    account  wrong passwords for one account (found by its name whatever the case; a name
             without an account counts by the name typed, lower-cased) from browsers not
             known for it: SIGNIN_MAX_FAILURES block the account for unknown browsers
    device   wrong passwords from one browser known for the account: SIGNIN_MAX_FAILURES
             block that browser
    address  wrong passwords from one address, whatever the names: SIGNIN_ADDRESS_MAX_FAILURES
             block the address for browsers not known for the account typed
    code     wrong authentication codes for one account from unknown browsers:
             SIGNIN_MAX_FAILURES from one address, or SIGNIN_ADDRESS_MAX_FAILURES from all,
             stop the code step there; a known browser's own SIGNIN_MAX_FAILURES stop it

Tries made while blocked count as failures too, so a block lasts as long as the guessing.
A browser is known for an account once it has signed in to it (``devices``). So the owner of a
blocked account still signs in from her usual browser, or from anywhere with her
authentication code (``two_factor``). A sign-in clears nothing — least of all another
account's failures: failures leave the window with time, or an administrator lifts a block,
which is recorded (an audited :class:`SignInLift`); failures before it no longer count.
"""

from __future__ import annotations

import datetime
import ipaddress
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from duan8.accounts import devices
from duan8.accounts.models import SignInFailure, SignInLift, User
from duan8.core.middleware import client_ip

PASSWORD = SignInFailure.Kind.PASSWORD
CODE = SignInFailure.Kind.CODE
# Failures are kept this long for the record, then dropped when the next one is noted.
KEEP = datetime.timedelta(days=30)


def normalised(username: str) -> str:
    return (username or "").strip().lower()[:150]


@dataclass(frozen=True)
class Attempt:
    """Who is trying to sign in as whom: the name typed, its account, the address and the
    browser's id when the browser is known for the account."""

    name: str
    account: User | None
    ip: str | None
    device: str = ""


def address_of(request) -> str | None:
    """The address failures are counted by: the client's, or for IPv6 its /64 network (one
    subscriber holds a whole /64, and would otherwise have as many addresses as it likes)."""
    ip = client_ip(request)
    if ip is None or ":" not in ip:
        return ip
    return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)


def attempt(request, username: str) -> Attempt:
    name = normalised(username)
    account = User.objects.named(name).first() if name else None
    device = devices.known(request, account) if account is not None else ""
    return Attempt(name=name, account=account, ip=address_of(request), device=device)


def attempt_on(request, account: User) -> Attempt:
    """The attempt of a sign-in that has found its account (the code step)."""
    return Attempt(
        name=normalised(account.username),
        account=account,
        ip=address_of(request),
        device=devices.known(request, account),
    )


def _window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.SIGNIN_LOCK_MINUTES)


def _minutes_left(newest_first: list[datetime.datetime], limit: int) -> int:
    """Whole minutes until fewer than ``limit`` of these failures are in the window."""
    if len(newest_first) < limit:
        return 0
    # The block ends when the limit-th newest failure leaves the window.
    unlock_at = newest_first[limit - 1] + _window()
    return max(0, math.ceil((unlock_at - timezone.now()).total_seconds() / 60))


def _lifted(**key) -> datetime.datetime | None:
    return SignInLift.objects.filter(**key).aggregate(at=Max("at"))["at"]


def _counted(failures: QuerySet, lifted: datetime.datetime | None) -> QuerySet:
    failures = failures.filter(at__gte=timezone.now() - _window())
    return failures.filter(at__gt=lifted) if lifted is not None else failures


def _minutes(failures: QuerySet, lifted, limit: int) -> int:
    ats = _counted(failures, lifted).order_by("-at").values_list("at", flat=True)[:limit]
    return _minutes_left(list(ats), limit)


def _account_key(attempt: Attempt) -> dict:
    if attempt.account is not None:
        return {"account": attempt.account}
    return {"account__isnull": True, "username": attempt.name}


def _account_lifted(attempt: Attempt) -> datetime.datetime | None:
    if attempt.account is not None:
        return _lifted(account=attempt.account)
    return _lifted(account__isnull=True, username=attempt.name)


def minutes_blocked(attempt: Attempt) -> int:
    """Whole minutes until this browser may try a password for this account; 0 when free."""
    limit = settings.SIGNIN_MAX_FAILURES
    passwords = SignInFailure.objects.filter(kind=PASSWORD)
    lifted = _account_lifted(attempt)
    if attempt.device:
        own = passwords.filter(account=attempt.account, device=attempt.device)
        return _minutes(own, lifted, limit)
    account = _minutes(passwords.filter(device="", **_account_key(attempt)), lifted, limit)
    return max(account, address_minutes(attempt.ip))


def address_minutes(ip: str | None) -> int:
    if ip is None:
        return 0
    failures = SignInFailure.objects.filter(kind=PASSWORD, ip=ip)
    return _minutes(failures, _lifted(ip=ip), settings.SIGNIN_ADDRESS_MAX_FAILURES)


def code_minutes(attempt: Attempt) -> int:
    """Whole minutes until codes for the attempt's account may be tried again here.

    A browser known for the account counts its own wrong codes only, so that codes typed
    elsewhere (by someone who does not know the password, since the code step never tells)
    cannot stop the owner at her usual browser."""
    codes = SignInFailure.objects.filter(kind=CODE, account=attempt.account)
    lifted = _lifted(account=attempt.account)
    limit = settings.SIGNIN_MAX_FAILURES
    if attempt.device:
        return _minutes(codes.filter(device=attempt.device), lifted, limit)
    unknown = codes.filter(device="")
    from_here = _minutes(unknown.filter(ip=attempt.ip), lifted, limit)
    return max(from_here, _minutes(unknown, lifted, settings.SIGNIN_ADDRESS_MAX_FAILURES))


def note_failure(attempt: Attempt, kind: str = PASSWORD) -> None:
    SignInFailure.objects.filter(at__lt=timezone.now() - KEEP).delete()
    SignInFailure.objects.create(
        account=attempt.account,
        username=attempt.name,
        ip=attempt.ip,
        device=attempt.device,
        kind=kind,
    )


def lift(*, account: User | None = None, name: str = "", ip: str | None = None) -> SignInLift:
    """Lift the block on an account, a name without an account or an address (audited)."""
    if account is not None:
        return SignInLift.objects.create(account=account)
    if name:
        return SignInLift.objects.create(username=normalised(name))
    return SignInLift.objects.create(ip=ip)


# What administrators see -------------------------------------------------------------------


@dataclass
class Block:
    """A block in force: on an account (or a name without one) or on an address."""

    account: User | None = None
    name: str = ""
    ip: str | None = None
    failures: int = 0
    last_at: datetime.datetime | None = None
    minutes: int = 0
    addresses: list[str] = field(default_factory=list)


def _lifts_in_window() -> dict[tuple, datetime.datetime]:
    since = timezone.now() - _window()
    latest: dict[tuple, datetime.datetime] = {}
    rows = SignInLift.objects.filter(at__gte=since).values_list(
        "account_id", "username", "ip", "at"
    )
    for account_id, name, ip, at in rows:
        key = ("account", account_id) if account_id else ("name", name) if name else ("ip", ip)
        latest[key] = max(at, latest.get(key, at))
    return latest


def account_blocks(accounts: QuerySet, *, with_names: bool) -> list[Block]:
    """Blocks on ``accounts`` (and on names without an account when ``with_names``), most
    recent first: the failures that count, the last one's time, the minutes left."""
    since = timezone.now() - _window()
    wanted = Q(account__in=accounts.values("pk"))
    if with_names:
        wanted |= Q(account__isnull=True)
    rows = (
        SignInFailure.objects.filter(wanted, at__gte=since)
        .order_by("-at")
        .values_list("account_id", "username", "kind", "device", "ip", "at")
    )
    lifts = _lifts_in_window()
    groups: dict[tuple, list] = defaultdict(list)
    for account_id, name, kind, device, ip, at in rows:
        key = ("account", account_id) if account_id else ("name", name)
        lifted = lifts.get(key)
        if lifted is None or at > lifted:
            groups[key].append((kind, device, ip, at))
    blocks = []
    for key, failures in groups.items():
        # Wrong passwords block per browser (the unknown ones together); wrong codes from
        # unknown browsers stop the code step once there are as many as an address may make.
        by_device: dict[tuple, list] = defaultdict(list)
        for kind, device, _ip, at in failures:
            by_device[(kind, device)].append(at)
        minutes = max(
            _minutes_left(
                ats,
                settings.SIGNIN_ADDRESS_MAX_FAILURES
                if kind == CODE and not device
                else settings.SIGNIN_MAX_FAILURES,
            )
            for (kind, device), ats in by_device.items()
        )
        if not minutes:
            continue
        addresses = list(dict.fromkeys(ip for _k, _d, ip, _at in failures if ip))
        blocks.append(
            Block(
                account=key[1] if key[0] == "account" else None,
                name=key[1] if key[0] == "name" else "",
                failures=len(failures),
                last_at=failures[0][3],
                minutes=minutes,
                addresses=addresses[:5],
            )
        )
    found = User.objects.in_bulk([b.account for b in blocks if b.account is not None])
    for block in blocks:
        if block.account is not None:
            block.account = found[block.account]
    return sorted(blocks, key=lambda b: b.last_at, reverse=True)


def address_blocks() -> list[Block]:
    """Addresses blocked for too many failures, whatever the names typed."""
    since = timezone.now() - _window()
    rows = (
        SignInFailure.objects.filter(kind=PASSWORD, at__gte=since, ip__isnull=False)
        .order_by("-at")
        .values_list("ip", "username", "at")
    )
    lifts = _lifts_in_window()
    groups: dict[str, list] = defaultdict(list)
    for ip, name, at in rows:
        lifted = lifts.get(("ip", ip))
        if lifted is None or at > lifted:
            groups[ip].append((name, at))
    blocks = []
    for ip, failures in groups.items():
        minutes = _minutes_left([at for _n, at in failures], settings.SIGNIN_ADDRESS_MAX_FAILURES)
        if minutes:
            blocks.append(
                Block(ip=ip, failures=len(failures), last_at=failures[0][1], minutes=minutes)
            )
    return sorted(blocks, key=lambda b: b.last_at, reverse=True)
