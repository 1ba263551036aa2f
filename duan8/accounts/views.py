import ipaddress

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from duan8.accounts import devices, lockout, two_factor
from duan8.accounts import signin as steps
from duan8.accounts.forms import (
    AdminSetPasswordForm,
    CodeForm,
    DisableTwoFactorForm,
    MembershipForm,
    NewUserForm,
    SignInForm,
    TokenForm,
    UserForm,
)
from duan8.accounts.models import ApiToken, Membership, SecondFactor, SignInLift
from duan8.core import access
from duan8.core.models import AuditEvent
from duan8.core.shell import current_unit
from duan8.geo import paths


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def signin(request):
    if request.user.is_authenticated:
        return redirect("core:overview")
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = _safe_next(request, reverse("core:overview"))
        if form.pending is not None:
            user, password_ok, backend = form.pending
            steps.begin_code_step(
                request, user, password_ok=password_ok, backend=backend, next_url=target
            )
            return redirect("accounts:signin_code")
        user = form.get_user()
        response = redirect(target)
        steps.complete(request, response, user, user.backend)
        return response
    return render(
        request, "accounts/signin.html", {"form": form, "next": request.GET.get("next", "")}
    )


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def signin_code(request):
    """The second step of a sign-in with two-step sign-in: the code from the app."""
    if request.user.is_authenticated:
        return redirect("core:overview")
    waiting = steps.PENDING in request.session
    step = steps.pending(request)
    if step is None:
        if waiting:
            messages.error(request, _("The sign-in took too long. Please start again."))
        return redirect("accounts:signin")
    form = CodeForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        attempt = lockout.attempt_on(request, step.user)
        minutes = lockout.code_minutes(attempt)
        factor = two_factor.confirmed(step.user)
        if minutes:
            form.add_error(None, _code_blocked(minutes))
        elif step.password_ok and factor and two_factor.verify(factor, form.cleaned_data["code"]):
            response = redirect(step.next_url or reverse("core:overview"))
            steps.complete(request, response, step.user, step.backend)
            return response
        else:
            lockout.note_failure(attempt, lockout.CODE)
            if steps.note_try(request) >= settings.SIGNIN_MAX_FAILURES:
                steps.drop(request)
                messages.error(request, _("Too many wrong codes. Please start again."))
                return redirect("accounts:signin")
            form.add_error("code", _("This is not the right code, or the password was not right."))
    return render(request, "accounts/signin_code.html", {"form": form})


def _code_blocked(minutes: int) -> str:
    return _(
        "Too many wrong codes for this account. Try again in %(minutes)d minutes, or ask "
        "your administrator to lift the block."
    ) % {"minutes": minutes}


@require_POST
def signout(request):
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("accounts:signin")


@login_required
@sensitive_post_parameters()
def password_change(request):
    form = PasswordChangeForm(request.user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        had_tokens = request.user.api_tokens.active().exists()
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        if had_tokens:
            messages.info(request, _("Your API tokens were revoked with the old password."))
        response = redirect("core:overview")
        devices.remember(request, response, user)
        return response
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "can_use_two_factor": two_factor.may_enrol(request.user)},
    )


@login_required
def users(request):
    access.require_administrator(request.user)
    query = request.GET.get("q", "").strip()
    qs = access.manageable_users(request.user).order_by("username")
    if query:
        qs = qs.filter(username__icontains=query) | qs.filter(full_name__icontains=query)
    page = Paginator(qs.prefetch_related("memberships__unit"), 50).get_page(request.GET.get("page"))
    blocked = len(
        lockout.account_blocks(
            access.manageable_users(request.user),
            with_names=access.is_national_admin(request.user),
        )
    )
    return render(
        request, "accounts/users.html", {"page": page, "query": query, "blocked": blocked}
    )


def _administrable_here(request):
    """Units where the administrator may grant roles: the current unit and its children."""
    unit = current_unit(request)
    if unit is None:
        return access.scope_units(request.user, access.Action.ADMINISTER).none()
    candidates = access.scope_units(request.user, access.Action.ADMINISTER)
    return candidates.subtree(unit).filter(depth__lte=unit.depth + 1).in_tree_order()


@login_required
@sensitive_post_parameters("password")
def user_create(request):
    access.require_administrator(request.user)
    units = _administrable_here(request)
    form = NewUserForm(data=request.POST or None)
    membership_form = MembershipForm(data=request.POST or None, units=units, prefix="m")
    if request.method == "POST" and form.is_valid() and membership_form.is_valid():
        with transaction.atomic():
            user = form.save(commit=False)
            user.set_password(form.cleaned_data["password"])
            user.save()
            Membership.objects.create(user=user, **membership_form.cleaned_data)
        messages.success(request, _("Account %(name)s created.") % {"name": user.username})
        return redirect("accounts:user", pk=user.pk)
    return render(
        request, "accounts/user_create.html", {"form": form, "membership_form": membership_form}
    )


@login_required
def user_detail(request, pk):
    user = access.get_user_or_404(request.user, pk)
    form = UserForm(data=request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid() and form.saved():
        messages.success(request, _("Changes saved."))
        return redirect("accounts:user", pk=user.pk)
    membership_form = MembershipForm(units=_administrable_here(request), prefix="m")
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": user,
            "form": form,
            "active_tokens": user.api_tokens.active().count(),
            "second_factor": two_factor.confirmed(user),
            "memberships": access.scope(
                request.user, user.memberships.select_related("unit"), access.Action.ADMINISTER
            ),
            "membership_form": membership_form,
            "history": _account_history(user)[:50],
        },
    )


def _account_history(user):
    """What was done to an account: its own changes, its API tokens, its two-step sign-in
    and the sign-in blocks lifted on it."""
    related = Q()
    for model, ids in (
        (ApiToken, user.api_tokens.values_list("pk", flat=True)),
        (SecondFactor, SecondFactor.objects.filter(user=user).values_list("pk", flat=True)),
        (SignInLift, SignInLift.objects.filter(account=user).values_list("pk", flat=True)),
    ):
        related |= Q(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=[str(pk) for pk in ids],
        )
    own = AuditEvent.objects.for_object(user)
    return (own | AuditEvent.objects.filter(related)).newest_first()


@login_required
@sensitive_post_parameters()
def user_password(request, pk):
    user = access.get_user_or_404(request.user, pk)
    form = AdminSetPasswordForm(user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()  # revokes the account's API tokens (User.save)
            lockout.lift(account=user)
        if user == request.user:
            update_session_auth_hash(request, user)
        messages.success(request, _("New password set for %(name)s.") % {"name": user.username})
        return redirect("accounts:user", pk=user.pk)
    return render(request, "accounts/user_password.html", {"account": user, "form": form})


@login_required
@require_POST
def membership_add(request, pk):
    user = access.get_user_or_404(request.user, pk)
    form = MembershipForm(data=request.POST, units=_administrable_here(request), prefix="m")
    if user == request.user:
        messages.error(request, _("You cannot change your own roles."))
    elif form.is_valid():
        Membership.objects.update_or_create(
            user=user,
            unit=form.cleaned_data["unit"],
            defaults={
                "role": form.cleaned_data["role"],
                "may_export_personal_data": form.cleaned_data["may_export_personal_data"],
            },
        )
        messages.success(request, _("Role granted."))
    else:
        messages.error(request, _("The role could not be granted: choose a unit and a role."))
    return redirect("accounts:user", pk=user.pk)


@login_required
@require_POST
def membership_delete(request, pk):
    membership = access.get_or_404(
        request.user,
        Membership.objects.select_related("unit", "user"),
        access.Action.ADMINISTER,
        pk=pk,
    )
    if membership.user_id == request.user.pk:
        messages.error(request, _("You cannot remove your own role."))
    else:
        membership.delete()
        messages.success(request, _("Role removed."))
    return redirect("accounts:user", pk=membership.user_id)


@login_required
def audit_log(request):
    unit = current_unit(request)
    if unit is None:
        access.require_administrator(request.user)
    else:
        access.require(request.user, access.Action.ADMINISTER, unit)
    events = AuditEvent.objects.newest_first().select_related("content_type")
    everything = access.is_national_admin(request.user) and (unit is None or unit.parent_id is None)
    if not everything and unit is not None:
        events = events.filter(paths.prefix_q("unit_path", unit.path))
    source = request.GET.get("source", "")
    if source in AuditEvent.Source.values:
        events = events.filter(source=source)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_log.html",
        {"page": page, "unit": unit, "sources": AuditEvent.Source.choices, "source": source},
    )


# Two-step sign-in ---------------------------------------------------------------------------


@login_required
@never_cache
@sensitive_post_parameters()
def two_factor_page(request):
    """Set up, confirm or turn off two-step sign-in for one's own account."""
    user = request.user
    if not two_factor.may_enrol(user):
        raise PermissionDenied
    factor = SecondFactor.objects.filter(user=user).first()
    action = request.POST.get("action") if request.method == "POST" else None
    code_form = CodeForm(data=request.POST if action == "confirm" else None)
    disable_form = DisableTwoFactorForm(user, data=request.POST if action == "disable" else None)
    if action == "start" and (factor is None or not factor.confirmed):
        two_factor.start(user)
        return redirect("accounts:two_factor")
    if action == "cancel" and factor is not None and not factor.confirmed:
        two_factor.disable(factor)
        return redirect("accounts:two_factor")
    if action == "confirm" and factor is not None and not factor.confirmed:
        if code_form.is_valid() and two_factor.confirm(factor, code_form.cleaned_data["code"]):
            messages.success(request, _("Two-step sign-in is on."))
            return redirect("accounts:two_factor")
        code_form.add_error("code", _("This is not the right code. Check the time on your phone."))
    if action == "disable" and factor is not None and factor.confirmed:
        attempt = lockout.attempt_on(request, user)
        minutes = lockout.code_minutes(attempt)
        if minutes:
            disable_form.add_error(None, _code_blocked(minutes))
        elif disable_form.is_valid():
            two_factor.disable(factor)
            messages.success(request, _("Two-step sign-in is off."))
            return redirect("accounts:two_factor")
        else:
            lockout.note_failure(attempt, lockout.CODE)
    context = {"factor": factor, "code_form": code_form, "disable_form": disable_form}
    if factor is not None and not factor.confirmed:
        uri = two_factor.uri(factor)
        context.update(uri=uri, secret=two_factor.grouped_secret(factor), qr=two_factor.qr_svg(uri))
    return render(request, "accounts/two_factor.html", context)


# API tokens ---------------------------------------------------------------------------------

NEW_TOKEN = "duan8_new_token"


@login_required
@never_cache
def tokens(request):
    """One's own API tokens (create, revoke); an administrator's view of the tokens of an
    account she manages (``?user=``, revoke only)."""
    owner = request.user
    wanted = request.GET.get("user")
    if wanted and wanted != str(request.user.pk):
        owner = access.get_user_or_404(request.user, wanted)
    own = owner == request.user
    form = TokenForm(data=request.POST or None) if own else None
    if own and request.method == "POST" and form.is_valid():
        try:
            _token, raw = ApiToken.issue(
                owner, form.cleaned_data["name"], form.cleaned_data["days"]
            )
        except ValidationError as exc:
            form.add_error("days", exc)
        else:
            request.session[NEW_TOKEN] = raw
            return redirect("accounts:tokens")
    return render(
        request,
        "accounts/tokens.html",
        {
            "owner": owner,
            "own": own,
            "form": form,
            "tokens": owner.api_tokens.order_by("-created_at"),
            "new_secret": request.session.pop(NEW_TOKEN, None) if own else None,
        },
    )


@login_required
@require_POST
def token_revoke(request, pk):
    token = ApiToken.objects.select_related("user").filter(pk=access.clean_pk(pk)).first()
    if token is None:
        raise Http404
    own = token.user_id == request.user.pk
    if not own and not access.manageable_users(request.user).filter(pk=token.user_id).exists():
        raise Http404
    token.revoke()
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    if own:
        return redirect("accounts:tokens")
    return redirect(f"{reverse('accounts:tokens')}?user={token.user_id}")


# Sign-in blocks -----------------------------------------------------------------------------


@login_required
def blocks(request):
    """Accounts (and, for national administrators, addresses and unknown names) blocked for
    failed sign-ins, with a button to lift each block."""
    access.require_administrator(request.user)
    national = access.is_national_admin(request.user)
    return render(
        request,
        "accounts/blocks.html",
        {
            "accounts": lockout.account_blocks(
                access.manageable_users(request.user), with_names=national
            ),
            "addresses": lockout.address_blocks() if national else None,
        },
    )


@login_required
@require_POST
def block_lift(request):
    access.require_administrator(request.user)
    if request.POST.get("account"):
        account = access.get_user_or_404(request.user, request.POST["account"])
        lockout.lift(account=account)
        what = account.username
    elif request.POST.get("name"):
        access.require_national_admin(request.user)
        what = lockout.normalised(request.POST["name"])
        lockout.lift(name=what)
    else:
        access.require_national_admin(request.user)
        try:
            what = str(ipaddress.ip_address(request.POST.get("ip", "").strip()))
        except ValueError:
            raise Http404 from None
        lockout.lift(ip=what)
    messages.success(request, _("Sign-in block on %(what)s lifted.") % {"what": what})
    return redirect("accounts:blocks")
