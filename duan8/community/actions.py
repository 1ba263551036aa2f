"""Registering community models and keeping their status history; imports from Excel."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from duan8.community.models import CommunityModel, StatusChange
from duan8.core import audit, sheets
from duan8.geo import resolver
from duan8.geo.models import AdminUnit, UnitKind


@transaction.atomic
def save(model: CommunityModel) -> CommunityModel:
    """Create or change a model; its founding and dissolution enter its history."""
    creating = model.pk is None
    before = None if creating else CommunityModel.objects.get(pk=model.pk)
    model.full_clean()
    model.save()
    if creating:
        StatusChange.objects.create(model=model, on=model.established_on, status="active")
    elif before.established_on != model.established_on:
        founding = model.history.filter(status="active", on=before.established_on).first()
        if founding is not None:
            founding.on = model.established_on
            founding.save()
    if model.ended_on and (before is None or before.ended_on != model.ended_on):
        StatusChange.objects.create(model=model, on=model.ended_on, status="dissolved")
    elif before is not None and before.ended_on and not model.ended_on:
        StatusChange.objects.create(
            model=model, on=before.ended_on, status="active", note=_("Dissolution withdrawn")
        )
    return model


COLUMNS = [
    sheets.Column("unit", "Xã, thôn", aliases=("Đơn vị", "Xã", "Thôn, bản", "Mã đơn vị", "Unit")),
    sheets.Column("name", "Tên", aliases=("Tên mô hình", "Name")),
    sheets.Column("established_on", "Ngày thành lập", aliases=("Established on",)),
    sheets.Column("ended_on", "Ngày giải thể", required=False, aliases=("Ended on",)),
    sheets.Column("members_women", "Thành viên nữ", required=False, aliases=("Nữ",)),
    sheets.Column("members_men", "Thành viên nam", required=False, aliases=("Nam",)),
    *resolver.context_columns(),
]


def import_rows(upload, scope: AdminUnit, kind: str, day) -> list[CommunityModel]:
    """Validate every row, then store all models in one transaction, or refuse with every
    bad row, column and reason."""
    rows = sheets.read(upload, COLUMNS)
    names = resolver.for_scope(scope, [UnitKind.COMMUNE, UnitKind.VILLAGE])
    errors, planned = [], []

    def header(key):
        return sheets.header_of(COLUMNS, key)

    for row in rows:
        problems = []
        name = row.text("name")
        if not name or len(name) > 200:
            problems.append(
                sheets.RowError(
                    row.number,
                    header("name"),
                    _("the name is empty or longer than 200 characters."),
                )
            )
        dates = {}
        for key in ("established_on", "ended_on"):
            try:
                dates[key] = sheets.parse_date_cell(row.values.get(key))
            except ValueError:
                reason = sheets.date_problem(row.values.get(key))
                problems.append(sheets.RowError(row.number, header(key), reason))
        if "established_on" in dates and dates["established_on"] is None:
            problems.append(
                sheets.RowError(
                    row.number, header("established_on"), _("the establishment date is empty.")
                )
            )
        # The record's date picks the tree its unit is read on.
        found = names.resolve(
            row.text("unit"), dates.get("established_on") or day, resolver.context_of(row)
        )
        unit = found.unit
        if unit is None:  # the unit column comes first
            problems.insert(0, sheets.RowError(row.number, header("unit"), found.message))
        counts = {}
        for key in ("members_women", "members_men"):
            counts[key], problem = sheets.whole_number(row, key, header(key))
            if problem:
                problems.append(problem)
        if not problems:
            model = CommunityModel(kind=kind, unit=unit, name=name, **dates, **counts)
            try:
                model.full_clean()
            except Exception as exc:  # ValidationError: report each message on its column
                for field, messages in getattr(exc, "message_dict", {"": [str(exc)]}).items():
                    column = header(field) if field in {c.key for c in COLUMNS} else header("name")
                    problems += [sheets.RowError(row.number, column, m) for m in messages]
            else:
                planned.append(model)
        errors += problems
    if errors:
        raise sheets.ImportRefused(errors)
    with transaction.atomic():
        created = audit.bulk_create(planned)
        audit.bulk_create(
            [StatusChange(model=m, on=m.established_on, status="active") for m in created]
            + [
                StatusChange(model=m, on=m.ended_on, status="dissolved")
                for m in created
                if m.ended_on
            ]
        )
    return created
