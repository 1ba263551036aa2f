"""A refused import handed back in the officer's own file: a copy of the uploaded workbook with
each bad cell filled red and its reason in a comment, so she fixes it in Excel and uploads
again.

The copy is kept for a day in the media folder, under the id of the user who uploaded it, and
is served to that user only (``download``)."""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from duan8.core import sheets
from duan8.geo.matching import fold

KEPT_SECONDS = 24 * 3600
# Larger uploads are not copied (the list on the page still says everything).
MAX_ANNOTATED_BYTES = 20 * 1024 * 1024
MAX_ANNOTATED_UNPACKED = 40 * 1024 * 1024  # loaded whole to be copied: kept small
BAD = PatternFill(fill_type="solid", start_color="FFC7CE", end_color="FFC7CE")
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _folder(user) -> Path:
    return Path(settings.MEDIA_ROOT) / "import-errors" / str(user.pk)


def _unpacked_size(upload) -> int:
    import zipfile

    upload.seek(0)
    with zipfile.ZipFile(upload) as package:
        return sum(part.file_size for part in package.infolist())


def annotate(upload, errors: list[sheets.RowError], columns=None) -> bytes | None:
    """The uploaded workbook with each error's cell marked; None when it cannot be copied (a
    damaged file, one too large to load whole, or errors that name no cell). ``columns``, the
    import's, find a column the file names by one of its aliases."""
    cells = [e for e in errors if e.row >= 2 and e.column]
    size = getattr(upload, "size", None)
    if not cells or (size is not None and size > MAX_ANNOTATED_BYTES):
        return None
    try:
        sheets.check_package(upload)
        if _unpacked_size(upload) > MAX_ANNOTATED_UNPACKED:
            return None
        upload.seek(0)
        book = load_workbook(upload)
    except Exception:  # a file too damaged to read has only the page's list
        return None
    sheet = book.worksheets[0]
    header = [(cell.column, str(cell.value)) for cell in sheet[1] if cell.value not in (None, "")]
    by_header = {column.header: column for column in columns or ()}

    def position(name: str) -> int:
        column = by_header.get(name)
        for index, text in header:
            if column.matches(text) if column else fold(text) == fold(name):
                return index
        return 1

    notes: dict[tuple[int, int], list[str]] = {}
    for error in cells:
        notes.setdefault((error.row, position(error.column)), []).append(error.message)
    for (row, column), messages in notes.items():
        cell = sheet.cell(row=row, column=column)
        cell.fill = BAD
        comment = Comment("\n".join(messages), "duan8")
        comment.width, comment.height = 300, 40 + 20 * len(messages)
        cell.comment = comment
    import io

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def keep(user, upload, errors: list[sheets.RowError], columns=None) -> str | None:
    """Store the annotated copy for ``user``; the address to download it, or None."""
    content = annotate(upload, errors, columns)
    if content is None:
        return None
    folder = _folder(user)
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in folder.glob("*.xlsx"):
        if now - old.stat().st_mtime > KEPT_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    path = folder / f"{token}.xlsx"
    path.write_bytes(content)
    path.chmod(0o600)
    return reverse("core:import_errors", args=[token])


@login_required
def download(request, token: str):
    """The annotated copy of the signed-in user's own refused import."""
    if not _TOKEN.match(token):
        raise Http404
    path = _folder(request.user) / f"{token}.xlsx"
    if not path.is_file():
        raise Http404(_("This file is no longer kept; import the file again to see its errors."))
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename="loi-nhap-du-lieu.xlsx",
        content_type=sheets.XLSX,
    )
