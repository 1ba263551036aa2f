"""A DHIS2 dataValueSet into typed figures: the whole set checked first, nothing stored if
anything is wrong, else everything stored in one transaction through the page's save path
(``reporting.figures.save``: its checks, approved-period locks and audit trail).

The answer is an import summary in DHIS2's shape::

    {"status": "SUCCESS" | "ERROR",
     "description": "...",
     "importCount": {"imported": 3, "updated": 1, "ignored": 0, "deleted": 0},
     "conflicts": [{"object": "2024X1", "value": "Kỳ không đúng dạng: ..."}],
     "importOptions": {"dryRun": false}}

Counts are of data values: a value for a part not stored before is imported, one that
changes the stored number updated, one equal to it ignored, one marked ``deleted`` that
removes a stored number deleted. With a conflict nothing is stored and every value counts
as ignored. A dry run checks and counts the same way (the page's checks included) and
stores nothing. DHIS2 answers WARNING for a set imported in part; duan8 never imports part of
a set, so it answers SUCCESS or ERROR.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from duan8.core import access, audit
from duan8.dhis2 import mapping as mappings
from duan8.dhis2.models import Part
from duan8.dhis2.periods import from_dhis2
from duan8.framework.periods import Period

# In one request; a set sent as a background job (``duan8.dhis2.background``) may be larger.
MAX_VALUES = 50_000
MAX_JOB_VALUES = 500_000
# The largest number a figure holds (16 digits, 2 after the point).
LIMIT = Decimal(10) ** 14
PARTS = (Part.TOTAL, Part.WOMEN, Part.ETHNIC_MINORITY)
FIELDS = (
    "dataElement",
    "period",
    "orgUnit",
    "categoryOptionCombo",
    "attributeOptionCombo",
    "value",
    "storedBy",
    "lastUpdated",
    "comment",
    "followup",
    "deleted",
)


class Unreadable(ValueError):
    """The body is not a dataValueSet (the API answers 400 with the message)."""


@dataclass
class Conflict:
    object: str
    value: str
    # The value's place in the set (1 for the first), 0 for a conflict of a figure.
    row: int = 0


@dataclass
class Summary:
    conflicts: list[Conflict] = field(default_factory=list)
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    dry_run: bool = False

    @property
    def status(self) -> str:
        return "ERROR" if self.conflicts else "SUCCESS"

    def as_dict(self) -> dict:
        if self.conflicts:
            description = _("Nothing was stored: the set has conflicts.")
        elif self.dry_run:
            description = _("Dry run: the set is valid; nothing was stored.")
        else:
            description = _("The set was stored.")
        return {
            "status": self.status,
            "description": description,
            "importCount": {
                "imported": self.imported,
                "updated": self.updated,
                "ignored": self.ignored,
                "deleted": self.deleted,
            },
            "conflicts": [{"object": c.object, "value": c.value} for c in self.conflicts],
            "importOptions": {"dryRun": self.dry_run},
        }


# Reading a set -------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def read_json(body: bytes | str, *, limit: int | None = None) -> list[dict]:
    """The data values of a JSON dataValueSet, the set's own dataSet, period, orgUnit and
    attributeOptionCombo filled into values that leave them out (at most ``limit``)."""
    try:
        found = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Unreadable(_("The body is not valid JSON.")) from None
    if not isinstance(found, dict) or not isinstance(found.get("dataValues"), list):
        raise Unreadable(_('Send a dataValueSet: a JSON object with a list "dataValues".'))
    defaults = {
        name: _text(found.get(name)) for name in ("period", "orgUnit", "attributeOptionCombo")
    }
    values = []
    for item in found["dataValues"]:
        if not isinstance(item, dict):
            raise Unreadable(_("Each data value is a JSON object."))
        value = {name: _text(item.get(name)) for name in FIELDS}
        for name, default in defaults.items():
            value[name] = value[name] or default
        values.append(value)
    return _checked_size(values, limit)


def read_csv(body: bytes | str, *, limit: int | None = None) -> list[dict]:
    """The data values of DHIS2's CSV (its column order; the header line optional; at most
    ``limit``)."""
    try:
        text = body.decode("utf-8-sig") if isinstance(body, bytes) else body
    except UnicodeDecodeError:
        raise Unreadable(_("The CSV is not UTF-8 text.")) from None
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]
    except csv.Error:
        raise Unreadable(_("The CSV cannot be read.")) from None
    if rows and rows[0] and rows[0][0].strip().lower() == "dataelement":
        rows = rows[1:]
    # DHIS2's CSV column order is the order of a data value's fields.
    columns = FIELDS
    values = []
    for row in rows:
        cells = [cell.strip() for cell in row[: len(columns)]]
        cells += [""] * (len(columns) - len(cells))
        values.append(dict(zip(columns, cells, strict=True)))
    return _checked_size(values, limit)


def sniff(head: bytes, *, csv_format: bool) -> None:
    """A cheap look at a file's first bytes before it is queued as a job (which reads it
    whole): UTF-8 text, and for JSON an object. Unreadable if not."""
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not only a character cut at the end of the head
            message = (
                _("The CSV is not UTF-8 text.") if csv_format else _("The body is not valid JSON.")
            )
            raise Unreadable(message) from None
        text = head[: exc.start].decode("utf-8-sig")
    if not text.strip():
        raise Unreadable(_("The file is empty."))
    if not csv_format and not text.lstrip().startswith("{"):
        raise Unreadable(_('Send a dataValueSet: a JSON object with a list "dataValues".'))


def read(body: bytes | str, *, csv_format: bool, limit: int | None = None) -> list[dict]:
    """The data values of a dataValueSet as DHIS2's CSV or as JSON."""
    return (read_csv if csv_format else read_json)(body, limit=limit)


def _checked_size(values: list[dict], limit: int | None) -> list[dict]:
    """``values``, unless there are more than ``limit`` (None: a request's ``MAX_VALUES``)."""
    in_request = limit is None
    limit = MAX_VALUES if limit is None else limit
    if len(values) > limit:
        if in_request:
            message = _("Too many data values: send at most %(limit)s in one request.")
        else:
            message = _("Too many data values: send at most %(limit)s in one job.")
        raise Unreadable(message % {"limit": f"{limit:,}".replace(",", ".")})
    return values


# Checking ----------------------------------------------------------------------------------


@dataclass
class _Value:
    unit: object
    period: Period
    row: object  # DataElementMapping
    number: Decimal | None  # None: deleted
    comment: str


def _number(text: str) -> tuple[Decimal | None, str | None]:
    """The value as a number, or why not."""
    if not text:
        return None, _("The value is empty.")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, _("The value is not a number: “%(value)s”.") % {"value": text[:50]}
    if not number.is_finite():
        return None, _("The value is not a number: “%(value)s”.") % {"value": text[:50]}
    if number < 0:
        return None, _("A figure cannot be negative.")
    if number >= LIMIT:
        return None, _("The number is too large.")
    if number != number.quantize(Decimal("0.01")):
        return None, _("Write at most 2 decimal places.")
    return number, None


class _Checker:
    def __init__(self, user, values: list[dict]) -> None:
        self.user = user
        self.values = values
        self.found = mappings.load()
        self.found.prepare_codes(v["orgUnit"] for v in values)
        self.conflicts: list[Conflict] = []
        self._typed: dict[Period, set[int]] = {}
        self.row = 0  # the value being checked (1 for the first)

    def add(self, obj: str, reason: str) -> None:
        self.conflicts.append(Conflict(obj, reason, self.row))

    def typed(self, period: Period) -> set[int]:
        """The indicators that take typed figures for ``period``."""
        if period not in self._typed:
            from duan8.reporting import cycle, figures

            phase = cycle.phase_of(period)
            typed = figures.typed_indicators(phase, period) if phase is not None else []
            self._typed[period] = {indicator.pk for indicator, _version in typed}
        return self._typed[period]

    def check(self, item: dict) -> _Value | None:
        period = row = unit = None
        try:
            period = from_dhis2(item["period"])
        except ValueError:
            self.add(
                item["period"],
                _("Malformed period: write a DHIS2 period such as 2024, 2024S1, 2024Q3 or 202407."),
            )
        element, combo = item["dataElement"], item["categoryOptionCombo"]
        row = self.found.element_for(element, combo)
        if row is None and element not in self.found.known_elements:
            self.add(element, _("Unknown data element: no indicator is mapped to it."))
        elif row is None:
            self.add(
                combo or "default",
                _("Unknown category option combo for data element %(element)s.")
                % {"element": element},
            )
        attribute = mappings.combo_key(item["attributeOptionCombo"])
        if attribute:
            self.add(attribute, _("Attribute option combos are not used: leave it empty."))
        unit = self.found.unit_for(item["orgUnit"], period)
        if unit is None:
            self.add(
                item["orgUnit"],
                _("Unknown organisation unit: no unit has this UID or code."),
            )
        deleted = item.get("deleted", "").lower() == "true"
        number, problem = (None, None) if deleted else _number(item["value"])
        if problem:
            self.add(item["value"] or element, problem)
        if unit is None or period is None or row is None or problem:
            return None
        if not access.can(self.user, access.Action.EDIT, unit):
            self.add(
                item["orgUnit"], _("You may not change the figures of %(unit)s.") % {"unit": unit}
            )
            return None
        if row.indicator_id not in self.typed(period):
            self.add(
                element,
                _("Indicator %(code)s takes no typed figures for %(period)s.")
                % {"code": row.indicator.code, "period": period.label},
            )
            return None
        return _Value(unit, period, row, number, item.get("comment", "")[:500])


# Storing -----------------------------------------------------------------------------------


def run(user, values: list[dict], *, dry_run: bool = False, progress=None) -> Summary:
    """Check the whole set, then store it (or, for a dry run, only count it). ``progress``
    (a job's: ``progress(phase, done, total)``) hears how far the checking got, and when
    the storing — one transaction — begins."""
    checker = _Checker(user, values)
    checked = []
    total = len(values)
    for row, item in enumerate(values, 1):
        checker.row = row
        checked.append(checker.check(item))
        if progress is not None and (row % 1000 == 0 or row == total):
            progress("validating", row, total)
    seen = set()
    for row, (item, value) in enumerate(zip(values, checked, strict=True), 1):
        checker.row = row
        if value is None:
            continue
        key = (value.unit.pk, value.period, value.row.indicator_id, value.row.part)
        if key in seen:
            checker.add(item["dataElement"], _("This value is sent twice in the set."))
        seen.add(key)
    summary = Summary(conflicts=checker.conflicts, dry_run=dry_run)
    if summary.conflicts:
        summary.ignored = len(values)
        return summary
    if progress is not None:
        progress("storing", 0, total)
    with transaction.atomic():
        with audit.batched():  # figure by figure through the page's save path
            _store(summary, [v for v in checked if v is not None], checker.found)
        if summary.conflicts or dry_run:
            # The page's checks ran on the real save path; nothing of it is kept.
            transaction.set_rollback(True)
    if summary.conflicts:
        summary.imported = summary.updated = summary.deleted = 0
        summary.ignored = len(values)
    return summary


def _store(summary: Summary, values: list[_Value], found: mappings.Mapping) -> None:
    from duan8.reporting import figures
    from duan8.reporting.models import Figure

    groups: dict[tuple, list[_Value]] = defaultdict(list)
    for value in values:
        groups[(value.period, value.unit.path, value.unit.pk)].append(value)
    # Earlier periods first: a figure's jump is judged against the previous period's figure,
    # which the same set may bring.
    for (period, _path, _pk), group in sorted(groups.items(), key=lambda g: g[0][:2]):
        unit = group[0].unit
        wanted = {value.row.indicator_id for value in group}
        stored = {
            f.indicator_id: f
            for f in Figure.objects.for_period(period).filter(unit=unit, indicator_id__in=wanted)
        }
        by_indicator: dict[int, list[_Value]] = defaultdict(list)
        for value in group:
            by_indicator[value.row.indicator_id].append(value)
        entries, indicators = [], {}
        for indicator_id, sent in by_indicator.items():
            entry = _entry(summary, indicator_id, sent, stored.get(indicator_id), found)
            if entry is not None:
                entries.append(entry)
                indicators[indicator_id] = sent[0].row.indicator
        try:
            figures.save(unit, period, indicators, entries)
        except ValidationError as exc:
            place = f"{found.org_unit_of(unit)}, {period.label}"
            for code, messages in exc.message_dict.items():
                for message in messages:
                    summary.conflicts.append(Conflict(code, f"{place}: {message}"))


def _entry(summary: Summary, indicator_id: int, sent: list[_Value], figure, found):
    """The figure as it will stand (the parts sent over those stored), counting each value."""
    from duan8.reporting import figures

    parts = {part: getattr(figure, part) if figure else None for part in PARTS}
    comment = figure.comment if figure else ""
    for value in sent:
        before = parts[value.row.part]
        if value.number is None:
            summary.deleted += before is not None
            summary.ignored += before is None
        elif before is None:
            summary.imported += 1
        elif before == value.number:
            summary.ignored += 1
        else:
            summary.updated += 1
        parts[value.row.part] = value.number
        if value.comment and (value.row.part == Part.TOTAL or not comment):
            comment = value.comment
    if parts[Part.TOTAL] is None:
        if figure is None:
            if any(value.number is not None for value in sent):
                summary.conflicts.append(
                    Conflict(
                        sent[0].row.data_element,
                        _("%(unit)s, %(period)s: a breakdown is sent without its total.")
                        % {"unit": found.org_unit_of(sent[0].unit), "period": sent[0].period.label},
                    )
                )
            return None
        # The total deleted: the figure goes, with its breakdowns.
    elif figure is not None and comment.strip() == figure.comment:
        if all(parts[part] == getattr(figure, part) for part in PARTS):
            return None  # every value as stored: nothing to write (nor to audit)
    return figures.Entry(
        indicator_id,
        parts[Part.TOTAL],
        parts[Part.WOMEN],
        parts[Part.ETHNIC_MINORITY],
        comment,
    )
