from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from duan8.accounts import lockout
from duan8.accounts.forms import (
    AdminSetPasswordForm,
    MembershipForm,
    NewUserForm,
    SignInForm,
    UserForm,
)
from duan8.accounts.models import Membership
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
        login(request, form.get_user())
        return redirect(_safe_next(request, reverse("core:overview")))
    return render(
        request, "accounts/signin.html", {"form": form, "next": request.GET.get("next", "")}
    )


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
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect("core:overview")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def users(request):
    access.require_administrator(request.user)
    query = request.GET.get("q", "").strip()
    qs = access.manageable_users(request.user).order_by("username")
    if query:
        qs = qs.filter(username__icontains=query) | qs.filter(full_name__icontains=query)
    page = Paginator(qs.prefetch_related("memberships__unit"), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/users.html", {"page": page, "query": query})


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
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Changes saved."))
        return redirect("accounts:user", pk=user.pk)
    membership_form = MembershipForm(units=_administrable_here(request), prefix="m")
    history = AuditEvent.objects.for_object(user).newest_first()[:50]
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": user,
            "form": form,
            "memberships": access.scope(
                request.user, user.memberships.select_related("unit"), access.Action.ADMINISTER
            ),
            "membership_form": membership_form,
            "history": history,
        },
    )


@login_required
@sensitive_post_parameters()
def user_password(request, pk):
    user = access.get_user_or_404(request.user, pk)
    form = AdminSetPasswordForm(user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        lockout.clear(user.username)
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
            user=user, unit=form.cleaned_data["unit"], defaults={"role": form.cleaned_data["role"]}
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
