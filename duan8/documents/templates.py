"""Which Word template lays out a document: the province's own for the kind, else its own
for every kind, else the one shipped with duan8 (``DEFAULT``), drawn from code by
``word.default_template`` (``duan8 document_template`` writes it again)."""

from __future__ import annotations

import functools
from pathlib import Path

from duan8.documents import word
from duan8.documents.models import DocumentTemplate

DEFAULT = (
    Path(__file__).resolve().parents[1] / "templates" / "documents" / "docx" / "mau-van-ban.docx"
)


@functools.cache
def default_bytes() -> bytes:
    if DEFAULT.exists():
        return DEFAULT.read_bytes()
    return word.default_template()


def owners(unit) -> list:
    """The units whose templates apply to ``unit``: its province, then the nation."""
    chain = [*unit.ancestors(), unit]
    provinces = [u for u in chain if u.kind == "province"]
    nations = [u for u in chain if u.parent_id is None]
    return provinces[-1:] + nations[:1]


def template_for(unit, kind: str) -> DocumentTemplate | None:
    for owner in owners(unit):
        found = {
            t.kind: t for t in DocumentTemplate.objects.filter(unit=owner, kind__in=[kind, ""])
        }
        chosen = found.get(kind) or found.get("")
        if chosen is not None:
            return chosen
    return None


def bytes_for(unit, kind: str) -> bytes:
    chosen = template_for(unit, kind)
    if chosen is not None:
        try:
            with chosen.file.open("rb") as handle:
                return handle.read()
        except FileNotFoundError:
            pass
    return default_bytes()
