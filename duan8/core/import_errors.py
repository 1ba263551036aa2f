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
BAD = PatternFill(fill_type="solid", start_color="FFC7CE", end_color="FFC7CE")
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _folder(user) -> Path:
    return Path(settings.MEDIA_ROOT) / "import-errors" / str(user.pk)


def annotate(upload, errors: list[sheets.RowError]) -> bytes | None:
    """The uploaded workbook with each error's cell marked; None when it cannot be copied."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_ANNOTATED_BYTES:
        return None
    try:
        sheets.check_package(upload)
        upload.seek(0)
        book = load_workbook(upload)
    except Exception:  # a file too damaged to read has only the page's list
        return None
    sheet = book.worksheets[0]
    columns = {
        fold(str(cell.value)): cell.column for cell in sheet[1] if cell.value not in (None, "")
    }
    notes: dict[tuple[int, int], list[str]] = {}
    for error in errors:
        if error.row < 1:
            continue
        column = columns.get(fold(error.column), 1)
        notes.setdefault((error.row, column), []).append(error.message)
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


def keep(user, upload, errors: list[sheets.RowError]) -> str | None:
    """Store the annotated copy for ``user``; the address to download it, or None."""
    content = annotate(upload, errors)
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


def context(request, upload, refused: sheets.ImportRefused) -> dict:
    """What an import page shows for a refused file: the list, and the annotated copy."""
    return {"errors": refused.errors, "annotated_url": keep(request.user, upload, refused.errors)}


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
