"""Finding units by the names people write: without diacritics, with wrong tone marks, i for y,
any case, with or without the type word ("Xã", "TT.", "H.").

``key`` reduces a name to a comparison key; ``match`` returns candidates with a confidence and
never silently picks one of two plausible units.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

# Type words and their abbreviations, longest first; each maps to the unit kind it names.
# "Thành phố" is a province-level or a district-level city, so it hints at no kind.
TYPE_WORDS: list[tuple[str, str | None]] = [
    ("thanh pho", None),
    ("thi tran", "commune"),
    ("dac khu", "commune"),
    ("thi xa", "district"),
    ("phuong", "commune"),
    ("huyen", "district"),
    ("quan", "district"),
    ("tinh", "province"),
    ("xa", "commune"),
    ("tp", None),
    ("tt", "commune"),
    ("tx", "district"),
    ("h", "district"),
    ("q", "district"),
    ("x", "commune"),
    ("p", "commune"),
]
_PUNCTUATION = re.compile(r"[.,;:()\[\]\"'’/\\-]+")


def fold(text: str) -> str:
    """Lower case, no diacritics, đ → d, single spaces."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = _PUNCTUATION.sub(" ", text.lower())
    return " ".join(text.split())


def split_type(folded: str) -> tuple[str | None, str]:
    for word, kind in TYPE_WORDS:
        if folded.startswith(word + " "):
            return kind, folded[len(word) + 1 :]
        if folded == word and len(word) > 1:
            return kind, ""
    return None, folded


def kind_hint(text: str) -> str | None:
    """The unit kind a leading type word names ("huyện Sìn Hồ" → district), if any."""
    return split_type(fold(text))[0]


def name_key(short_name: str) -> str:
    """The stored key of a unit's short name: folded, y written as i, nothing stripped.

    Short names carry no type word, and some begin with a word that looks like one
    (Phương Liệt, Quan Sơn, Tịnh Biên), so nothing may be cut from them.
    """
    return fold(short_name).replace("y", "i")


def keys(text: str) -> list[str]:
    """Keys an input may mean: as written, and without a leading type word if it has one."""
    folded = fold(text)
    kind, rest = split_type(folded)
    if kind is not None and not rest:
        return []  # only a type word
    variants = [folded]
    if rest and rest != folded:
        variants.insert(0, rest)
    return [variant.replace("y", "i") for variant in variants if variant]


def key(text: str) -> str:
    """The main key of an input: without its type word ("huyện Sìn Hồ" → "sin ho")."""
    found = keys(text)
    return found[0] if found else ""


def prefilter(text: str):
    """A database filter that keeps every unit ``match`` could find plausible for ``text``.

    Units that share no word of two or more letters with the input are left out: a typo
    in one word ("Sinh Hồ") still finds the unit through the other.
    """
    from django.db.models import Q

    words = {word for variant in keys(text) for word in variant.split()}
    long_words = [w for w in words if len(w) >= 2] or list(words)
    query = Q(pk__in=[])
    for word in long_words:
        query |= Q(search_key__contains=word)
    return query


def _written_forms(text: str) -> set[str]:
    """The input in lower case with its diacritics, with and without the leading type word."""
    words = unicodedata.normalize("NFC", text).lower().replace(".", ". ").split()
    forms = {" ".join(words)}
    _, rest = split_type(fold(text))
    if rest:
        forms.add(" ".join(words[len(words) - len(rest.split()) :]))
    return forms


EXACT = 1.0
SAME_KEY = 0.9
PLAUSIBLE = 0.8
CLOSE_CALL = 0.1


@dataclass
class Candidate:
    unit: object
    confidence: float
    reason: str


@dataclass
class Match:
    """``status``: exact, fuzzy (one plausible unit, written differently), ambiguous or none."""

    text: str
    status: str
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def unit(self):
        return self.candidates[0].unit if self.status in ("exact", "fuzzy") else None

    @property
    def is_fuzzy(self) -> bool:
        return self.status == "fuzzy"


def score(text: str, unit) -> Candidate | None:
    wanted = keys(text)
    if not wanted:
        return None
    have = unit.search_key or name_key(unit.short_name)
    if have in wanted:
        written = _written_forms(text)
        names = {unicodedata.normalize("NFC", n).lower() for n in (unit.short_name, unit.name)}
        if written & names:
            return Candidate(unit, EXACT, "exact")
        return Candidate(unit, SAME_KEY, "spelling")
    ratio = max(difflib.SequenceMatcher(None, w, have).ratio() for w in wanted)
    if ratio * SAME_KEY >= PLAUSIBLE:
        return Candidate(unit, round(ratio * SAME_KEY, 3), "similar")
    return None


def similarity(text: str, unit) -> float:
    """How alike the input and the unit's name are (0–1), diacritics and type words aside."""
    wanted = keys(text)
    have = unit.search_key or name_key(unit.short_name)
    if not wanted:
        return 0.0
    return max(difflib.SequenceMatcher(None, w, have).ratio() for w in wanted)


def match(text: str, units: Iterable) -> Match:
    """Match ``text`` against ``units``; exact, fuzzy, ambiguous or none.

    Two candidates within a close call of each other are ambiguous, unless the input's type
    word ("huyện", "xã", …) names the kind of exactly one of them.
    """
    candidates = [c for c in (score(text, u) for u in units) if c is not None]
    if not candidates:
        return Match(text, "none")
    hint = kind_hint(text)
    candidates.sort(key=lambda c: (-c.confidence, getattr(c.unit, "kind", None) != hint))
    best = candidates[0].confidence
    # An exact name (1.0) beats its spelling variants (0.9): the writer chose those marks.
    close = [c for c in candidates if best - c.confidence < CLOSE_CALL - 1e-9]
    if len(close) > 1 and hint:
        hinted = [c for c in close if getattr(c.unit, "kind", None) == hint]
        if len(hinted) == 1:
            close = hinted
    if len(close) > 1:
        return Match(text, "ambiguous", candidates)
    return Match(text, "exact" if best == EXACT else "fuzzy", candidates)
