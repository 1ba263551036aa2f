"""Registering community models and keeping their status history; imports from Excel."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from duan8.community.models import CommunityModel, ModelKind, StatusChange
from duan8.core import audit, sheets
from duan8.geo import matching, paths, resolver
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
    sheets.Column("record", "Mã mô hình", required=False, aliases=("Record id",)),
    sheets.Column("kind_text", "Loại", required=False, aliases=("Kind",)),
    sheets.Column("unit", "Xã, thôn", aliases=("Đơn vị", "Xã", "Thôn, bản", "Mã đơn vị", "Unit")),
    sheets.Column("name", "Tên", aliases=("Tên mô hình", "Name")),
    sheets.Column("established_on", "Ngày thành lập", aliases=("Established on",)),
    sheets.Column("ended_on", "Ngày giải thể", required=False, aliases=("Ended on",)),
    sheets.Column("members_women", "Thành viên nữ", required=False, aliases=("Nữ",)),
    sheets.Column("members_men", "Thành viên nam", required=False, aliases=("Nam",)),
    *resolver.context_columns(),
]
# What an export writes, in the import's columns, so that the file imports back.
EXPORT_HEADERS = [c.header for c in COLUMNS]
FIELDS = ("unit", "name", "established_on", "ended_on", "members_women", "members_men")


def export_row(model: CommunityModel) -> list:
    """A model as a row of ``EXPORT_HEADERS``: the unit by its name, with the names above it
    (a village's commune, district, province), which is how the import reads it back."""
    unit = model.unit
    above = {}
    parent = unit.parent
    while parent is not None and parent.kind != UnitKind.NATION:
        above.setdefault(parent.kind, parent.name)
        parent = parent.parent
    return [
        model.pk,
        model.get_kind_display(),
        unit.name,
        model.name,
        model.established_on,
        model.ended_on,
        model.members_women,
        model.members_men,
        above.get(UnitKind.COMMUNE, ""),
        above.get(UnitKind.DISTRICT, ""),
        above.get(UnitKind.PROVINCE, ""),
    ]


class Imported(list):
    """The models an import created, with those it updated and the rows it skipped (models
    already registered, recognised by their id or by unit, name and establishment date)."""

    def __init__(self, created=(), updated=(), skipped=()) -> None:
        super().__init__(created)
        self.updated, self.skipped = list(updated), list(skipped)


def _natural_key(unit_id: int, name: str, established_on) -> tuple:
    return (unit_id, " ".join(name.casefold().split()), established_on)


def import_rows(upload, scope: AdminUnit, kind: str, day, *, existing: str = "skip") -> Imported:
    """Validate every row, then store all models in one transaction, or refuse with every
    bad row, column and reason. A row for a model already registered under ``scope`` (its id
    in "Mã mô hình", as an export writes it, or the same unit, name and establishment date)
    is skipped, or updated when ``existing`` is "update": never stored twice."""
    rows = sheets.read(upload, COLUMNS)
    names = resolver.for_scope(scope, [UnitKind.COMMUNE, UnitKind.VILLAGE])
    errors, planned, updates, skipped = [], [], [], []
    registered = CommunityModel.objects.filter(kind=kind).filter(
        paths.prefix_q("unit__path", scope.path)
    )
    by_key = {
        _natural_key(unit_id, name, established): pk
        for pk, unit_id, name, established in registered.values_list(
            "pk", "unit_id", "name", "established_on"
        )
    }
    ids = set(by_key.values())
    seen: dict[tuple, int] = {}
    kind_names = {matching.fold(kind), matching.fold(str(ModelKind(kind).label))}

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
        record = row.text("record")
        found_pk = None
        if row.text("kind_text") and matching.fold(row.text("kind_text")) not in kind_names:
            problems.append(
                sheets.RowError(
                    row.number,
                    header("kind_text"),
                    _("this row is a “%(kind)s”; import it with that kind chosen.")
                    % {"kind": row.text("kind_text")},
                )
            )
        if record:
            found_pk = int(record) if record.isdigit() and int(record) in ids else None
            if found_pk is None:
                problems.append(
                    sheets.RowError(
                        row.number,
                        header("record"),
                        _(
                            "no model of this kind has the id %(id)s here; leave it empty for "
                            "a new one."
                        )
                        % {"id": record},
                    )
                )
        if not problems:
            key = _natural_key(unit.pk, name, dates.get("established_on"))
            if found_pk is None:
                found_pk = by_key.get(key)
            if key in seen:
                problems.append(
                    sheets.RowError(
                        row.number,
                        header("name"),
                        _("the same model is already on row %(row)d.") % {"row": seen[key]},
                    )
                )
            seen.setdefault(key, row.number)
        if not problems and found_pk is not None:
            if existing != "update":
                skipped.append(row.number)
                continue
            model = CommunityModel.objects.get(pk=found_pk)
            # Only what the file holds: a column left out keeps the stored value.
            given = {"unit": unit, "name": name, **dates, **counts}
            for field, value in given.items():
                if field in row.values:
                    setattr(model, field, value)
            try:
                model.full_clean()
            except Exception as exc:  # ValidationError: each message on its column
                for field, messages in getattr(exc, "message_dict", {"": [str(exc)]}).items():
                    column = header(field) if field in {c.key for c in COLUMNS} else header("name")
                    problems += [sheets.RowError(row.number, column, m) for m in messages]
            else:
                updates.append(model)
        elif not problems:
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
        for model in updates:
            save(model)
        created = audit.bulk_create(planned)
        audit.bulk_create(
            [StatusChange(model=m, on=m.established_on, status="active") for m in created]
            + [
                StatusChange(model=m, on=m.ended_on, status="dissolved")
                for m in created
                if m.ended_on
            ]
        )
    return Imported(created, updates, skipped)
