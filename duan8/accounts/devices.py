"""Browsers known for an account: where its owner has signed in before.

Each successful sign-in leaves (or renews) a signed, long-lived cookie naming the account, a
random id for this browser and a stamp of the account's password. A browser whose cookie
names the account, with the stamp of its current password, is known for it: a block on the
account for unknown browsers (``lockout``) does not apply there. Changing the password
forgets every browser. The cookie holds a few accounts, for a computer shared in an office.
"""

from __future__ import annotations

import json
import secrets

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

COOKIE = "duan8_device"
SALT = "duan8.accounts.devices"
ACCOUNTS_PER_BROWSER = 5


def _max_age() -> int:
    return settings.SIGNIN_DEVICE_DAYS * 24 * 3600


def _stamp(user) -> str:
    return salted_hmac(SALT, user.password, algorithm="sha256").hexdigest()[:20]


def _entries(request) -> list[tuple[int, str, str]]:
    raw = request.get_signed_cookie(COOKIE, default=None, salt=SALT, max_age=_max_age())
    if not raw:
        return []
    try:
        found = json.loads(raw)
    except ValueError:
        return []
    return [
        (entry[0], entry[1], entry[2])
        for entry in found
        if isinstance(entry, list)
        and len(entry) == 3
        and isinstance(entry[0], int)
        and all(isinstance(part, str) for part in entry[1:])
    ]


def known(request, user) -> str:
    """This browser's id for ``user`` when it has signed in to that account; else ""."""
    stamp = _stamp(user)
    for user_id, device, signed in _entries(request):
        if user_id == user.pk and constant_time_compare(signed, stamp):
            return device
    return ""


def remember(request, response, user) -> None:
    """After a sign-in: this browser is known for ``user`` for SIGNIN_DEVICE_DAYS more."""
    device = known(request, user) or secrets.token_hex(8)
    entries = [entry for entry in _entries(request) if entry[0] != user.pk]
    entries.append((user.pk, device, _stamp(user)))
    response.set_signed_cookie(
        COOKIE,
        json.dumps([list(entry) for entry in entries[-ACCOUNTS_PER_BROWSER:]]),
        salt=SALT,
        max_age=_max_age(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
