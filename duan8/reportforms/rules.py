"""Who reads, defines and fills report forms. Access is decided by ``core.access``: the
nation's forms are defined by national administrators, a province's own by the administrators
of that province; the nation's forms are read and filled by everyone signed in, a province's
by whoever works in it. A form is filled for a unit the user views (else 404), with the units
below it that the user views."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from duan8.core import access
from duan8.geo.models import AdminUnit, UnitKind
from duan8.reportforms.models import ReportForm


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def may_define(user, scope: AdminUnit | None) -> bool:
    """The nation's forms (``scope`` None): national administrators; a province's: its
    administrators."""
    if scope is None or scope.parent_id is None:
        return access.is_national_admin(user)
    return scope.kind == UnitKind.PROVINCE and access.can(user, access.Action.ADMINISTER, scope)


def reaches(user, scope: AdminUnit | None) -> bool:
    """The nation's forms are read by everyone signed in; a province's by whoever works in
    it."""
    if not _signed_in(user):
        return False
    return scope is None or scope.parent_id is None or access.works_within(user, scope)


def province_scopes(user):
    """The current provinces whose forms ``user`` defines."""
    provinces = AdminUnit.objects.filter(kind=UnitKind.PROVINCE).valid_on(timezone.localdate())
    return access.scope_units(user, access.Action.ADMINISTER, provinces).order_by("name")


def may_define_any(user) -> bool:
    return access.is_national_admin(user) or province_scopes(user).exists()


def readable_forms(user):
    """The nation's forms and those of the provinces ``user`` works in."""
    if not _signed_in(user):
        return ReportForm.objects.none()
    if access.is_national_admin(user):
        return ReportForm.objects.all()
    scopes = AdminUnit.objects.filter(
        pk__in=ReportForm.objects.filter(scope__isnull=False).values("scope_id").distinct()
    )
    allowed = [scope.pk for scope in scopes if reaches(user, scope)]
    return ReportForm.objects.filter(scope__isnull=True) | ReportForm.objects.filter(
        scope_id__in=allowed
    )


def get_form_or_404(user, pk, *, change: bool = False) -> ReportForm:
    """A form ``user`` reads (404 otherwise); with ``change``, one they define (403)."""
    form = ReportForm.objects.select_related("scope").filter(pk=access.clean_pk(pk)).first()
    if form is None or not reaches(user, form.scope):
        raise Http404
    if change and not may_define(user, form.scope):
        raise PermissionDenied
    return form


def get_scope_or_404(user, pk) -> AdminUnit | None:
    """The scope of a new form: None (the nation) for national administrators when ``pk`` is
    empty; else a unit ``user`` reads (404 otherwise) among those they define forms for
    (403 otherwise)."""
    if pk in (None, ""):
        if not access.is_national_admin(user):
            raise PermissionDenied
        return None
    scope = AdminUnit.objects.filter(pk=access.clean_pk(pk)).first()
    if scope is None or not reaches(user, scope):
        raise Http404
    if scope.parent_id is None:
        if not access.is_national_admin(user):
            raise PermissionDenied
        return None
    if not province_scopes(user).filter(pk=scope.pk).exists():
        raise PermissionDenied
    return scope


def get_unit_or_404(user, pk) -> AdminUnit:
    """The unit a form is filled for: one ``user`` views (404 otherwise)."""
    return access.get_unit_or_404(user, pk)


def default_unit(user, form: ReportForm) -> AdminUnit | None:
    """The unit a form opens on: its province, or the nation; else the broadest unit the
    user views."""
    from duan8.core.shell import default_unit as broadest

    candidate = form.scope
    if candidate is None:
        candidate = (
            AdminUnit.objects.filter(parent__isnull=True).order_by("-valid_from", "pk").first()
        )
    if candidate is not None and access.can(user, access.Action.VIEW, candidate):
        return candidate
    return broadest(user)
