"""Registering community models and keeping their status history; imports from Excel."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duan8.community.models import CommunityModel, ModelKind, StatusChange
from duan8.core import audit, roundtrip, sheets
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
    roundtrip.id_column(
        "Mã mô hình",
        gettext_lazy(
            "Leave empty for a new model. An export fills in each model's id: importing the "
            "row again then updates or skips that model, never stores it twice."
        ),
    ),
    roundtrip.kind_column(),
    sheets.Column(
        "unit",
        "Xã, thôn",
        aliases=("Đơn vị", "Xã", "Thôn, bản", "Mã đơn vị", "Unit"),
        help=gettext_lazy(
            "The commune or village where it works: its official name (Xã Nậm Chà), its short "
            "name or its code. When two units share a name, add the one above it after a "
            "comma or in the “Thuộc …” columns."
        ),
    ),
    sheets.Column(
        "name",
        "Tên",
        aliases=("Tên mô hình", "Name"),
        help=gettext_lazy("The model's name (at most 200 characters)."),
    ),
    sheets.Column(
        "established_on",
        "Ngày thành lập",
        aliases=("Established on",),
        help=gettext_lazy(
            "The day it was founded (dd/mm/yyyy); its unit is read on the units of that day."
        ),
    ),
    sheets.Column(
        "ended_on",
        "Ngày giải thể",
        required=False,
        aliases=("Ended on",),
        help=gettext_lazy("The day it stopped working, if it did: after the founding day."),
    ),
    sheets.Column(
        "members_women",
        "Thành viên nữ",
        required=False,
        aliases=("Nữ",),
        help=gettext_lazy("Women members: a whole number, 0 or more (empty: 0)."),
    ),
    sheets.Column(
        "members_men",
        "Thành viên nam",
        required=False,
        aliases=("Nam",),
        help=gettext_lazy("Men members: a whole number, 0 or more (empty: 0)."),
    ),
    *resolver.context_columns(),
]
# What an export writes, in the import's columns, so that the file imports back.
EXPORT_HEADERS = [c.header for c in COLUMNS]
FIELDS = ("unit", "name", "established_on", "ended_on", "members_women", "members_men")


def export_rows(records):
    """Models as rows of ``EXPORT_HEADERS``: the unit by its name, with the names above it (a
    village's commune, district, province), which is how the import reads it back."""
    return roundtrip.exported(records, list(FIELDS[1:]), ModelKind)


def import_rows(
    upload,
    scope: AdminUnit,
    kind: str,
    day,
    *,
    existing: str = roundtrip.SKIP,
    progress: sheets.ProgressFn | None = None,
) -> roundtrip.Imported:
    """Validate every row, then store all models in one transaction, or refuse with every
    bad row, column and reason. A row for a model already registered under ``scope`` (its id
    in "Mã mô hình", as an export writes it, or the same unit, name and establishment date)
    is skipped, or updated when ``existing`` is "update": never stored twice. ``progress``
    hears how far it got (a background job's bar)."""
    progress = progress or sheets.no_progress
    progress("reading")
    rows = sheets.read(upload, COLUMNS)
    names = resolver.for_scope(scope, [UnitKind.COMMUNE, UnitKind.VILLAGE])
    errors, skipped = [], []
    known = roundtrip.Registered.under(
        CommunityModel.objects.filter(kind=kind),
        scope,
        name="name",
        day="established_on",
        columns=COLUMNS,
    )
    kinds = roundtrip.kind_names(kind, ModelKind(kind).label)
    checked = roundtrip.Checked(CommunityModel, COLUMNS, "name")

    header = sheets.headers(COLUMNS).__getitem__

    for done, row in enumerate(rows):
        if done % 1000 == 0:
            progress("checking", done, len(rows))
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
        dates, bad_dates = sheets.date_cells(row, ("established_on", "ended_on"), header)
        problems += bad_dates
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
        if known.skips_former(row, found, name, dates.get("established_on"), existing):
            skipped.append(row.number)
            continue
        if unit is None:  # the unit column comes first
            problems.insert(0, sheets.RowError(row.number, header("unit"), found.message))
        counts = {}
        for key in ("members_women", "members_men"):
            counts[key], problem = sheets.whole_number(row, key, header(key))
            if problem:
                problems.append(problem)
        wrong_kind = roundtrip.kind_problem(row, header("kind_text"), kinds)
        if wrong_kind:
            problems.append(wrong_kind)
        found_pk = None
        if not problems:
            key = (unit.pk, roundtrip.text_key(name), dates.get("established_on"))
            found_pk, duplicates = known.match(row, key)
            problems += duplicates
        if not problems and found_pk is not None and existing != roundtrip.UPDATE:
            skipped.append(row.number)
            continue
        if not problems:
            checked.add(row, {"unit": unit, "name": name, **dates, **counts}, found_pk)
        errors += problems
    progress("validating", len(rows), len(rows))
    rows.clear()  # the cells are read: free them before the records are built
    planned, updates, invalid = checked.validate(lambda values: CommunityModel(kind=kind, **values))
    errors = sorted(errors + invalid, key=lambda error: error.row)
    if errors:
        raise sheets.ImportRefused(errors)
    progress("storing", 0, len(planned) + len(updates))
    with transaction.atomic():
        for model in updates:
            save(model)
        created = audit.bulk_create(planned, validated=True)
        # Each model's founding (and dissolution) enters its history: rows that follow from
        # the validated models, written without a model instance each.
        steps = [{"model": m.pk, "on": m.established_on, "status": "active"} for m in created]
        steps += [
            {"model": m.pk, "on": m.ended_on, "status": "dissolved"} for m in created if m.ended_on
        ]
        by_id = {m.pk: m for m in created}
        audit.bulk_create_values(
            StatusChange,
            steps,
            describe=lambda step: (
                StatusChange.describe(by_id[step["model"]].name, step["status"], step["on"]),
                by_id[step["model"]].unit,
            ),
        )
    return roundtrip.Imported(created, updates, skipped)
