"""Accounts in the API: the accounts an administrator manages (listed, read, created, changed),
a new password set for one, roles granted and removed, and the sign-in blocks listed and
lifted — the pages' forms, checks and audited writes (``duan8.accounts.views``).

The rules are the pages': an administrator manages the accounts whose every role lies in her
subtrees (``access.manageable_users``); roles are granted on units she administers; nobody
changes their own roles; a national administrator alone lifts blocks on names and addresses.
A token acts as its account and can do no more: it never sets its own account's password
(that is done signed in, on the password page), and no answer holds a password or a secret.
"""

import datetime
import ipaddress

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field, model_validator

from duan8.accounts import lockout, two_factor
from duan8.accounts.forms import AdminSetPasswordForm, MembershipForm, NewUserForm
from duan8.accounts.models import Membership, Role
from duan8.api.common import VERSION_HELP, Id, Pagination, expect_version
from duan8.api.errors import answers
from duan8.api.schemas import InputSchema, Message
from duan8.core import access, versions

router = Router(tags=["accounts"])


class RoleOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    role: str
    may_export_personal_data: bool

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj.unit.name


class AccountOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    phone: str
    is_active: bool
    last_login: datetime.datetime | None
    memberships: list[RoleOut]
    version: int = Field(description=VERSION_HELP)

    @staticmethod
    def resolve_memberships(obj) -> list:
        return sorted(obj.memberships.all(), key=lambda m: (m.unit.path, m.pk))

    @staticmethod
    def resolve_version(obj) -> int:
        return versions.of_listed(obj)


class AccountDetailOut(AccountOut):
    active_tokens: int = Field(description="API tokens of the account in use now.")
    two_step_sign_in: bool = Field(description="Whether the account signs in with a code too.")

    @staticmethod
    def resolve_active_tokens(obj) -> int:
        return obj.api_tokens.active().count()

    @staticmethod
    def resolve_two_step_sign_in(obj) -> bool:
        return two_factor.confirmed(obj) is not None


class AccountFilter(Schema):
    q: str = Field("", max_length=150, description="Part of the username or the full name.")


class RoleIn(InputSchema):
    unit: Id = Field(description="A unit you administer.")
    role: Role
    may_export_personal_data: bool = False


class AccountIn(InputSchema):
    username: str = Field(min_length=1, max_length=150)
    full_name: str = Field("", max_length=150)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=20)
    password: str = Field(
        min_length=1, max_length=128, description="The initial password; never shown again."
    )
    membership: RoleIn = Field(description="The account's first role.")


class AccountPatch(InputSchema):
    version: int | None = Field(None, ge=0, le=2**62, description=VERSION_HELP)
    full_name: str | None = Field(None, max_length=150)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=20)
    is_active: bool | None = Field(
        None, description="False: the account can no longer sign in; its tokens are revoked."
    )


class PasswordIn(InputSchema):
    password: str = Field(min_length=1, max_length=128)


def _refused(form) -> ValidationError:
    return ValidationError({name: list(problems) for name, problems in form.errors.items()})


def _account(request, user_id: int):
    """An account the token's user manages (403 for non-administrators, 404 otherwise)."""
    return access.get_user_or_404(request.auth, user_id)


def _with_roles(queryset):
    return versions.annotate(queryset.prefetch_related("memberships__unit"))


@router.get("/users", response=answers(list[AccountOut], 403), url_name="users")
@paginate(Pagination)
def account_list(request, filters: Query[AccountFilter]):
    """The accounts you manage (administrators): those whose every role lies in the units you
    administer, by username, with their roles."""
    access.require_administrator(request.auth)
    found = access.manageable_users(request.auth).order_by("username")
    query = filters.q.strip()
    if query:
        found = found.filter(username__icontains=query) | found.filter(full_name__icontains=query)
    return _with_roles(found)


@router.post(
    "/users",
    response=answers({201: AccountDetailOut}, 403, 404, 422),
    url_name="user_create",
)
def account_create(request, payload: AccountIn):
    """Create an account with its first role on a unit you administer (administrators). The
    username is unique whatever its capitals; the password must pass the password rules."""
    access.require_administrator(request.auth)
    units = access.scope_units(request.auth, access.Action.ADMINISTER)
    data = payload.dict()
    role = data.pop("membership")
    form = NewUserForm(data=data)
    membership_form = MembershipForm(data=role, units=units)
    valid = form.is_valid()
    if not membership_form.is_valid():
        problems = {f"membership.{n}": list(p) for n, p in membership_form.errors.items()}
        raise ValidationError({**{n: list(p) for n, p in form.errors.items()}, **problems})
    if not valid:
        raise _refused(form)
    with transaction.atomic():
        user = form.save(commit=False)
        user.set_password(form.cleaned_data["password"])
        user.save()
        Membership.objects.create(user=user, **membership_form.cleaned_data)
    return Status(201, _with_roles(type(user).objects.filter(pk=user.pk)).get())


@router.get("/users/{user_id}", response=answers(AccountDetailOut, 403, 404), url_name="user")
def account_detail(request, user_id: Id):
    """An account you manage, with its roles, its tokens in use and whether it signs in in two
    steps."""
    user = _account(request, user_id)
    return _with_roles(type(user).objects.filter(pk=user.pk)).get()


@router.patch(
    "/users/{user_id}",
    response=answers({200: AccountDetailOut, 409: dict, 428: Message}, 403, 404, 412, 422),
    url_name="user_update",
)
def account_update(request, user_id: Id, payload: AccountPatch):
    """Change an account's name, email, phone, or deactivate it (its tokens are revoked). Send
    the ``version`` you read."""
    user = _account(request, user_id)
    for field, value in expect_version(request, user, payload).items():
        if value is not None:
            setattr(user, field, value)
    user.full_clean()
    user.save()
    return _with_roles(type(user).objects.filter(pk=user.pk)).get()


@router.post(
    "/users/{user_id}/password",
    response=answers(Message, 403, 404, 422),
    url_name="user_password",
)
def account_password(request, user_id: Id, payload: PasswordIn):
    """Set a new password for an account you manage: its API tokens are revoked and any
    sign-in block on it lifted, as on the page. Not your own account: change your own password
    signed in, on the password page."""
    user = _account(request, user_id)
    if user.pk == request.auth.pk:
        raise HttpError(
            403, _("A token cannot set its own account's password: change it on the password page.")
        )
    form = AdminSetPasswordForm(
        user, data={"new_password1": payload.password, "new_password2": payload.password}
    )
    if not form.is_valid():
        problems = form.errors.get("new_password2", []) + form.errors.get("new_password1", [])
        raise ValidationError({"password": list(dict.fromkeys(problems))})
    with transaction.atomic():
        form.save()  # revokes the account's API tokens (User.save)
        lockout.lift(account=user)
    return {"detail": _("New password set for %(name)s.") % {"name": user.username}}


@router.post(
    "/users/{user_id}/memberships",
    response=answers({200: RoleOut, 201: RoleOut}, 403, 404, 422),
    url_name="membership_add",
)
def membership_add(request, user_id: Id, payload: RoleIn):
    """Grant an account you manage a role on a unit you administer (201), or change its role
    there (200). Nobody changes their own roles."""
    user = _account(request, user_id)
    if user.pk == request.auth.pk:
        raise HttpError(403, _("You cannot change your own roles."))
    units = access.scope_units(request.auth, access.Action.ADMINISTER)
    form = MembershipForm(data=payload.dict(), units=units)
    if not form.is_valid():
        raise _refused(form)
    membership, created = Membership.objects.update_or_create(
        user=user,
        unit=form.cleaned_data["unit"],
        defaults={
            "role": form.cleaned_data["role"],
            "may_export_personal_data": form.cleaned_data["may_export_personal_data"],
        },
    )
    return Status(201 if created else 200, membership)


@router.delete(
    "/memberships/{membership_id}",
    response=answers({204: None}, 403, 404),
    url_name="membership_delete",
)
def membership_delete(request, membership_id: Id):
    """Remove a role on a unit you administer. Nobody removes their own role."""
    membership = access.get_or_404(
        request.auth,
        Membership.objects.select_related("unit", "user"),
        access.Action.ADMINISTER,
        pk=membership_id,
    )
    if membership.user_id == request.auth.pk:
        raise HttpError(403, _("You cannot remove your own role."))
    membership.delete()
    return Status(204, None)


# Sign-in blocks ------------------------------------------------------------------------------


class BlockOut(Schema):
    account_id: int | None = Field(description="The blocked account; empty for a name or address.")
    username: str = Field(description="The account's username, or the name typed without one.")
    ip: str | None = Field(description="The blocked address (address blocks).")
    failures: int = Field(description="Failed sign-ins that count now.")
    last_at: datetime.datetime | None
    minutes: int = Field(description="Minutes until the block ends by itself.")
    addresses: list[str] = Field(description="Addresses the failures came from (at most 5).")

    @staticmethod
    def resolve_account_id(obj) -> int | None:
        return obj.account.pk if obj.account is not None else None

    @staticmethod
    def resolve_username(obj) -> str:
        return obj.account.username if obj.account is not None else obj.name


class BlocksOut(Schema):
    accounts: list[BlockOut] = Field(
        description="Blocked accounts you manage (and, for national administrators, names "
        "without an account)."
    )
    addresses: list[BlockOut] | None = Field(
        description="Blocked addresses (national administrators only; empty otherwise)."
    )


class LiftIn(InputSchema):
    account: Id | None = Field(None, description="An account you manage.")
    name: str | None = Field(
        None, min_length=1, max_length=150, description="A name without an account (national)."
    )
    ip: str | None = Field(None, min_length=1, max_length=45, description="An address (national).")

    @model_validator(mode="after")
    def _one_of(self):
        if sum(value is not None for value in (self.account, self.name, self.ip)) != 1:
            raise ValueError(_("Send one of: account, name, ip."))
        return self


@router.get("/sign-in-blocks", response=answers(BlocksOut, 403), url_name="sign_in_blocks")
def blocks(request):
    """Sign-in blocks in force (administrators): the accounts you manage blocked for failed
    sign-ins; for national administrators also names without an account and addresses."""
    access.require_administrator(request.auth)
    national = access.is_national_admin(request.auth)
    return {
        "accounts": lockout.account_blocks(
            access.manageable_users(request.auth), with_names=national
        ),
        "addresses": lockout.address_blocks() if national else None,
    }


@router.post(
    "/sign-in-blocks/lift",
    response=answers(Message, 403, 404, 422),
    url_name="sign_in_block_lift",
)
def block_lift(request, payload: LiftIn):
    """Lift a sign-in block (recorded in the audit trail): on an account you manage, or — for
    national administrators — on a name without an account or an address. Failures before it
    no longer count."""
    access.require_administrator(request.auth)
    if payload.account is not None:
        account = access.get_user_or_404(request.auth, payload.account)
        lockout.lift(account=account)
        what = account.username
    elif payload.name is not None:
        access.require_national_admin(request.auth)
        what = lockout.normalised(payload.name)
        lockout.lift(name=what)
    else:
        access.require_national_admin(request.auth)
        try:
            what = str(ipaddress.ip_address(payload.ip.strip()))
        except ValueError:
            raise HttpError(422, _("Not an IP address.")) from None
        lockout.lift(ip=what)
    return {"detail": _("Sign-in block on %(what)s lifted.") % {"what": what}}
