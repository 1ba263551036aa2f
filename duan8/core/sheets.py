"""Reading Excel sheets for imports: whole-file validation with row, column and reason.

An import reads every row, collects every problem, and stores nothing unless there are none;
the caller then writes all rows in one transaction. Messages are in Vietnamese (translated
strings) and name the row number and the column header as the user sees them in Excel.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from duan8.geo.matching import fold

MAX_ROWS = 100_000


@dataclass
class Column:
    key: str
    header: str  # as written in the template; matched ignoring case and diacritics
    required: bool = True
    aliases: tuple[str, ...] = ()
    exact: bool = False  # codes such as "TTCĐ" and "TTCD" are different columns

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


@dataclass
class Row:
    number: int
    values: dict[str, object]

    def text(self, key: str) -> str:
        value = self.values.get(key)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()


def read(upload, columns: list[Column]) -> list[Row]:
    """Rows of the first sheet, keyed by column; refuses files that are not readable Excel."""
    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on a bad file
        raise ImportRefused(
            [RowError(0, "", _("The file is not an Excel (.xlsx) file."))]
        ) from None
    try:
        return _rows(book.worksheets[0], columns)
    except ImportRefused:
        raise
    except Exception:  # a damaged sheet is only noticed while its rows are read
        raise ImportRefused(
            [RowError(0, "", _("The file is damaged and cannot be read as Excel (.xlsx)."))]
        ) from None
    finally:
        book.close()


def _rows(sheet, columns: list[Column]) -> list[Row]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        for column in columns:
            if cell is not None and column.matches(str(cell)):
                positions.setdefault(column.key, index)
    missing = [c.header for c in columns if c.required and c.key not in positions]
    if missing:
        message = _("this column is missing from the header row.")
        raise ImportRefused([RowError(1, name, message) for name in missing])
    result = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise ImportRefused([RowError(number, "", _("The file has too many rows."))])
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        cells = {key: values[i] if i < len(values) else None for key, i in positions.items()}
        result.append(Row(number, cells))
    return result


def header_of(columns: list[Column], key: str) -> str:
    return next(c.header for c in columns if c.key == key)


def parse_date_cell(value) -> datetime.date | None:
    from duan8.core.formatting import parse_date

    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return parse_date(str(value))


def workbook(headers: list[str], rows: Iterator[list]) -> bytes:
    """An .xlsx with one header row: for templates and exports."""
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(headers: list[str], rows, filename: str):
    """An .xlsx download of a list, for every "Export to Excel" link."""
    from django.http import HttpResponse

    response = HttpResponse(workbook(headers, iter(rows)), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
