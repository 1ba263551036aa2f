"""PDF from a Word file by LibreOffice headless, where it is installed (Debian's
``libreoffice-writer-nogui``). The Word file is always available; without LibreOffice the
PDF is refused with a message saying so.

Each conversion runs in a temporary folder of its own, with its own LibreOffice profile
(``-env:UserInstallation``), so that conversions at the same time do not collide, and under
a time limit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

TIMEOUT = 120  # seconds


class PdfUnavailable(Exception):
    """No PDF could be made; the message (in the page's language) says why."""


def converter() -> str | None:
    explicit = os.environ.get("DUAN8_SOFFICE")
    if explicit:
        return explicit if Path(explicit).exists() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return converter() is not None


def to_pdf(docx: bytes, *, timeout: int = TIMEOUT) -> bytes:
    program = converter()
    if program is None:
        raise PdfUnavailable(
            _(
                "A PDF needs LibreOffice, which is not installed on this server: download the "
                "Word file, or ask the administrator to install libreoffice-writer-nogui."
            )
        )
    with tempfile.TemporaryDirectory(prefix="duan8-pdf-") as folder:
        work = Path(folder)
        source = work / "document.docx"
        source.write_bytes(docx)
        profile = work / "profile"
        command = [
            program,
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        environment = {**os.environ, "HOME": str(work)}
        try:
            subprocess.run(
                command, capture_output=True, timeout=timeout, env=environment, check=False
            )
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(
                _("LibreOffice took longer than %(n)d seconds to make the PDF.") % {"n": timeout}
            ) from None
        result = work / "document.pdf"
        if not result.exists():
            raise PdfUnavailable(_("LibreOffice could not convert this Word file to PDF."))
        return result.read_bytes()
