"""Word files in the layout of Decree 30/2020/NĐ-CP (Appendix I), written with python-docx.

The layout lives in a template FILE: page size and margins, fonts, the two-column header
(parent body and issuing body with a short rule, number and symbol; national motto with its
rule, place and date), the kind's name and summary line, the place of the body, and the
signature block (recipients; signing authority, title, name). The data fills its
``{{placeholders}}``; the body (paragraphs and tables built in ``content``) goes where
``{{body}}`` stands. ``default_template`` draws the template shipped with duan8; a province
may upload its own (a copy of it edited in Word), see ``templates.template_for``.

Placeholders: parent_body, issuing_body, number, place_date, kind_name, summary, body,
recipients, signer_authority, signer_title, signer_name.
"""

from __future__ import annotations

import copy
import io
import re

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

FONT = "Times New Roman"
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")

# Decree 30, Appendix I: A4; top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
PAGE = {"width": Mm(210), "height": Mm(297), "top": Mm(20), "bottom": Mm(20)}
LEFT, RIGHT = Mm(30), Mm(15)
TEXT_WIDTH = Mm(210 - 30 - 15)
BODY_PT = 14
TABLE_PT = 12
ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


# The default template ---------------------------------------------------------------------------


def default_template() -> bytes:
    """The template duan8 ships: every document kind in the decree's layout."""
    doc = Document()
    _page(doc.sections[0])
    normal = doc.styles["Normal"]
    _font(normal.element.get_or_add_rPr())
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.0
    body = doc.element.body
    for paragraph in list(doc.paragraphs):
        body.remove(paragraph._p)

    header = _borderless(doc.add_table(rows=1, cols=2), [Mm(65), Mm(100)])
    left, right = header.rows[0].cells
    _line(left.paragraphs[0], "{{parent_body}}", 13)
    _line(left.add_paragraph(), "{{issuing_body}}", 13, bold=True)
    _rule(left.add_paragraph(), Mm(20))
    _line(left.add_paragraph(), "Số: {{number}}", 13, before=6)
    _line(right.paragraphs[0], MOTTO[0], 12, bold=True)
    _line(right.add_paragraph(), MOTTO[1], 13, bold=True)
    _rule(right.add_paragraph(), Mm(23))
    _line(right.add_paragraph(), "{{place_date}}", 14, italic=True, before=6)

    _line(doc.add_paragraph(), "{{kind_name}}", 14, bold=True, before=18)
    _line(doc.add_paragraph(), "{{summary}}", 14, bold=True)
    _rule(doc.add_paragraph(), Mm(60))
    body_marker = doc.add_paragraph("{{body}}")
    body_marker.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    signature = _borderless(doc.add_table(rows=1, cols=2), [Mm(80), Mm(85)])
    left, right = signature.rows[0].cells
    _line(left.paragraphs[0], "Nơi nhận:", 12, bold=True, italic=True, align="left", before=12)
    _line(left.add_paragraph(), "{{recipients}}", 11, align="left")
    _line(right.paragraphs[0], "{{signer_authority}}", 14, bold=True, before=12)
    _line(right.add_paragraph(), "{{signer_title}}", 14, bold=True)
    for _ in range(4):
        _line(right.add_paragraph(), "", 14)
    _line(right.add_paragraph(), "{{signer_name}}", 14, bold=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page(section) -> None:
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE["width"], PAGE["height"]
    section.top_margin, section.bottom_margin = PAGE["top"], PAGE["bottom"]
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.header_distance = Mm(10)
    # Page numbers from the second page, centred in the top margin (Appendix I, 4.c).
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _font(rpr) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def _line(paragraph, text, size, *, bold=False, italic=False, align="center", before=0):
    paragraph.alignment = ALIGN[align]
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.space_before = Pt(before)
    run = paragraph.add_run(text)
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold = bold
    run.italic = italic
    return paragraph


def _rule(paragraph, indent) -> None:
    """A rule under the line above: the bottom border of an empty paragraph narrowed by
    ``indent`` on both sides."""
    paragraph.paragraph_format.left_indent = indent
    paragraph.paragraph_format.right_indent = indent
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = Pt(2)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def _borderless(table, widths):
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _table_borders(table, "nil")
    _widths(table, widths)
    return table


def _widths(table, widths) -> None:
    """Column widths on the grid (LibreOffice reads these) and on every cell (Word does)."""
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _table_borders(table, value: str) -> None:
    tblpr = table._tbl.tblPr
    for old in tblpr.findall(qn("w:tblBorders")):
        tblpr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), value)
        if value != "nil":
            element.set(qn("w:sz"), "4")
            element.set(qn("w:space"), "0")
            element.set(qn("w:color"), "000000")
        borders.append(element)
    tblpr.append(borders)


# Filling a template -----------------------------------------------------------------------------


def render(template: bytes, values: dict[str, str], blocks: list[dict], sections: dict) -> bytes:
    """The Word file: ``template`` with its placeholders filled from ``values`` (text; lines
    separated by newlines become paragraphs) and the body's ``blocks`` in place of
    ``{{body}}``. Without the national motto (``values['show_motto']`` false) its lines and
    rule are left out."""
    doc = Document(io.BytesIO(template))
    if not values.get("show_motto", True):
        _drop_motto(doc)
    marker = next((p for p in _paragraphs(doc) if "{{body}}" in p.text), None)
    for paragraph in list(_paragraphs(doc)):
        if marker is None or paragraph._p is not marker._p:
            _fill(paragraph, values)
    if marker is not None:
        _write_body(doc, marker, blocks, sections)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _paragraphs(doc):
    yield from _in(doc)
    for section in doc.sections:
        for part in (section.header, section.first_page_header, section.footer):
            if not part.is_linked_to_previous:
                yield from _in(part)


def _in(container):
    yield from container.paragraphs
    for table in container.tables:
        for row in table.rows:
            seen = set()
            for cell in row.cells:
                if id(cell._tc) in seen:  # merged cells repeat
                    continue
                seen.add(id(cell._tc))
                yield from _in(cell)


def _fill(paragraph, values: dict) -> None:
    text = paragraph.text
    if "{{" not in text:
        return
    names = PLACEHOLDER.findall(text)
    if not names:
        return
    whole = PLACEHOLDER.fullmatch(text.strip())
    if whole:
        value = str(values.get(whole.group(1), ""))
        lines = [line for line in value.split("\n")] if value else []
        if not lines:
            paragraph._p.getparent().remove(paragraph._p)
            return
        _set_text(paragraph, lines[0])
        previous = paragraph._p
        for line in lines[1:]:
            clone = copy.deepcopy(paragraph._p)
            previous.addnext(clone)
            previous = clone
            from docx.text.paragraph import Paragraph

            _set_text(Paragraph(clone, paragraph._parent), line)
        return
    filled = PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "")).replace("\n", " "), text)
    _set_text(paragraph, filled)


def _set_text(paragraph, text: str) -> None:
    """Put ``text`` in the paragraph's first run (its formatting kept), emptying the others —
    Word splits a typed placeholder into runs at will."""
    runs = paragraph.runs
    if not runs:
        paragraph.add_run(text)
        return
    runs[0].text = text
    for run in runs[1:]:
        run._r.getparent().remove(run._r)


def _drop_motto(doc) -> None:
    found = False
    for paragraph in _paragraphs(doc):
        if paragraph.text.strip() in MOTTO:
            _set_text(paragraph, "")
            found = True
            continue
        if found and not paragraph.text.strip():
            ppr = paragraph._p.pPr
            if ppr is not None:
                for border in ppr.findall(qn("w:pBdr")):
                    ppr.remove(border)
            found = False


def _write_body(doc, marker, blocks: list[dict], sections: dict) -> None:
    """The body's paragraphs and tables, in order, where the marker stands (then removed)."""
    for block in blocks:
        kind = block.get("t")
        if kind == "h":
            _paragraph(doc, marker, block["text"], bold=True, indent=False)
        elif kind == "p":
            _paragraph(
                doc,
                marker,
                block["text"],
                bold=block.get("bold", False),
                italic=block.get("italic", False),
                center=block.get("center", False),
            )
        elif kind == "s":
            for line in str(sections.get(block["key"], "")).splitlines():
                if line.strip():
                    _paragraph(
                        doc,
                        marker,
                        line.strip(),
                        bold=block.get("bold", False),
                        center=block.get("center", False),
                    )
        elif kind == "table":
            _table(doc, marker, block)
    marker._p.getparent().remove(marker._p)


def _paragraph(doc, marker, text, *, bold=False, italic=False, center=False, indent=True):
    paragraph = doc.add_paragraph()
    marker._p.addprevious(paragraph._p)
    paragraph.paragraph_format.alignment = ALIGN["center" if center else "justify"]
    if indent and not center:
        paragraph.paragraph_format.first_line_indent = Cm(1)
    paragraph.paragraph_format.space_before = Pt(3)
    paragraph.paragraph_format.space_after = Pt(3)
    run = paragraph.add_run(text)
    run.bold = bold
    run.italic = italic
    return paragraph


def _table(doc, marker, block: dict) -> None:
    head, rows = block["head"], block["rows"]
    table = doc.add_table(rows=1 + len(rows), cols=len(head))
    marker._p.addprevious(table._tbl)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _table_borders(table, "single")
    size = Pt(TABLE_PT if len(head) <= 6 else 11)
    align = block.get("align") or []
    table.autofit = False
    _widths(table, _column_widths(head, align))
    # The header row repeats on every page the table runs over.
    trpr = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    trpr.append(repeat)
    for index, row in enumerate([head, *rows]):
        is_head = index == 0
        is_total = block.get("total") and index == len(rows)
        for column, (cell, text) in enumerate(zip(table.rows[index].cells, row, strict=False)):
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.first_line_indent = None
            how = "center" if is_head else (align[column] if column < len(align) else "left")
            paragraph.alignment = ALIGN[how]
            run = paragraph.add_run(str(text))
            run.font.size = size
            run.bold = is_head or bool(is_total)
    # A little space after the table, before the text that follows.
    spacer = doc.add_paragraph()
    spacer.paragraph_format.space_after = Pt(0)
    marker._p.addprevious(spacer._p)


def _column_widths(head: list[str], align: list[str]) -> list[int]:
    """A narrow number column (STT, wide enough for its title on one line at 11 pt beside
    eight other columns), wide text columns, even figure columns."""
    weights = []
    for index, title in enumerate(head):
        how = align[index] if index < len(align) else "left"
        if title == "STT":
            weights.append(0.8)
        elif how == "left":
            weights.append(3.0)
        else:
            weights.append(1.1)
    total = sum(weights)
    return [int(TEXT_WIDTH * weight / total) for weight in weights]


# Reading back (tests, previews) ---------------------------------------------------------------


def tables_of(data: bytes) -> list[list[list[str]]]:
    """Every table of a Word file as rows of cell texts (the header and signature included)."""
    doc = Document(io.BytesIO(data))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in doc.tables]


def text_of(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return "\n".join(p.text for p in _paragraphs(doc))
