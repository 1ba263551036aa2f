"""A filled report form as an Excel workbook, in Vietnamese whatever the page's language.

The sheet opens with the form's number, title and legal basis, the unit, the period and the
tree date; then the table: "STT", "Chỉ tiêu", "Đơn vị tính" and, for every column of the form
(a unit or a period, its header cell merged over its cells), one cell per thing it shows
(result, target, percent…). Numbers are numbers (never text) with number formats — whole
numbers ``#,##0``, percents ``#,##0.0`` — which Excel shows with the reader's separators
(7.623 and 84,7 in a Vietnamese Excel). Text is always text: a title that starts with "=" is
never a formula (``core.sheets``)."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from django.utils import timezone

from duan8.core import sheets
from duan8.core.formatting import format_date, format_datetime
from duan8.reportforms.fill import Filled
from duan8.reportforms.models import PERCENTS, SHEET_HEADERS, RowKind

FIRST_COLUMNS = ["STT", "Chỉ tiêu", "Đơn vị tính"]
WHOLE = "#,##0"
DECIMAL = "#,##0.00"
PERCENT = "#,##0.0"


def filename(filled: Filled) -> str:
    """bieu-mau-01-DA8-<unit code>-<period>.xlsx (ASCII only)."""
    import unicodedata

    def ascii(text: str) -> str:
        text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
        text = text.encode("ascii", "ignore").decode()
        return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")

    parts = ["bieu-mau", ascii(filled.form.code) or str(filled.form.pk)]
    parts += [ascii(filled.unit.code or "") or str(filled.unit.pk), filled.period.code]
    return "-".join(p for p in parts if p) + ".xlsx"


def meta_lines(filled: Filled) -> list[tuple[str, str]]:
    """The lines above the table: (style, text)."""
    form = filled.form
    lines = []
    if form.code:
        lines.append(("plain", f"Biểu số: {form.code}"))
    lines.append(("title", form.title))
    if form.legal_basis:
        lines.append(("italic", f"(Căn cứ: {form.legal_basis})"))
    lines.append(("plain", f"Đơn vị báo cáo: {filled.unit.name}"))
    lines.append(("plain", f"Kỳ báo cáo: {filled.period.label} ({filled.period.code})"))
    lines.append(("plain", f"Số liệu theo đơn vị hành chính ngày {format_date(filled.day)}"))
    return lines


def _sheet_name(filled: Filled) -> str:
    name = re.sub(r"[\[\]:*?/\\']", "-", filled.form.code or "Biểu mẫu").strip() or "Biểu mẫu"
    return name[:31]


def _number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def workbook(filled: Filled) -> bytes:
    """The .xlsx of ``filled`` (build it under ``translation.override("vi")`` so that period
    names and measure labels are Vietnamese too)."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(_sheet_name(filled))
    font = {"font_name": "Times New Roman", "font_size": 12}
    fmt = {
        "plain": book.add_format({**font}),
        "title": book.add_format({**font, "bold": True, "font_size": 14, "align": "center"}),
        "italic": book.add_format({**font, "italic": True, "align": "center"}),
        "header": book.add_format(
            {
                **font,
                "bold": True,
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                "bg_color": "#DDEBF7",
            }
        ),
        "text": book.add_format({**font, "border": 1, "text_wrap": True, "valign": "top"}),
        "center": book.add_format({**font, "border": 1, "align": "center", "valign": "top"}),
        "heading": book.add_format({**font, "border": 1, "bold": True, "text_wrap": True}),
        "subtotal": book.add_format(
            {**font, "border": 1, "bold": True, "italic": True, "text_wrap": True}
        ),
        "empty": book.add_format({**font, "border": 1}),
        "note": book.add_format({**font, "italic": True, "font_size": 11, "text_wrap": True}),
    }
    numbers = {}
    for style in ("plain", "heading", "subtotal"):
        extra = {"bold": True} if style != "plain" else {}
        if style == "subtotal":
            extra["italic"] = True
        for name, code in (("whole", WHOLE), ("decimal", DECIMAL), ("percent", PERCENT)):
            numbers[(style, name)] = book.add_format(
                {**font, **extra, "border": 1, "num_format": code}
            )

    kinds = filled.kinds
    width = len(FIRST_COLUMNS) + filled.width
    last = width - 1

    def text(row: int, col: int, value: str, style) -> None:
        # Always a string cell, whatever it starts with: never a formula.
        sheet.write_string(row, col, sheets.safe_value(value or ""), style)

    row = 0
    for style, line in meta_lines(filled):
        if last > 0:
            sheet.merge_range(row, 0, row, last, "", fmt[style])
        text(row, 0, line, fmt[style])
        row += 1
    row += 1
    header = row
    # Two header rows: each column's header merged over its cells, then what each cell shows.
    for col, name in enumerate(FIRST_COLUMNS):
        sheet.merge_range(header, col, header + 1, col, "", fmt["header"])
        text(header, col, name, fmt["header"])
    col = len(FIRST_COLUMNS)
    for column in filled.columns:
        if len(kinds) > 1:
            sheet.merge_range(header, col, header, col + len(kinds) - 1, "", fmt["header"])
        text(header, col, column.header, fmt["header"])
        for offset, kind in enumerate(kinds):
            text(header + 1, col + offset, SHEET_HEADERS[kind], fmt["header"])
        col += len(kinds)
    row = header + 2
    for line in filled.lines:
        style = {RowKind.HEADING: "heading", RowKind.SUBTOTAL: "subtotal"}.get(line.kind, "plain")
        text_style = fmt["text"] if style == "plain" else fmt[style]
        text(row, 0, line.number, fmt["center"] if style == "plain" else fmt[style])
        text(row, 1, line.label, text_style)
        text(row, 2, line.unit_of_measure, fmt["center"] if style == "plain" else fmt[style])
        col = len(FIRST_COLUMNS)
        for cells in line.cells:
            for kind, value in zip(kinds, cells, strict=True):
                if value is None:
                    sheet.write_blank(row, col, None, fmt["empty"])
                else:
                    if kind in PERCENTS:
                        shape = "percent"
                    elif value == value.to_integral_value():
                        shape = "whole"
                    else:
                        shape = "decimal"
                    sheet.write_number(row, col, _number(value), numbers[(style, shape)])
                col += 1
        row += 1
    row += 1
    if filled.form.notes:
        if last > 0:
            sheet.merge_range(row, 0, row, last, "", fmt["note"])
        text(row, 0, filled.form.notes, fmt["note"])
        row += 1
    footer = (
        "Số liệu do duan8 tổng hợp từ dữ liệu đã nhập, lúc "
        f"{format_datetime(timezone.localtime(filled.read_at))}."
    )
    text(row, 0, footer, fmt["note"])

    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 48)
    sheet.set_column(2, 2, 10)
    if filled.width:
        sheet.set_column(len(FIRST_COLUMNS), last, 13)
    sheet.set_row(header + 1, 45)
    sheet.freeze_panes(header + 2, len(FIRST_COLUMNS))
    sheet.repeat_rows(header, header + 1)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    book.close()
    return out.getvalue()
