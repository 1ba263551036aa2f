"""The JSON API under /api/v1/: what the pages offer, under the same access rules."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate

from duan8 import __version__
from duan8.api import errors
from duan8.api.auth import TokenAuth
from duan8.api.common import Id, Pagination, expect_version
from duan8.api.schemas import AuditEventOut, MeOut, Message, UnitPatch, UnitVersionedOut
from duan8.core import access, versions
from duan8.core.models import AuditEvent
from duan8.geo import paths
from duan8.geo.models import UnitKind

api = errors.DescribedNinjaAPI(
    title="duan8 API",
    version=__version__,
    description=(
        "Dự án 8 – bình đẳng giới. Authenticate with `Authorization: Bearer <token>`; "
        "issue a token with `duan8 token USERNAME`. Every answer is limited to the units "
        'the token\'s user may see. Errors answer `{"detail": ...}` in Vietnamese, or in '
        "English with `Accept-Language: en`."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": _("You may not do this here.")}, status=403)


@api.exception_handler(Http404)
def _missing(request, exc):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, {"detail": _("A valid API token is required.")}, status=401)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    detail = errors.http_error_detail(str(exc))
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def _invalid_input(request, exc):
    return api.create_response(request, errors.invalid_input(exc.errors), status=422)


@api.exception_handler(versions.Stale)
def _stale(request, exc):
    """A PATCH over a newer version: both values, and the version to send again."""
    return api.create_response(
        request, exc.as_dict(getattr(request, "sent_values", {})), status=409
    )


@api.exception_handler(ValidationError)
def _invalid_record(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(
        request, {"detail": _("The record is not valid."), "errors": errors}, status=422
    )


@api.get("/me", response=MeOut, url_name="me", tags=["accounts"])
def me(request):
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "is_national_admin": user.is_national_admin,
        "memberships": [
            {"unit_id": m.unit_id, "unit_name": m.unit.name, "role": m.role}
            for m in user.memberships.select_related("unit")
        ],
    }


class UnitFilter(Schema):
    kind: UnitKind | None = None
    parent: Id | None = None
    q: str | None = None
    on: datetime.date | None = None


@api.get("/units", response=list[UnitVersionedOut], url_name="units", tags=["geography"])
@paginate(Pagination)
def units(request, filters: Query[UnitFilter]):
    qs = access.scope_units(request.auth)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    if filters.q:
        qs = qs.search(filters.q)
    if filters.on:
        qs = qs.valid_on(filters.on)
    return versions.annotate(qs.in_tree_order())


@api.get(
    "/units/{unit_id}",
    response=errors.answers(UnitVersionedOut, 404),
    url_name="unit",
    tags=["geography"],
)
def unit(request, unit_id: Id):
    return access.get_unit_or_404(request.auth, unit_id)


@api.patch(
    "/units/{unit_id}",
    response=errors.answers({200: UnitVersionedOut, 409: dict, 428: Message}, 403, 404, 412, 422),
    url_name="unit_update",
    tags=["geography"],
)
def unit_update(request, unit_id: Id, payload: UnitPatch):
    unit = access.get_unit_or_404(request.auth, unit_id)
    access.require_unit_change(request.auth, unit)
    for field, value in expect_version(request, unit, payload).items():
        if value is None and field != "valid_until":
            continue
        setattr(unit, field, value)
    unit.full_clean()
    unit.save()
    return unit


@api.get(
    "/units/{unit_id}/history",
    response=errors.answers(list[AuditEventOut], 403, 404),
    url_name="unit_history",
    tags=["audit"],
)
@paginate(Pagination)
def unit_history(request, unit_id: Id):
    unit = access.get_unit_or_404(request.auth, unit_id, access.Action.ADMINISTER)
    return AuditEvent.objects.for_object(unit).newest_first().select_related("content_type")


@api.get(
    "/audit",
    response=errors.answers(list[AuditEventOut], 403, 404),
    url_name="audit",
    tags=["audit"],
)
@paginate(Pagination)
def audit_events(request, unit: Id):
    """Every audited change to records of a unit and its subtree, newest first."""
    root = access.get_unit_or_404(request.auth, unit, access.Action.ADMINISTER)
    return (
        AuditEvent.objects.filter(paths.prefix_q("unit_path", root.path))
        .newest_first()
        .select_related("content_type")
    )


from duan8.api.framework import router as framework_router  # noqa: E402
from duan8.api.geo import router as geo_router  # noqa: E402  (registers on the same API)

api.add_router("", geo_router)
from duan8.api.figures import router as figures_router  # noqa: E402
from duan8.api.records import router as records_router  # noqa: E402

api.add_router("", framework_router)
api.add_router("", records_router)
api.add_router("", figures_router)
from duan8.api.reports import router as reports_router  # noqa: E402

api.add_router("", reports_router)
from duan8.api.jobs import router as jobs_router  # noqa: E402

api.add_router("", jobs_router)
from duan8.api.finance import router as finance_router  # noqa: E402

api.add_router("", finance_router)
from duan8.api.maternal import router as maternal_router  # noqa: E402

api.add_router("", maternal_router)
from duan8.api.benefits import router as benefits_router  # noqa: E402

api.add_router("", benefits_router)
api.add_router("", "duan8.documents.api.router")
api.add_router("", "duan8.reportforms.api.router")
api.add_router("", "duan8.api.dhis2.router")
api.add_router("", "duan8.api.accounts.router")
