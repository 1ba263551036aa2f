"""The steps of a sign-in: the password, then — for accounts with two-step sign-in — the code.

The password step never signs in such an account: it keeps the account's id in the session for
``SIGNIN_CODE_MINUTES`` and the code step finishes the sign-in. Where the account is blocked
for this browser the password step still leads to the code step, without telling whether the
password was right: only the right password and a good code together let the owner in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import login

from duan8.accounts import devices
from duan8.accounts.models import User

PENDING = "duan8_signin_pending"


@dataclass
class Pending:
    user: User
    password_ok: bool
    backend: str
    tries: int
    next_url: str


def begin_code_step(
    request, user: User, *, password_ok: bool, backend: str, next_url: str = ""
) -> None:
    request.session[PENDING] = {
        "user": user.pk,
        "ok": password_ok,
        "backend": backend,
        "until": time.time() + settings.SIGNIN_CODE_MINUTES * 60,
        "tries": 0,
        "next": next_url,
    }


def pending(request) -> Pending | None:
    """The sign-in waiting for its code in this session; None when there is none or it is
    too old (then it is dropped)."""
    data = request.session.get(PENDING)
    if not isinstance(data, dict):
        return None
    user = User.objects.filter(pk=data.get("user"), is_active=True).first()
    if user is None or time.time() > data.get("until", 0):
        drop(request)
        return None
    return Pending(
        user=user,
        password_ok=bool(data.get("ok")),
        backend=data.get("backend", ""),
        tries=data.get("tries", 0),
        next_url=data.get("next", ""),
    )


def note_try(request) -> int:
    """Count one wrong code of the waiting sign-in; returns how many were tried."""
    data = request.session[PENDING]
    data["tries"] = data.get("tries", 0) + 1
    request.session[PENDING] = data
    return data["tries"]


def drop(request) -> None:
    request.session.pop(PENDING, None)


def complete(request, response, user: User, backend: str) -> None:
    """Sign ``user`` in and remember this browser for the account."""
    drop(request)
    login(request, user, backend=backend)
    devices.remember(request, response, user)
