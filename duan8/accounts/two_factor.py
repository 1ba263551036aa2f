"""Two-step sign-in with an authenticator app (TOTP, RFC 6238, through ``pyotp``).

Administrators (national and unit) may enrol: the page shows a secret and its ``otpauth://``
address (and a QR code of it), and the enrolment counts once a code from the app confirms it.
From then on the sign-in asks for a code after the password, and a good code lets the owner in
even from a browser the account is blocked for (``lockout``). Each code is accepted once.
"""

from __future__ import annotations

import pyotp
import segno
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.safestring import SafeString, mark_safe

from duan8.accounts.models import SecondFactor, User
from duan8.core import access

ISSUER = "duan8"
# Codes of the step before and after the current one are accepted (clocks drift).
DRIFT_STEPS = 1


def may_enrol(user: User) -> bool:
    """Administrators may set up two-step sign-in; whoever has it may manage it."""
    return access.may_administer_anything(user) or SecondFactor.objects.filter(user=user).exists()


def confirmed(user: User | None) -> SecondFactor | None:
    """The confirmed second factor of ``user``: sign-in then asks for its code."""
    if user is None or user.pk is None:
        return None
    return SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).first()


def start(user: User) -> SecondFactor:
    """A new secret for ``user``, waiting for a code to confirm it (replaces one waiting)."""
    with transaction.atomic():
        SecondFactor.objects.filter(user=user, confirmed_at__isnull=True).delete()
        return SecondFactor.objects.create(user=user, secret=pyotp.random_base32())


def confirm(factor: SecondFactor, code: str) -> bool:
    if not verify(factor, code):
        return False
    factor.refresh_from_db()  # keep the step ``verify`` stored: the code cannot serve again
    factor.confirmed_at = timezone.now()
    factor.save()
    return True


def disable(factor: SecondFactor) -> None:
    factor.delete()


def verify(factor: SecondFactor, code: str) -> bool:
    """Whether ``code`` is the app's code now (give or take a step), never accepting a code
    of a step already used: a code seen over someone's shoulder cannot be replayed."""
    code = "".join((code or "").split())
    if len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(factor.secret)
    now = totp.timecode(timezone.now())
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if constant_time_compare(totp.generate_otp(step), code):
            used = SecondFactor.objects.filter(pk=factor.pk, last_used_step__lt=step)
            return used.update(last_used_step=step) == 1
    return False


def uri(factor: SecondFactor) -> str:
    return pyotp.TOTP(factor.secret).provisioning_uri(name=factor.user.username, issuer_name=ISSUER)


def grouped_secret(factor: SecondFactor) -> str:
    """The secret in groups of four letters, as typed into an app by hand."""
    return " ".join(factor.secret[i : i + 4] for i in range(0, len(factor.secret), 4))


def qr_svg(text: str) -> SafeString:
    """An inline SVG QR code of ``text`` (drawn here: no image from elsewhere)."""
    return mark_safe(segno.make(text, error="m").svg_inline(scale=4, dark="#000", light="#fff"))  # noqa: S308
