"""Reading Excel sheets for imports: whole-file validation with row, column and reason.

An import reads every row, collects every problem, and stores nothing unless there are none;
the caller then writes all rows in one transaction. Messages are in Vietnamese (translated
strings) and name the row number and the column header as the user sees them in Excel.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from duan8.geo.matching import fold

# How far an import got: (phase, done, total); phases "reading", "checking", "validating",
# "storing" (see ``duan8.core.jobs``).
ProgressFn = Callable[..., None]


def no_progress(*_args) -> None:
    """Nobody is watching (an import inside a page's request)."""


MAX_ROWS = 100_000  # rows of data, below the header row
# A workbook is a zip: what it unpacks to is checked before any of it is parsed, so that a
# small file that unpacks to gigabytes (a "zip bomb") is refused at once.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_PARTS = 2_000
MAX_SHARED_STRINGS = 2_000_000


@dataclass
class Column:
    key: str
    header: str  # as written in the template; matched ignoring case and diacritics
    required: bool = True
    aliases: tuple[str, ...] = ()
    exact: bool = False  # codes such as "TTCĐ" and "TTCD" are different columns
    help: str = ""  # how to fill it, for a template's instructions sheet

    def matches(self, text: str) -> bool:
        if self.exact:
            return text.strip() in {self.header, *self.aliases}
        return fold(text) in {fold(self.header), *map(fold, self.aliases)}


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)d, column “%(column)s”: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportRefused(Exception):
    errors: list[RowError] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(str(e) for e in self.errors)


@dataclass(slots=True)
class Row:
    number: int
    values: dict[str, object]

    def text(self, key: str) -> str:
        """The cell as text, in Unicode NFC (one code point per accented letter, as typed on
        most keyboards), trimmed."""
        value = self.values.get(key)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return unicodedata.normalize("NFC", str(value)).strip()


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


def check_package(upload) -> bool:
    """Refuse, before parsing, a workbook that unpacks to too much or holds too many strings;
    says whether a worksheet holds formulas."""
    not_excel = ImportRefused([RowError(0, "", _("The file is not an Excel (.xlsx) file."))])
    try:
        upload.seek(0)
        package = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_excel from None
    with package:
        parts = package.infolist()
        unpacked = sum(part.file_size for part in parts)
        if len(parts) > MAX_PARTS or unpacked > MAX_UNPACKED_BYTES:
            raise ImportRefused(
                [
                    RowError(
                        0,
                        "",
                        _(
                            "The file unpacks to %(size)s, more than the %(limit)s an import "
                            "may hold; split it into several files."
                        )
                        % {"size": _mb(unpacked), "limit": _mb(MAX_UNPACKED_BYTES)},
                    )
                ]
            )
        names = {part.filename for part in parts}
        if "xl/sharedStrings.xml" in names:
            with package.open("xl/sharedStrings.xml") as strings:
                head = strings.read(4096).decode("utf-8", "replace")
            found = re.search(r'uniqueCount="(\d+)"', head) or re.search(r'count="(\d+)"', head)
            if found and int(found[1]) > MAX_SHARED_STRINGS:
                raise ImportRefused(
                    [RowError(0, "", _("The file holds too many different texts to import."))]
                )
        formulas = _unpack_all(package, parts)
    upload.seek(0)
    return formulas


# A formula element of a worksheet part (<f>, <f t="shared" …/>, or with a namespace prefix).
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def damaged() -> ImportRefused:
    return ImportRefused(
        [RowError(0, "", _("The file is damaged and cannot be read as Excel (.xlsx)."))]
    )


def _unpack_all(package: zipfile.ZipFile, parts) -> bool:
    """Unpack every part once, in chunks, through Python's zip reader, which stops at the
    size the directory declares and checks each part's checksum: a file whose directory lies
    about what it unpacks to is refused here, before a parser sees it. Says whether a
    worksheet holds a formula."""
    formulas = False
    for part in parts:
        sheet = part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")
        tail = b""
        try:
            with package.open(part) as stream:
                while chunk := stream.read(1 << 20):
                    if sheet and not formulas:
                        formulas = bool(_FORMULA.search(tail + chunk))
                        tail = chunk[-64:]
        # A bad checksum or a part longer than declared (BadZipFile), a truncated file
        # (EOFError, OSError), a compression Python cannot unpack (NotImplementedError), an
        # encrypted part (RuntimeError: it asks for a password): none is a workbook to read.
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
            raise damaged() from None
    return formulas


def read(upload, columns: list[Column]) -> list[Row]:
    """Rows of the first sheet, keyed by column; refuses files that are not readable Excel,
    that unpack to too much, and cells that hold formulas (their values are asked for).

    Sheets without formulas (nearly all) are read by calamine, a compiled reader ten times
    faster than openpyxl; a sheet with formulas is read by openpyxl, which names each
    formula cell."""
    if check_package(upload):
        return _read_naming_formulas(upload, columns)
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(upload)
        sheet = book.get_sheet_by_index(0)
        return _table(iter(sheet.iter_rows()), columns, _plain)
    except ImportRefused:
        raise
    except (CalamineError, ValueError, OSError, IndexError):
        raise damaged() from None
    finally:
        upload.seek(0)


def data_rows(upload) -> int:
    """How many rows a workbook's first sheet has below its header row (empty rows at its
    end aside): read before deciding whether an import runs as a background job."""
    check_package(upload)
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_filelike(upload).get_sheet_by_index(0)
        return max(0, sheet.height - 1)
    except (CalamineError, ValueError, OSError, IndexError):
        raise damaged() from None
    finally:
        upload.seek(0)


def _plain(value):
    """A value as calamine reads it, as openpyxl would give it: an empty cell is None, a
    whole number an int."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _read_naming_formulas(upload, columns: list[Column]) -> list[Row]:
    try:
        book = load_workbook(upload, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of errors on a bad file
        raise ImportRefused(
            [RowError(0, "", _("The file is not an Excel (.xlsx) file."))]
        ) from None
    try:
        return _rows(book.worksheets[0], columns)
    except ImportRefused:
        raise
    except Exception:  # a damaged sheet is only noticed while its rows are read
        raise damaged() from None
    finally:
        book.close()


def _cell_value(cell):
    return getattr(cell, "value", None)


def _cell_formula(cell) -> str | None:
    return str(cell.value) if getattr(cell, "data_type", None) == "f" else None


def _rows(sheet, columns: list[Column]) -> list[Row]:
    return _table(sheet.iter_rows(), columns, _cell_value, _cell_formula)


def _table(rows, columns: list[Column], value, formula=None) -> list[Row]:
    """The rows below the header row, keyed by column (``value`` reads a cell; ``formula``,
    where the reader knows, gives a cell's formula); refuses a missing column, too many
    rows and formula cells."""
    header = [value(cell) for cell in next(rows, None) or ()]
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        for column in columns:
            if cell is not None and column.matches(str(cell)):
                positions.setdefault(column.key, index)
    missing = [c.header for c in columns if c.required and c.key not in positions]
    if missing:
        message = _("this column is missing from the header row.")
        raise ImportRefused([RowError(1, name, message) for name in missing])
    result, formulas = [], []
    headers = {column.key: column.header for column in columns}
    for number, cells in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            raise ImportRefused([RowError(number, "", _("The file has too many rows."))])
        values = [value(cell) for cell in cells]
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        row = {}
        for key, i in positions.items():
            written = formula(cells[i]) if formula is not None and i < len(cells) else None
            if written is not None:
                formulas.append(
                    RowError(
                        number,
                        headers[key],
                        _(
                            "the cell holds a formula (%(formula)s); copy the column and paste "
                            "it as values (Paste Special → Values), then import again."
                        )
                        % {"formula": written[:40]},
                    )
                )
            row[key] = values[i] if i < len(values) else None
        result.append(Row(number, row))
    if formulas:
        raise ImportRefused(formulas)
    return result


def whole_number(row: Row, key: str, column: str) -> tuple[int, RowError | None]:
    """A count cell (empty: 0), or the reason it is not one, each in its own words."""
    from decimal import Decimal, InvalidOperation

    from duan8.core.formatting import parse_amount

    value = row.values.get(key)
    if type(value) is int and 0 <= value < 10**14:  # most cells: a count Excel holds as such
        return value, None
    try:
        number = parse_amount(value)
    except ValueError:
        text = row.text(key)
        try:
            plain = Decimal(str(value)) if isinstance(value, (int, float)) else None
        except InvalidOperation:
            plain = None
        if text.startswith("-") or (plain is not None and plain < 0):
            reason = _("“%(value)s” is negative; a count is 0 or more.")
        elif re.fullmatch(r"\d+\.\d{1,2}", text):
            reason = _(
                "“%(value)s”: in Vietnamese a dot separates thousands (1.500); a count is a "
                "whole number."
            )
        elif re.fullmatch(r"[\d.,\s]+", text):
            reason = _("“%(value)s” is not a whole number, or is too large.")
        else:
            reason = _("“%(value)s” is not a number.")
        return 0, RowError(row.number, column, reason % {"value": text[:40]})
    if number is None:
        return 0, None
    if number != int(number):
        reason = _("“%(value)s” is not a whole number.") % {"value": row.text(key)}
        return 0, RowError(row.number, column, reason)
    return int(number), None


def headers(columns: list[Column]) -> dict[str, str]:
    """Each column's header by its key."""
    return {column.key: column.header for column in columns}


def header_of(columns: list[Column], key: str) -> str:
    return next(c.header for c in columns if c.key == key)


def parse_date_cell(value) -> datetime.date | None:
    """A date cell: a real Excel date, or text written dd/mm/yyyy. ValueError otherwise."""
    from duan8.core.formatting import parse_date

    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return parse_date(str(value))


def date_cells(row: Row, keys, header) -> tuple[dict, list[RowError]]:
    """The row's date cells that read as dates (``{key: date or None}``) and, for the others,
    each its reason; ``header(key)`` names the column."""
    days, problems = {}, []
    for key in keys:
        try:
            days[key] = parse_date_cell(row.values.get(key))
        except ValueError:
            problems.append(RowError(row.number, header(key), date_problem(row.values.get(key))))
    return days, problems


_DAY_MONTH_YEAR = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def date_problem(value) -> str:
    """Why a cell is not a date, in the officer's words: a day the calendar does not have
    (31/02/2024) is told apart from text that is no date at all."""
    found = _DAY_MONTH_YEAR.match(str(value))
    if found:
        day, month, year = (int(part) for part in found.groups())
        if 1 <= month <= 12:
            return _(
                "%(value)s is not a day of the calendar: month %(month)d/%(year)d has no "
                "day %(day)d."
            ) % {
                "value": str(value).strip(),
                "month": month,
                "year": year,
                "day": day,
            }
        return _("%(value)s has no month %(month)d; write the date as dd/mm/yyyy.") % {
            "value": str(value).strip(),
            "month": month,
        }
    if isinstance(value, (int, float)):
        return _(
            "“%(value)s” is a number, not a date; format the column as a date or write dd/mm/yyyy."
        ) % {"value": value}
    return _("“%(value)s” is not a date (dd/mm/yyyy).") % {"value": str(value)[:40]}


# What a spreadsheet would read as the start of a formula, were the cell typed again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_value(value):
    """A value as an export writes it: text without the characters Excel cannot hold."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _cell_writer(book, sheet):
    """How every workbook duan8 writes puts a value in a cell: text always as text (quote
    prefix before what Excel would read as a formula, characters it cannot hold left out),
    dates as dd/mm/yyyy dates, numbers and booleans as such; nothing for an empty value."""
    import decimal

    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    as_text = book.add_format({"quote_prefix": True})

    def write(row: int, column: int, value) -> None:
        if value is None or value == "":
            return
        if isinstance(value, str):
            value = safe_value(value)
            if value.startswith(FORMULA_START):
                sheet.write_string(row, column, value, as_text)
            else:
                sheet.write_string(row, column, value)
        elif isinstance(value, bool):
            sheet.write_boolean(row, column, value)
        elif isinstance(value, (int, float, decimal.Decimal)):
            sheet.write_number(row, column, value)
        elif isinstance(value, (datetime.date, datetime.datetime)):
            sheet.write_datetime(row, column, value, dates)
        else:
            sheet.write_string(row, column, safe_value(str(value)))

    return write


def write_workbook(target, headers: list[str], rows, progress=None, total: int = 0) -> int:
    """Write an .xlsx with one header row to ``target`` (a path or a binary file), row by row
    (XlsxWriter's constant-memory mode: memory stays flat at any size, and it writes twice
    as fast as openpyxl); returns the number of rows. Text is always text: a name that
    starts with "=", "+", "-" or "@" is a text cell with Excel's quote prefix, never a
    formula (it would run in the reader's Excel); characters Excel cannot hold (control
    characters) are left out. Dates are written as dates (dd/mm/yyyy). ``progress(done,
    total)`` hears of every thousand rows."""

    import xlsxwriter

    book = xlsxwriter.Workbook(
        target, {"constant_memory": True, "in_memory": not isinstance(target, (str, Path))}
    )
    sheet = book.add_worksheet()
    write = _cell_writer(book, sheet)

    for column, header in enumerate(headers):
        write(0, column, header)
    count = 0
    for count, values in enumerate(rows, start=1):
        for column, value in enumerate(values):
            write(count, column, value)
        if progress is not None and count % 1000 == 0:
            progress(count, total)
    book.close()
    return count


def workbook(headers: list[str], rows: Iterator[list]) -> bytes:
    """An .xlsx with one header row, in memory: for templates and small files."""
    out = io.BytesIO()
    write_workbook(out, headers, rows)
    return out.getvalue()


TEMPLATE_ROWS = 5_000  # rows of a template that offer the drop-down lists


def template(
    columns: list[Column],
    *,
    title: str,
    lists: dict[str, list[str]] | None = None,
    rows=(),
) -> bytes:
    """An import's template: the data sheet first (what the import reads), its header in
    the import's columns, drop-down lists on the columns ``lists`` names (the kinds, the units
    of the officer's scope: Excel suggests them, other values stay allowed since codes and
    other spellings are read too), ``rows`` already filled in; then an instructions sheet —
    each column, whether it is required and how to write it — and the lists themselves."""
    import xlsxwriter

    lists = lists or {}
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    data = book.add_worksheet(_("Data")[:31])
    guide = book.add_worksheet(_("Instructions")[:31])
    choices = book.add_worksheet(_("Lists")[:31])
    for index, column in enumerate(columns):
        data.write_string(0, index, column.header, bold)
        data.set_column(index, index, max(14, min(40, len(column.header) + 4)))
    data.freeze_panes(1, 0)
    write = _cell_writer(book, data)
    for number, values in enumerate(rows, start=1):
        for index, value in enumerate(values):
            write(number, index, value)
    for place, (key, names) in enumerate(lists.items()):
        index = next((i for i, c in enumerate(columns) if c.key == key), None)
        if index is None or not names:
            continue
        choices.write_string(0, place, header_of(columns, key), bold)
        for number, name in enumerate(names, start=1):
            choices.write_string(number, place, safe_value(name))
        choices.set_column(place, place, 40)
        letter = xlsxwriter.utility.xl_col_to_name(place)
        data.data_validation(
            1,
            index,
            TEMPLATE_ROWS,
            index,
            {
                "validate": "list",
                "source": f"='{choices.name}'!${letter}$2:${letter}${len(names) + 1}",
                "error_type": "information",
                "error_title": header_of(columns, key)[:32],
                "error_message": _(
                    "Not in the list. It is still accepted if it is an official code or "
                    "another spelling of a unit or kind the import recognises."
                )[:255],
            },
        )
    guide.set_column(0, 0, 28)
    guide.set_column(1, 1, 12)
    guide.set_column(2, 2, 90)
    guide.write_string(0, 0, title, book.add_format({"bold": True, "font_size": 13}))
    notes = [
        _("Fill in the “%(sheet)s” sheet, one row per record; keep its header row.")
        % {"sheet": data.name},
        _(
            "The whole file is checked first: it is stored only if every row is right; "
            "otherwise you get each bad cell with its row, column and reason, and your file "
            "back with those cells marked."
        ),
        _("Write values, not formulas (paste formulas as values)."),
        _("Dates: dd/mm/yyyy, or Excel dates. Counts: whole numbers, 0 or more (1.500)."),
    ]
    for number, note in enumerate(notes, start=1):
        guide.write_string(number, 0, "•")
        guide.write_string(number, 2, note, wrap)
    top = len(notes) + 2
    for index, label in enumerate([_("Column"), _("Required"), _("How to write it")]):
        guide.write_string(top, index, str(label), bold)
    for number, column in enumerate(columns, start=top + 1):
        guide.write_string(number, 0, column.header)
        guide.write_string(number, 1, str(_("yes") if column.required else _("no")))
        guide.write_string(number, 2, str(column.help), wrap)
    book.close()
    return out.getvalue()


def template_response(content: bytes, filename: str):
    from django.http import HttpResponse

    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(headers: list[str], rows, filename: str):
    """An .xlsx download of a list, for every "Export to Excel" link: written to a temporary
    file row by row, then streamed from it (memory stays flat whatever the list's size)."""
    import tempfile

    from django.http import FileResponse

    out = tempfile.TemporaryFile()
    write_workbook(out, headers, iter(rows))
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)
