"""Round trips: a list exported to Excel imports back without storing anything twice.

An export writes each record's id in its first column ("Mã …") and its unit by name with the
names above it (the resolver's context columns). An import recognises a row for a record
already registered under its unit by that id, or by a natural key (unit, name or title as
typed aside from case and spacing, and the date it began); the officer chooses to skip such
rows or to update the records with the file's values. The same record twice in one file is
refused."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from duan8.core import sheets
from duan8.geo.matching import fold

SKIP, UPDATE = "skip", "update"


class Imported(list):
    """The records an import created, with those it updated and the rows it skipped."""

    def __init__(self, created=(), updated=(), skipped=()) -> None:
        super().__init__(created)
        self.updated, self.skipped = list(updated), list(skipped)


def text_key(text: str) -> str:
    return " ".join(text.casefold().split())


class Registered:
    """The records of one kind already registered under an import's unit: ``(id, key)``
    pairs, where the key is the natural key ``natural`` gives a row."""

    def __init__(self, pairs: Iterable[tuple[int, tuple]], *, id_column: str, key_column: str):
        self.by_key: dict[tuple, int] = {}
        self.key_of: dict[int, tuple] = {}
        for pk, key in pairs:
            self.by_key.setdefault(key, pk)  # records already twice: the first one stands
            self.key_of[pk] = key
        self.ids = set(self.key_of)
        self.id_column, self.key_column = id_column, key_column
        self._seen: dict[tuple, int] = {}
        self._seen_ids: dict[int, int] = {}

    @classmethod
    def under(cls, records, scope, *, name: str, day: str, columns) -> Registered:
        """The records (a queryset of one kind) under ``scope``, keyed by unit, ``name``
        field and ``day`` field; ``columns`` are the import's."""
        from duan8.geo import resolver

        # Also the records of the former units whose records count under it: its own
        # export lists them, and they must come back as already registered.
        found = records.filter(resolver.ever_under(scope, "unit__path")).values_list(
            "pk", "unit_id", name, day
        )
        return cls(
            ((pk, (unit_id, text_key(text), when)) for pk, unit_id, text, when in found),
            id_column=sheets.header_of(columns, "record"),
            key_column=sheets.header_of(columns, name),
        )

    def skips_former(self, row: sheets.Row, found, text: str, day, existing: str) -> bool:
        """A row of a former unit, which may not be recorded on from here (``found`` is its
        resolution, "outside"), that stands for a registered record (by its id or by its unit,
        ``text`` and ``day``): what the scope's own export lists, skipped rather than refused
        unless the officer asked to update."""
        if found.status != "outside" or existing == UPDATE or not found.candidates:
            return False
        written = row.text("record")
        if written.isdecimal() and written.isascii() and int(written) in self.ids:
            return True
        return (found.candidates[0].pk, text_key(text), day) in self.by_key

    def match(self, row: sheets.Row, key: tuple) -> tuple[int | None, list[sheets.RowError]]:
        """The id of the record the row stands for (None: a new one), and what is wrong."""
        problems, found = [], None
        written = row.text("record")
        if written:
            if written.isdecimal() and written.isascii() and int(written) in self.ids:
                found = int(written)
                other = self.by_key.get(key)
                if found in self._seen_ids:
                    problems.append(
                        sheets.RowError(
                            row.number,
                            self.id_column,
                            _("the same record is already on row %(row)d.")
                            % {"row": self._seen_ids[found]},
                        )
                    )
                elif other is not None and other != found and self.key_of[found] != key:
                    problems.append(
                        sheets.RowError(
                            row.number,
                            self.key_column,
                            _(
                                "another record (id %(other)d) already has this unit, name and "
                                "start date."
                            )
                            % {"other": other},
                        )
                    )
                self._seen_ids.setdefault(found, row.number)
            else:
                problems.append(
                    sheets.RowError(
                        row.number,
                        self.id_column,
                        _(
                            "no record of this kind has the id %(id)s here; leave it empty for "
                            "a new one."
                        )
                        % {"id": written},
                    )
                )
        if key in self._seen:
            problems.append(
                sheets.RowError(
                    row.number,
                    self.key_column,
                    _("the same record is already on row %(row)d.") % {"row": self._seen[key]},
                )
            )
        else:
            self._seen[key] = row.number
        return (found if found is not None else self.by_key.get(key)), problems


def exported(records, fields: list[str], kinds, *, labels=None, extra=None) -> Iterator[list]:
    """The rows of a list's export in its import's columns: the record's id, its kind's
    label, its unit's name, ``fields`` (those named in ``labels`` written by their choices'
    labels), the columns ``extra(ids)`` gives every id when given, and the names above the unit
    (the resolver's context columns). Plain values read in chunks, unit names read once per
    unit: an export of a national list holds no model instance."""
    from duan8.geo import resolver

    kind_labels = {value: str(label) for value, label in kinds.choices}
    choice_labels = {
        fields.index(name): {value: str(label) for value, label in choices.choices}
        for name, choices in (labels or {}).items()
    }
    records = records.prefetch_related(None).select_related(None)
    units = resolver.context_table(records.order_by().values_list("unit_id", flat=True).distinct())
    rows = records.values_list("pk", "kind", "unit_id", *fields).iterator(chunk_size=5000)
    while chunk := list(itertools.islice(rows, 5000)):
        more = extra([row[0] for row in chunk]) if extra else {}
        for pk, kind, unit_id, *values in chunk:
            for index, names in choice_labels.items():
                values[index] = names.get(values[index], values[index])
            name, above = units[unit_id]
            yield [pk, kind_labels.get(kind, kind), name, *values, *more.get(pk, ()), *above]


def id_column(header: str, help) -> sheets.Column:
    """The first column of an import and its export: the record's id ("Mã …")."""
    return sheets.Column("record", header, required=False, aliases=("Record id",), help=help)


def kind_column() -> sheets.Column:
    """The "Loại" column: the kind of each row, which must be the one chosen for the import."""
    from django.utils.translation import gettext_lazy

    return sheets.Column(
        "kind_text",
        "Loại",
        required=False,
        aliases=("Kind",),
        help=gettext_lazy(
            "Optional: the kind chosen on the import page; a row of another kind is refused."
        ),
    )


def kind_names(kind: str, label) -> set[str]:
    """What a "Loại" cell may say for ``kind``: its code, or its label in any language of
    the app (folded)."""
    from django.conf import settings
    from django.utils import translation

    names = {fold(kind)}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            names.add(fold(str(label)))
            names.add(str(label))  # as written: no need to fold it on every row
    return names


@functools.cache
def _names_of(choices) -> dict[str, str]:
    return {name: value for value, label in choices.choices for name in kind_names(value, label)}


def choice_named(choices, text: str) -> str | None:
    """The value of ``choices`` (a TextChoices class) a cell names by its code or by its label
    in any language of the app (case and diacritics aside), or None."""
    names = _names_of(choices)
    return names.get(text) or names.get(fold(text))


def kind_problem(row: sheets.Row, column: str, names: set[str]) -> sheets.RowError | None:
    """A "Loại" cell that names another kind than the one chosen for the import (``names``:
    see ``kind_names``)."""
    written = row.text("kind_text")
    if written and written not in names and fold(written) not in names:
        return sheets.RowError(
            row.number,
            column,
            _("this row is a “%(kind)s”; import it with that kind chosen.") % {"kind": written},
        )
    return None


class Checked:
    """The rows of an import whose cells read well, waiting to be validated as records all at
    once (``audit.clean_many``: a query per foreign key for the whole file, not per row):
    new records, and registered ones the file updates (read in one query)."""

    def __init__(self, model, columns, fallback: str) -> None:
        self.model, self.columns, self.fallback = model, columns, fallback
        self._rows: list[tuple[int, frozenset, dict, int | None]] = []

    def add(self, row: sheets.Row, values: dict, found: int | None, extra=None) -> None:
        """``values`` for a new record (``found`` None) or for the registered record
        ``found``; ``extra`` rides along on the record as ``imported_extra`` (what is not a
        field: a training's trainers). Only the row's number and columns are kept."""
        columns = frozenset(row.values)
        if self._rows and self._rows[-1][1] == columns:
            columns = self._rows[-1][1]  # the same columns on every row: one set for all
        self._rows.append((row.number, columns, values, found, extra))

    def validate(self, new) -> tuple[list, list, list[sheets.RowError]]:
        """The new records (``new(values)`` makes one), the updated ones, and every problem
        with its row and column."""
        stored = self.model._base_manager.in_bulk(
            [row[3] for row in self._rows if row[3] is not None]
        )
        records = []
        for _number, columns, values, found, extra in self._rows:
            if found is None:
                record = new(values)
            else:
                record = stored[found]
                apply(record, values, columns)
            record.imported_extra = extra
            records.append(record)
        from duan8.core import audit

        problems = audit.clean_many(records)
        keys = {c.key for c in self.columns}
        errors = []
        for index, error in sorted(problems.items()):
            number = self._rows[index][0]
            for field, messages in error.message_dict.items():
                column = sheets.header_of(self.columns, field if field in keys else self.fallback)
                errors += [sheets.RowError(number, column, m) for m in messages]
        created, updated = [], []
        for index, (record, (_n, _c, _v, found, _e)) in enumerate(
            zip(records, self._rows, strict=True)
        ):
            if index not in problems:
                (created if found is None else updated).append(record)
        self._rows.clear()  # the values are on the records now
        return created, updated, errors


def apply(record, values: dict, columns) -> None:
    """The file's values onto a registered record: only ``columns`` the file has (a column
    left out keeps the stored value)."""
    for field, value in values.items():
        if field in columns:
            setattr(record, field, value)


def tell(request, imported: Imported) -> None:
    """The page's notes on rows already registered: how many were updated or skipped."""
    from django.contrib import messages

    if imported.updated:
        messages.info(
            request,
            _("%(n)d records already registered were updated.") % {"n": len(imported.updated)},
        )
    if imported.skipped:
        rows = ", ".join(map(str, imported.skipped[:20])) + (
            "…" if len(imported.skipped) > 20 else ""
        )
        messages.info(
            request,
            _("%(n)d rows already registered were skipped (rows %(rows)s).")
            % {"n": len(imported.skipped), "rows": rows},
        )
