from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duan8.core.audit import AuditedModel


class Role(models.TextChoices):
    """Roles a membership grants on a unit and its whole subtree, weakest first."""

    VIEWER = "viewer", _("Viewer")
    EDITOR = "editor", _("Editor")
    APPROVER = "approver", _("Approver")
    UNIT_ADMIN = "unit_admin", _("Unit administrator")


ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.APPROVER: 3, Role.UNIT_ADMIN: 4}


class UserManager(DjangoUserManager):
    def named(self, username: str) -> models.QuerySet:
        """The account called ``username`` whatever its case ("Admin" finds "admin")."""
        return self.filter(username__iexact=(username or "").strip())

    def get_by_natural_key(self, username):
        # Sign-in (Django's ModelBackend) finds the account regardless of case; usernames are
        # unique regardless of case (the constraint below), so at most one matches.
        return self.named(username).get()


class User(AuditedModel, AbstractUser):
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_national_admin = models.BooleanField(
        _("national administrator"),
        default=False,
        help_text=_("Sees and manages every unit, the framework and all accounts."),
    )

    objects = UserManager()
    audit_exclude = frozenset({"last_login", "first_name", "last_name"})
    audit_masked = frozenset({"password"})

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("username"),
                name="accounts_username_unique_any_case",
                violation_error_message=_(
                    "An account with this username already exists (usernames do not "
                    "distinguish capital letters)."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        """Every path that sets a new password (the user's own change, an administrator's
        reset, the command line) or deactivates the account revokes the account's API
        tokens, in the same transaction."""
        with transaction.atomic():
            revoke = self._ends_api_access(kwargs.get("update_fields"))
            super().save(*args, **kwargs)
            if revoke:
                for token in self.api_tokens.filter(revoked_at__isnull=True):
                    token.revoke()

    def _ends_api_access(self, update_fields) -> bool:
        if self._state.adding or self.pk is None:
            return False
        fields = set(update_fields) if update_fields is not None else None
        # ``set_password`` keeps the new password until the save (a hash upgraded at sign-in
        # does not: it is the same password).
        if self._password is not None and (fields is None or "password" in fields):
            return True
        if self.is_active or (fields is not None and "is_active" not in fields):
            return False
        return type(self)._base_manager.filter(pk=self.pk, is_active=True).exists()

    def display_name(self) -> str:
        return self.full_name or self.username


class Membership(AuditedModel):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("unit"),
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    # Decree 13/2023/NĐ-CP: taking personal data (citizen IDs, phones) out of the system is a
    # permission of its own, granted by the unit's administrators apart from the role.
    may_export_personal_data = models.BooleanField(
        _("may export personal data"),
        default=False,
        help_text=_(
            "Export lists with citizen IDs and phone numbers of the unit's people (Excel, "
            "API). Every export is logged with its purpose."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="accounts_one_role_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.unit}"

    def audit_unit(self):
        return self.unit

    @property
    def rank(self) -> int:
        return ROLE_RANK[Role(self.role)]


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        """Tokens that open the API now: not revoked, not expired, of an active account."""
        return self.filter(
            revoked_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True
        )


class TokenState(models.TextChoices):
    ACTIVE = "active", _("In use")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


LAST_USED_STEP = datetime.timedelta(minutes=1)  # how precisely a token's last use is kept


class ApiToken(AuditedModel):
    """A per-user secret for the API. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()
    audit_exclude = frozenset({"last_used_at", "digest"})

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
        """Create a token valid for ``days`` (``API_TOKEN_DAYS`` unless given) and return it
        with its secret, which is shown only once."""
        days = settings.API_TOKEN_DAYS if days is None else days
        if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
            raise ValidationError(
                _("A token is valid for 1 to %(max)d days."),
                code="days",
                params={"max": settings.API_TOKEN_MAX_DAYS},
            )
        raw = settings.API_TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            prefix=raw[:10],
            digest=_digest(raw),
            expires_at=timezone.now() + datetime.timedelta(days=days),
        )
        return token, raw

    @classmethod
    def authenticate(cls, raw: str) -> User | None:
        token = cls.objects.active().select_related("user").filter(digest=_digest(raw)).first()
        if token is None:
            return None
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_STEP:
            # Written at most once a minute: a script reading page after page does not turn
            # every read into a write (a commit, and a lock on this row for its other requests);
            # of requests arriving together, the first one writes.
            stale = models.Q(last_used_at__isnull=True) | models.Q(
                last_used_at__lte=now - LAST_USED_STEP
            )
            cls.objects.filter(stale, pk=token.pk).update(last_used_at=now)
        return token.user

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save()

    @property
    def state(self) -> TokenState:
        if self.revoked_at is not None:
            return TokenState.REVOKED
        if self.expires_at <= timezone.now():
            return TokenState.EXPIRED
        return TokenState.ACTIVE

    def get_state_display(self) -> str:
        return self.state.label


class SignInFailure(models.Model):
    """A failed sign-in or a wrong authentication code (``duan8.accounts.lockout``).

    Operational state, not audited: it is written by people who are not signed in.
    """

    class Kind(models.TextChoices):
        PASSWORD = "password", _("password")
        CODE = "code", _("authentication code")

    # The account whose name was typed (whatever its case); none for a name without one.
    account = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The name as typed, trimmed and lower-cased.
    username = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # The browser's id when it is known for the account (``devices``), else empty.
    device = models.CharField(max_length=32, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PASSWORD)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        indexes = [
            models.Index(fields=["account", "at"], name="accounts_failure_account_at"),
            models.Index(fields=["username", "at"], name="accounts_failure_name_at"),
            models.Index(fields=["ip", "at"], name="accounts_failure_ip_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.at:%d/%m/%Y %H:%M}"


class SignInLift(AuditedModel):
    """An administrator lifted a sign-in block: failures before it no longer count.

    Names one of: an account, a name without an account, an address.
    """

    account = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("account"),
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("lifted sign-in block")
        verbose_name_plural = _("lifted sign-in blocks")

    def __str__(self) -> str:
        if self.account_id is not None:
            return self.account.username
        return self.username or str(self.ip)


class SecondFactor(AuditedModel):
    """A user's authenticator app (TOTP, RFC 6238): once confirmed, sign-in asks for its code.

    The secret is kept as the app has it (a code cannot be checked against a hash); the audit
    trail shows it masked.
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="second_factor", verbose_name=_("user")
    )
    secret = models.CharField(_("secret"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # The last time step whose code was accepted: a code is never accepted twice.
    last_used_step = models.BigIntegerField(default=0)

    audit_masked = frozenset({"secret"})
    audit_exclude = frozenset({"last_used_step"})

    class Meta:
        verbose_name = _("two-step sign-in")
        verbose_name_plural = _("two-step sign-ins")

    def __str__(self) -> str:
        return self.user.username

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None
