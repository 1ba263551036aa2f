"""Translation catalogue without GNU gettext: extract, check and compile with Babel.

Django's makemessages/compilemessages need the gettext binaries, which a fresh machine may not
have. Babel is pure Python: templates are turned into Python-like source by Django's own
``templatize`` (what makemessages feeds to xgettext) and read by Babel's Python extractor.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

PACKAGE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = PACKAGE_DIR / "locale"
DOMAIN = "django"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}


def _sources() -> Iterator[Path]:
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if "migrations" in path.parts or "static" in path.parts:
            continue
        if path.suffix in {".py", ".html", ".txt"} and path.is_file():
            yield path


def _python_source(path: Path) -> bytes:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        return text.encode()
    from django.utils.translation.template import templatize

    # Python's tokenizer would trip over the template's indentation; line numbers are kept.
    pseudo = templatize(text, origin=str(path))
    return "\n".join(line.lstrip() for line in pseudo.splitlines()).encode()


def extract() -> dict[tuple[str, str | None], list[str]]:
    """(msgid, context) → places, for every string marked for translation in the package."""
    found: dict[tuple[str, str | None], list[str]] = {}
    for path in _sources():
        source = _python_source(path)
        options = {"encoding": "utf-8"}
        for lineno, _funcname, messages, _comments, context in _extract(source, options):
            msgid = messages[0] if isinstance(messages, (tuple, list)) else messages
            if not msgid:
                continue
            key = (msgid, context)
            found.setdefault(key, []).append(f"{path.relative_to(PACKAGE_DIR)}:{lineno}")
    return found


def _extract(source: bytes, options: dict):
    for item in extract_python(io.BytesIO(source), KEYWORDS.keys(), [], options):
        lineno, funcname, messages, comments = item[:4]
        context = None
        spec = KEYWORDS.get(funcname)
        if isinstance(messages, (tuple, list)) and spec and isinstance(spec[0], tuple):
            context, messages = messages[0], messages[1:]
        yield lineno, funcname, messages, comments, context


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def load(language: str) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=language, domain=DOMAIN)
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def update(language: str) -> tuple[int, int]:
    """Add new strings to the language's .po (untranslated) and drop vanished ones."""
    catalog = load(language)
    found = extract()
    added = removed = 0
    for (msgid, context), places in found.items():
        if catalog.get(msgid, context=context) is None:
            catalog.add(msgid, "", context=context)
            added += 1
        catalog.get(msgid, context=context).locations = [
            (place.rsplit(":", 1)[0], int(place.rsplit(":", 1)[1])) for place in places
        ]
    for message in list(catalog):
        if message.id and (message.id, message.context) not in found:
            catalog.delete(message.id, context=message.context)
            removed += 1
    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True)
    return added, removed


def missing(language: str) -> list[str]:
    """Marked strings that the language's catalogue lacks or leaves untranslated or fuzzy."""
    catalog = load(language)
    problems = []
    for (msgid, context), places in extract().items():
        message = catalog.get(msgid, context=context)
        if message is None or not message.string or message.fuzzy:
            problems.append(f"{msgid!r} ({places[0]})")
    return problems


def compile_all() -> list[Path]:
    written = []
    for po in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        language = po.parent.parent.name
        catalog = load(language)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as handle:
            write_mo(handle, catalog)
        written.append(mo)
    return written
