"""Lock-out after repeated failed sign-ins, counted per username (existing or not)."""

from __future__ import annotations

import datetime
import math

from django.conf import settings
from django.utils import timezone

from duan8.accounts.models import SignInFailure


def _window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.SIGNIN_LOCK_MINUTES)


def _key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def minutes_locked(username: str) -> int:
    """Whole minutes until ``username`` may try again; 0 when not locked."""
    since = timezone.now() - _window()
    recent = list(
        SignInFailure.objects.filter(username=_key(username), at__gte=since)
        .order_by("-at")
        .values_list("at", flat=True)[: settings.SIGNIN_MAX_FAILURES]
    )
    if len(recent) < settings.SIGNIN_MAX_FAILURES:
        return 0
    # The lock ends when the oldest of these failures leaves the window.
    unlock_at = recent[-1] + _window()
    return max(1, math.ceil((unlock_at - timezone.now()).total_seconds() / 60))


def note_failure(username: str, ip: str | None) -> None:
    SignInFailure.objects.create(username=_key(username), ip=ip)


def clear(username: str) -> None:
    SignInFailure.objects.filter(username=_key(username)).delete()
