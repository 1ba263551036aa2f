"""Registering community models and keeping their status history; imports from Excel."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from duan8.community.models import CommunityModel, StatusChange
from duan8.core import audit, sheets
from duan8.core.formatting import parse_amount
from duan8.geo import matching, timeline
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
]


def _units_of(scope: AdminUnit, day, *, with_districts: bool = False) -> tuple[dict, list]:
    """Communes and villages (and districts, if asked) of the scope on ``day`` (of any date
    if ``day`` is None), indexed for fast exact look-ups."""
    kinds = [UnitKind.COMMUNE, UnitKind.VILLAGE] + ([UnitKind.DISTRICT] if with_districts else [])
    units = AdminUnit.objects.subtree(scope).filter(kind__in=kinds).select_related("parent")
    if day is not None:
        units = units.valid_on(day)
    units = list(units)
    index: dict[str, list] = {}
    for unit in units:
        for key in {unit.code, unit.search_key, matching.name_key(unit.name)} - {""}:
            index.setdefault(key, []).append(unit)
    return index, units


def _exact(text: str, index: dict) -> list:
    return (
        index.get(text) or index.get(matching.key(text)) or index.get(matching.name_key(text)) or []
    )


class UnitNames:
    """The units an import names, within its scope.

    A name is looked for among the units that exist on the day given; failing that, among the
    scope's units of any date by its exact name or code, so that a unit of another time is
    refused with the reason and the unit to use for the record's date (a commune merged in
    2025, named in a row dated 2026) rather than "no such unit"; a close spelling last.
    """

    def __init__(self, scope: AdminUnit, *, with_districts: bool = False) -> None:
        self.scope, self.with_districts = scope, with_districts
        self._indexes: dict = {}

    def _index(self, day) -> tuple[dict, list]:
        if day not in self._indexes:
            self._indexes[day] = _units_of(self.scope, day, with_districts=self.with_districts)
        return self._indexes[day]

    def resolve(self, text: str, day, record_day=None) -> tuple[AdminUnit | None, str | None]:
        """(unit, None) or (None, the reason), for ``text`` read on ``day``; a unit found at
        another time is checked against ``record_day``."""
        index, units = self._index(day)
        exact = _exact(text, index)
        if not exact:
            exact = _exact(text, self._index(None)[0])
            if len(exact) == 1 and record_day is not None:
                problem = timeline.validity_error(exact[0], record_day)
                if problem:
                    return None, problem
        if len(exact) == 1:
            return exact[0], None
        if len(exact) > 1:
            return None, _(
                "“%(name)s” could be several units; write the official code or the "
                "village with its commune."
            ) % {"name": text}
        found = matching.match(text, units)
        if found.unit is not None:
            return found.unit, None
        if found.status == "ambiguous":
            return None, _("“%(name)s” could be several units; write the official code.") % {
                "name": text
            }
        return None, _("no commune or village named “%(name)s” here.") % {"name": text}


def import_rows(upload, scope: AdminUnit, kind: str, day) -> list[CommunityModel]:
    """Validate every row, then store all models in one transaction, or refuse with every
    bad row, column and reason."""
    rows = sheets.read(upload, COLUMNS)
    names = UnitNames(scope)
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
                problems.append(
                    sheets.RowError(row.number, header(key), _("not a date (dd/mm/yyyy)."))
                )
        if "established_on" in dates and dates["established_on"] is None:
            problems.append(
                sheets.RowError(
                    row.number, header("established_on"), _("the establishment date is empty.")
                )
            )
        unit, error = (
            names.resolve(row.text("unit"), day, dates.get("established_on"))
            if row.text("unit")
            else (None, _("the unit is empty."))
        )
        if error:  # the unit column comes first
            problems.insert(0, sheets.RowError(row.number, header("unit"), error))
        counts = {}
        for key in ("members_women", "members_men"):
            try:
                number = parse_amount(row.values.get(key))
            except ValueError:
                number = None
                problems.append(sheets.RowError(row.number, header(key), _("not a whole number.")))
            if number is not None and number != int(number):
                problems.append(sheets.RowError(row.number, header(key), _("not a whole number.")))
            counts[key] = int(number or 0)
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
