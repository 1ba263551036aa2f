"""Setting classifications one by one or from an Excel sheet."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duan8.core import sheets
from duan8.geo import resolver
from duan8.geo.models import AdminUnit, Classification, ClassificationKind

COLUMNS = [
    sheets.Column(
        "unit",
        "Đơn vị",
        aliases=("Xã", "Thôn, bản", "Mã đơn vị", "Unit"),
        help=gettext_lazy(
            "The commune or village: its official name, short name or code; when two units "
            "share a name, add the one above it after a comma or in the “Thuộc …” columns."
        ),
    ),
    sheets.Column(
        "kind",
        "Phân loại",
        aliases=("Loại", "Classification"),
        help=gettext_lazy("The classification, as listed (or its code)."),
    ),
    sheets.Column(
        "value",
        "Giá trị",
        required=False,
        aliases=("Khu vực", "Value"),
        help=gettext_lazy("I, II or III for a commune region; the level for new-rural status."),
    ),
    sheets.Column(
        "valid_from",
        "Hiệu lực từ",
        aliases=("Từ ngày", "Valid from"),
        help=gettext_lazy("The day it applies from (dd/mm/yyyy)."),
    ),
    sheets.Column(
        "valid_until",
        "Hiệu lực đến",
        required=False,
        aliases=("Đến ngày", "Valid until"),
        help=gettext_lazy("The first day it no longer applies, if it has ended."),
    ),
    sheets.Column(
        "legal_basis",
        "Căn cứ",
        required=False,
        aliases=("Căn cứ pháp lý", "Legal basis"),
        help=gettext_lazy(
            "The decision that sets it (Quyết định 861/QĐ-TTg ngày 04/6/2021); empty: the "
            "usual decision for that classification."
        ),
    ),
    *resolver.context_columns(),
]


def kind_from_text(text: str) -> str | None:
    """A classification kind from its code or its label in either language."""
    from duan8.core import roundtrip

    return roundtrip.choice_named(ClassificationKind, text)


EXPORT_NAME = "phan-loai.xlsx"


def listed(user, query, scope: AdminUnit):
    """Every classification of the units under ``scope`` that exist today (what its export
    lists), as a one-item tuple for a background export (``jobs.export_kind``)."""
    return (
        Classification.objects.filter(
            unit__in=AdminUnit.objects.subtree(scope)
            .valid_on(scope.reference_day())
            .exclude(kind="nation")
        ).order_by("unit__path", "kind", "valid_from"),
    )


def export_rows(found):
    """Classifications in the import's columns (the unit by name with the names above it):
    the file imports back."""
    from django.utils import translation

    with translation.override("vi"):
        labels = {value: str(label) for value, label in ClassificationKind.choices}
    found = list(
        found.values_list("unit_id", "kind", "value", "valid_from", "valid_until", "legal_basis")
    )
    units = resolver.context_table(row[0] for row in found)
    for unit_id, kind, value, valid_from, valid_until, legal_basis in found:
        name, above = units[unit_id]
        yield [name, labels[kind], value, valid_from, valid_until, legal_basis, *above]


def import_rows(
    upload, scope: AdminUnit, day: datetime.date, *, existing: str = "skip"
) -> list[Classification]:
    """Validate the whole sheet, then store every classification, or nothing. A row for a
    classification the unit already has (same kind and start date, as an export lists it)
    is skipped, or, when ``existing`` is "update", changes its value, end and basis."""
    from duan8.core import roundtrip

    rows = sheets.read(upload, COLUMNS)
    # Classifications are read on the import's day: one tree, every kind below the nation.
    names = resolver.Resolver(
        AdminUnit.objects.subtree(scope).valid_on(day).exclude(kind="nation"), within=scope
    )
    errors, planned, updated, skipped = [], [], [], []
    stored = {
        (c.unit_id, c.kind, c.valid_from): c
        for c in Classification.objects.filter(unit__path__startswith=scope.path)
    }

    header = sheets.headers(COLUMNS).__getitem__

    for row in rows:
        found = names.resolve(row.text("unit"), day, resolver.context_of(row))
        unit = found.unit
        if unit is None:
            errors.append(sheets.RowError(row.number, header("unit"), found.message))
            continue
        kind = kind_from_text(row.text("kind"))
        if kind is None:
            errors.append(sheets.RowError(row.number, header("kind"), _("unknown classification.")))
            continue
        try:
            valid_from = sheets.parse_date_cell(row.values.get("valid_from"))
            valid_until = sheets.parse_date_cell(row.values.get("valid_until"))
        except ValueError:
            errors.append(
                sheets.RowError(row.number, header("valid_from"), _("not a date (dd/mm/yyyy)."))
            )
            continue
        if valid_from is None:
            errors.append(
                sheets.RowError(row.number, header("valid_from"), _("the start date is empty."))
            )
            continue
        from duan8.geo.models.classification import DEFAULT_LEGAL_BASIS

        values = {
            "value": row.text("value"),
            "valid_until": valid_until,
            "legal_basis": row.text("legal_basis") or DEFAULT_LEGAL_BASIS.get(kind, ""),
        }
        item = stored.get((unit.pk, kind, valid_from))
        if item is not None:
            same = all(getattr(item, k) == v for k, v in values.items() if k in row.values)
            if same or existing != roundtrip.UPDATE:
                skipped.append(row.number)
                continue
            roundtrip.apply(item, values, row.values)
        else:
            item = Classification(unit=unit, kind=kind, valid_from=valid_from, **values)
        try:
            item.full_clean()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                column = header(field) if field in {c.key for c in COLUMNS} else header("kind")
                errors += [sheets.RowError(row.number, column, m) for m in messages]
            continue
        (planned if item.pk is None else updated).append(item)
    if errors:
        raise sheets.ImportRefused(errors)
    with transaction.atomic():
        for item in [*planned, *updated]:
            item.save()
    return roundtrip.Imported(planned, updated, skipped)
