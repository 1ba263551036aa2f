"""Geography endpoints: lineage, the tree as of a date, matching, villages, classifications,
and the project area."""

import datetime

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from duan8.api.common import VERSION_HELP, Id, expect_version
from duan8.api.errors import answers
from duan8.api.schemas import InputSchema, Message, UnitOut
from duan8.core import access, versions
from duan8.geo import areas, matching, resolver, timeline, villages
from duan8.geo.models import (
    AdminUnit,
    Classification,
    ClassificationKind,
    ProjectAreaEntry,
    UnitKind,
)

router = Router(tags=["geography"])


class LinkOut(Schema):
    unit: UnitOut
    effective_on: datetime.date
    is_default: bool
    share: float | None
    legal_basis: str


class LineageOut(Schema):
    predecessors: list[LinkOut]
    successors: list[LinkOut]


class WeightedUnitOut(Schema):
    unit: UnitOut
    weight: float


class CandidateOut(Schema):
    unit: UnitOut
    confidence: float
    reason: str


class MatchOut(Schema):
    text: str
    status: str
    unit: UnitOut | None = None
    message: str | None = None
    candidates: list[CandidateOut]


class VillageIn(InputSchema):
    model_config = {"str_strip_whitespace": True}

    name: str = Field(min_length=1, max_length=120)


class ReviewIn(InputSchema):
    commune: Id


class ClassificationOut(Schema):
    id: int
    unit_id: int
    kind: str
    value: str
    valid_from: datetime.date
    valid_until: datetime.date | None
    legal_basis: str
    note: str


class ClassificationIn(InputSchema):
    kind: ClassificationKind
    value: str = Field("", max_length=60)
    valid_from: datetime.date
    valid_until: datetime.date | None = None
    legal_basis: str = Field("", max_length=200)
    note: str = Field("", max_length=200)


class EntryOut(Schema):
    id: int
    year: int
    unit: UnitOut
    included: bool
    origin: str
    version: int = Field(description=VERSION_HELP)

    @staticmethod
    def resolve_version(obj) -> int:
        return versions.of_listed(obj)


class LineOut(Schema):
    commune: UnitOut
    included: bool
    village_count: int
    villages: list[EntryOut]


class AreaOut(Schema):
    year: int
    communes: int
    villages: int
    lines: list[LineOut]


class ProposeIn(InputSchema):
    unit: Id
    year: int = Field(ge=2000, le=2100)


class EntryIn(InputSchema):
    included: bool
    version: int | None = Field(None, ge=0, le=2**62, description=VERSION_HELP)


class AreaAddIn(InputSchema):
    unit: Id
    year: int = Field(ge=2000, le=2100)


def _link(link, unit) -> dict:
    share = float(link.share) if link.share is not None else None
    return {
        "unit": unit,
        "effective_on": link.effective_on,
        "is_default": link.is_default,
        "share": share,
        "legal_basis": link.legal_basis,
    }


@router.get("/units/{unit_id}/lineage", response=answers(LineageOut, 404), url_name="unit_lineage")
def unit_lineage(request, unit_id: Id):
    """The units this one came from and went into, with dates and legal basis."""
    unit = access.get_unit_or_404(request.auth, unit_id)
    return {
        "predecessors": [_link(link, link.predecessor) for link in timeline.predecessors(unit)],
        "successors": [_link(link, link.successor) for link in timeline.successors(unit)],
    }


@router.get(
    "/units/{unit_id}/as-of",
    response=answers(list[WeightedUnitOut], 404),
    url_name="unit_as_of",
)
def unit_as_of(request, unit_id: Id, on: datetime.date):
    """The unit(s) that stand for this one on another date, with the weight of each."""
    unit = access.get_unit_or_404(request.auth, unit_id)
    parts = timeline.map_to_date([unit], on).get(unit.pk, [])
    return [{"unit": u, "weight": float(w)} for u, w in parts]


class MatchQuery(Schema):
    name: str = Field(min_length=1, max_length=200)
    within: Id | None = None
    kind: UnitKind | None = None
    on: datetime.date | None = None


MATCH_POOL = 20_000
_too_many = gettext_lazy("Too many units to compare; narrow the search with `within` or `kind`.")


@router.get("/match", response=answers(MatchOut, 404, 422), url_name="match")
def match(request, query: Query[MatchQuery]):
    """The unit a name from a spreadsheet or document stands for on a date (``on``, default
    today), read as every import reads it (``geo.resolver``): an official code, the full name
    with diacritics, or a name with context after commas ("xa mu sang, h. phong tho").

    ``status``: exact (``unit`` is the unit), fuzzy (``unit``, written without or with other
    diacritics), ambiguous (several: nothing is picked), similar (close names offered, nothing
    picked), ended (the unit named no longer existed on that day: ``message`` names its
    successor) or none. ``candidates`` come with a confidence each.
    """
    units = access.scope_units(request.auth)
    if query.within is not None:
        units = units.subtree(access.get_unit_or_404(request.auth, query.within))
    if query.kind:
        units = units.filter(kind=query.kind)
    written, _context = resolver.split_context(query.name)
    pool = list(
        units.filter(matching.prefilter(written) | Q(code=written.strip()))
        .select_related("parent")
        .order_by("pk")[: MATCH_POOL + 1]
    )
    if len(pool) > MATCH_POOL:
        return Status(422, {"detail": str(_too_many)})
    found = resolver.Resolver(pool).resolve(query.name, query.on or timezone.localdate())
    candidates = found.candidates if found.candidates else ([found.unit] if found.unit else [])
    scored = []
    for unit in candidates[:10]:
        if unit.code and written.strip() == unit.code:
            confidence, reason = 1.0, "code"
        else:
            score = matching.score(written, unit)
            # Below the scorer's threshold: a name offered only through the resolver's wider
            # look (similar letters, or context), with the plain ratio of the two names.
            confidence, reason = (
                (score.confidence, score.reason)
                if score
                else (round(matching.similarity(written, unit) * matching.SAME_KEY, 3), "similar")
            )
        scored.append({"unit": unit, "confidence": confidence, "reason": reason})
    return {
        "text": query.name,
        "status": {"spelling": "fuzzy"}.get(found.status, found.status),
        "unit": found.unit,
        "message": found.message,
        "candidates": scored,
    }


@router.get("/units/{unit_id}/villages", response=answers(list[UnitOut], 404), url_name="villages")
def village_list(request, unit_id: Id):
    commune = access.get_unit_or_404(request.auth, unit_id)
    return commune.children.filter(kind=UnitKind.VILLAGE).order_by("name")


@router.post(
    "/units/{unit_id}/villages",
    response=answers({201: UnitOut}, 403, 404, 422),
    url_name="village_create",
)
def village_create(request, unit_id: Id, payload: VillageIn):
    commune = access.get_unit_or_404(request.auth, unit_id, access.Action.ADMINISTER)
    if commune.kind != UnitKind.COMMUNE:
        return Status(422, {"detail": _("Villages are added under a commune.")})
    return Status(201, villages.add(commune, payload.name.strip()))


@router.post(
    "/units/{unit_id}/review",
    response=answers(UnitOut, 403, 404, 422),
    url_name="village_review",
)
def village_review(request, unit_id: Id, payload: ReviewIn):
    """Confirm (or change) the commune a village was placed in after the reform."""
    village = access.get_unit_or_404(request.auth, unit_id, access.Action.ADMINISTER)
    if village.kind != UnitKind.VILLAGE or not village.needs_review:
        return Status(422, {"detail": _("Only a village carried across the reform is reviewed.")})
    commune = villages.review_choices(request.auth, village).filter(pk=payload.commune).first()
    if commune is None:
        return Status(
            422, {"detail": _("Choose a commune in force at the same time as the village.")}
        )
    return villages.confirm(village, commune)


@router.get(
    "/units/{unit_id}/classifications",
    response=answers(list[ClassificationOut], 404),
    url_name="classifications",
)
def classification_list(request, unit_id: Id):
    return access.get_unit_or_404(request.auth, unit_id).classifications.all()


@router.post(
    "/units/{unit_id}/classifications",
    response=answers({201: ClassificationOut}, 403, 404, 422),
    url_name="classification_create",
)
def classification_create(request, unit_id: Id, payload: ClassificationIn):
    from duan8.geo.models.classification import DEFAULT_LEGAL_BASIS

    unit = access.get_unit_or_404(request.auth, unit_id)
    access.require_on_province(request.auth, access.Action.ADMINISTER, unit)
    data = payload.dict()
    data["legal_basis"] = data["legal_basis"] or DEFAULT_LEGAL_BASIS.get(data["kind"], "")
    item = Classification(unit=unit, **data)
    item.full_clean()
    item.save()
    return Status(201, item)


@router.delete(
    "/classifications/{item_id}",
    response=answers({204: None}, 403, 404),
    url_name="classification_delete",
)
def classification_delete(request, item_id: Id):
    item = access.get_or_404(
        request.auth, Classification.objects.select_related("unit"), pk=item_id
    )
    access.require_on_province(request.auth, access.Action.ADMINISTER, item.unit)
    item.delete()
    return Status(204, None)


def _require_province_editor(user, unit: AdminUnit) -> None:
    access.require_on_province(user, access.Action.EDIT, unit)


def _area(root: AdminUnit, year: int) -> dict:
    summary = areas.summary(root, year)
    versions.attach([entry for line in summary.lines for entry in line.villages])
    return {
        "year": year,
        "communes": summary.commune_count,
        "villages": summary.village_count,
        "lines": [
            {
                "commune": line.commune,
                "included": line.included,
                "village_count": line.village_count,
                "villages": line.villages,
            }
            for line in summary.lines
        ],
    }


@router.get("/project-area", response=answers(AreaOut, 404), url_name="project_area")
def project_area(request, unit: Id, year: int = Query(..., ge=2000, le=2100)):
    """The year's project area under a unit: communes, and villages by commune."""
    return _area(access.get_unit_or_404(request.auth, unit), year)


@router.post(
    "/project-area/propose", response=answers(AreaOut, 403, 404), url_name="project_area_propose"
)
def project_area_propose(request, payload: ProposeIn):
    root = access.get_unit_or_404(request.auth, payload.unit)
    _require_province_editor(request.auth, root)
    areas.propose(root, payload.year)
    return _area(root, payload.year)


@router.post(
    "/project-area/entries",
    response=answers({201: EntryOut}, 403, 404),
    url_name="project_area_add",
)
def project_area_add(request, payload: AreaAddIn):
    unit = access.get_unit_or_404(request.auth, payload.unit)
    _require_province_editor(request.auth, unit)
    if unit.kind not in (UnitKind.COMMUNE, UnitKind.VILLAGE):
        raise Http404
    entry, _created = ProjectAreaEntry.objects.update_or_create(
        year=payload.year,
        unit=unit,
        defaults={"included": True, "origin": ProjectAreaEntry.Origin.MANUAL},
    )
    return Status(201, entry)


@router.patch(
    "/project-area/entries/{entry_id}",
    response=answers({200: EntryOut, 409: dict, 428: Message}, 403, 404, 412),
    url_name="project_area_entry",
)
def project_area_entry(request, entry_id: Id, payload: EntryIn):
    entry = access.get_or_404(
        request.auth, ProjectAreaEntry.objects.select_related("unit"), pk=entry_id
    )
    _require_province_editor(request.auth, entry.unit)
    expect_version(request, entry, payload)
    entry.included = payload.included
    entry.save()
    return entry
