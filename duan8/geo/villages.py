"""Villages (thôn, bản, tổ dân phố): added by unit administrators, carried across the reform."""

from __future__ import annotations

import datetime
import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duan8.core import sheets
from duan8.geo import matching, resolver
from duan8.geo.models import AdminUnit, Succession, UnitKind

NAME_MAX = 120
CARRIED_BASIS = "Theo xã kế thừa sau sắp xếp năm 2025"
COLUMNS = [
    sheets.Column(
        "commune",
        "Xã",
        aliases=("Xã, phường", "Tên xã", "Mã xã", "Commune"),
        help=gettext_lazy("The commune: its official name, short name or code."),
    ),
    sheets.Column(
        "village",
        "Thôn, bản",
        aliases=("Tên thôn", "Tên bản", "Thôn/bản", "Village"),
        help=gettext_lazy("The village's name as the commune writes it (Bản Nậm Chà, Thôn 3)."),
    ),
    sheets.Column(
        "in_district",
        "Thuộc huyện",
        required=False,
        aliases=("Huyện", "District"),
        help=gettext_lazy(
            "Optional: the commune's district (until 1/7/2025), when communes share a name."
        ),
    ),
    sheets.Column(
        "in_province",
        "Thuộc tỉnh",
        required=False,
        aliases=("Tỉnh", "Province"),
        help=gettext_lazy("Optional: the commune's province, when communes share a name."),
    ),
]


def village_type(name: str) -> str:
    first = name.split(" ", 1)[0]
    return (
        first if matching.fold(first) in {"thon", "ban", "to", "xom", "buon", "ap", "lang"} else ""
    )


def same_name(name: str) -> str:
    """What two spellings of one village's name share: the same letters and marks (in NFC),
    regardless of case and spacing — "Bản Nà" and "bản  nà" (or its decomposed form) are one
    village, "Bản Na" another."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def add(
    commune: AdminUnit, name: str, *, placeholder: bool = False, checked: bool = False
) -> AdminUnit:
    """Create a village under ``commune`` for the commune's whole life, then carry it forward.
    A name the commune already has (``same_name``) is refused, unless the caller ``checked``
    the whole list already (an import)."""
    name = " ".join(unicodedata.normalize("NFC", name).split())
    if not checked:
        key = same_name(name)
        names = AdminUnit.objects.filter(kind=UnitKind.VILLAGE, parent=commune).values_list(
            "name", flat=True
        )
        if any(same_name(other) == key for other in names):
            raise ValidationError(
                {
                    "name": _("%(commune)s already has a village named %(name)s.")
                    % {"commune": commune.name, "name": name}
                }
            )
    village = AdminUnit(
        kind=UnitKind.VILLAGE,
        code="",
        name=name,
        short_name=name,
        parent=commune,
        unit_type=village_type(name),
        valid_from=commune.valid_from,
        valid_until=commune.valid_until,
        placeholder=placeholder,
    )
    village.full_clean(exclude=["short_name"] if len(name) <= 120 else None)
    with transaction.atomic():
        village.save()
        carry_across(village)
    return village


def carry_across(village: AdminUnit) -> AdminUnit | None:
    """After the reform a village belongs to its commune's default successor.

    Creates that village (flagged for an administrator to confirm) once, linked by a
    succession; returns it, or None when the commune has no successor.
    """
    commune = village.parent
    if commune.valid_until is None or village.successor_links.exists():
        return None
    link = (
        commune.successor_links.select_related("successor")
        .order_by("-is_default", "successor__name")
        .first()
    )
    if link is None:
        return None
    successor = link.successor
    carried = AdminUnit.objects.create(
        kind=UnitKind.VILLAGE,
        code="",
        name=village.name,
        short_name=village.short_name,
        unit_type=village.unit_type,
        parent=successor,
        valid_from=successor.valid_from,
        valid_until=successor.valid_until,
        placeholder=village.placeholder,
        needs_review=True,
    )
    Succession.objects.create(
        predecessor=village,
        successor=carried,
        effective_on=successor.valid_from,
        legal_basis=CARRIED_BASIS,
    )
    carry_across(carried)
    return carried


def confirm(village: AdminUnit, commune: AdminUnit | None = None) -> AdminUnit:
    """An administrator confirms the commune a carried village belongs to, or moves it."""
    if commune is not None and commune.pk != village.parent_id:
        village.parent = commune
    village.needs_review = False
    village.full_clean()
    village.save()
    return village


def review_choices(user, village: AdminUnit):
    """Communes an administrator may place a carried village in: those of its province that
    were in force when the village began."""
    from duan8.core import access

    province = village.parent.province() if village.parent else None
    communes = AdminUnit.objects.filter(kind=UnitKind.COMMUNE).valid_on(village.valid_from)
    if province is not None:
        communes = communes.subtree(province)
    return access.scope_units(user, access.Action.ADMINISTER, communes).order_by("name")


def communes_for_import(scope: AdminUnit, day: datetime.date):
    return AdminUnit.objects.subtree(scope).filter(kind=UnitKind.COMMUNE).valid_on(day)


def import_rows(upload, scope: AdminUnit, day: datetime.date) -> tuple[list[AdminUnit], list[str]]:
    """Validate the whole sheet, then store every village in one transaction, or nothing.

    Returns the villages created (with ``skipped``: the rows of villages the commune already
    has, as an export imported back lists them) and notes on names matched approximately;
    raises ``sheets.ImportRefused`` with every bad row, column and reason.
    """
    rows = sheets.read(upload, COLUMNS)
    names = resolver.for_scope(scope, [UnitKind.COMMUNE])
    communes = list(communes_for_import(scope, day))
    existing = {
        (parent_id, matching.name_key(name))
        for parent_id, name in AdminUnit.objects.filter(
            kind=UnitKind.VILLAGE, parent__in=communes
        ).values_list("parent_id", "name")
    }
    errors, notes, planned, seen, skipped = [], [], [], set(), []
    commune_header = sheets.header_of(COLUMNS, "commune")
    village_header = sheets.header_of(COLUMNS, "village")
    for row in rows:
        commune_text, name = row.text("commune"), row.text("village")
        if not commune_text:
            errors.append(sheets.RowError(row.number, commune_header, _("the commune is empty.")))
            continue
        found = names.resolve(commune_text, day, resolver.context_of(row))
        commune = found.unit
        if commune is None:
            errors.append(sheets.RowError(row.number, commune_header, found.message))
            continue
        if found.status == "spelling":
            notes.append(
                _("Row %(row)d: “%(text)s” read as %(name)s.")
                % {"row": row.number, "text": commune_text, "name": commune.name}
            )
        if not name:
            errors.append(
                sheets.RowError(row.number, village_header, _("the village name is empty."))
            )
            continue
        if len(name) > NAME_MAX:
            errors.append(
                sheets.RowError(
                    row.number,
                    village_header,
                    _("the name is longer than %(n)d characters.") % {"n": NAME_MAX},
                )
            )
            continue
        key = (commune.pk, matching.name_key(name))
        if key in existing:  # already registered (an export imported back): never twice
            skipped.append(row.number)
            continue
        if key in seen:
            errors.append(
                sheets.RowError(row.number, village_header, _("this village is listed twice."))
            )
            continue
        seen.add(key)
        planned.append((commune, name))
    if errors:
        raise sheets.ImportRefused(errors)
    with transaction.atomic():
        created = [add(commune, name, checked=True) for commune, name in planned]
    from duan8.core import roundtrip

    return roundtrip.Imported(created, skipped=skipped), notes


EXPORT_NAME = "thon-ban.xlsx"


def listed(user, query, scope: AdminUnit):
    """The villages under ``scope`` today (what its export lists), as a one-item tuple for a
    background export (``jobs.export_kind``)."""
    return (
        AdminUnit.objects.subtree(scope)
        .valid_on(scope.reference_day())
        .filter(kind=UnitKind.VILLAGE)
        .order_by("path"),
    )


def export_rows(found):
    """Villages in the import's columns (commune, village, the commune's district and
    province): the file imports back unchanged."""
    found = list(found.values_list("name", "parent_id"))
    communes = resolver.context_table(parent for _name, parent in found)
    for name, parent in found:
        commune, (_commune, district, province) = communes[parent]
        yield [commune, name, district, province]
