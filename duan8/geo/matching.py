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


def _split_type(folded: str) -> tuple[str | None, str]:
    for word, kind in TYPE_WORDS:
        if folded.startswith(word + " "):
            return kind, folded[len(word) + 1 :]
        if folded == word and len(word) > 1:
            return kind, ""
    return None, folded


def kind_hint(text: str) -> str | None:
    """The unit kind a leading type word names ("huyện Sìn Hồ" → district), if any."""
    return _split_type(fold(text))[0]


def key(text: str) -> str:
    """The comparison key: folded, without the type word, y written as i."""
    _, rest = _split_type(fold(text))
    return rest.replace("y", "i")


def _exact_form(text: str) -> str:
    """The name as written, but without the type word and case: for telling exact matches."""
    folded = fold(text)
    _, rest = _split_type(folded)
    words = unicodedata.normalize("NFC", text).lower().split()
    return " ".join(words[len(words) - len(rest.split()) :]) if rest else ""


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
    wanted = key(text)
    have = unit.search_key or key(unit.short_name)
    if not wanted:
        return None
    if wanted == have:
        if _exact_form(text) == unicodedata.normalize("NFC", unit.short_name).lower():
            return Candidate(unit, EXACT, "exact")
        return Candidate(unit, SAME_KEY, "spelling")
    ratio = difflib.SequenceMatcher(None, wanted, have).ratio()
    if ratio * SAME_KEY >= PLAUSIBLE:
        return Candidate(unit, round(ratio * SAME_KEY, 3), "similar")
    return None


def match(text: str, units: Iterable) -> Match:
    """Match ``text`` against ``units``; exact, fuzzy, ambiguous or none."""
    candidates = [c for c in (score(text, u) for u in units) if c is not None]
    hint = kind_hint(text)
    if hint:
        hinted = [c for c in candidates if getattr(c.unit, "kind", None) == hint]
        candidates = hinted or candidates
    candidates.sort(key=lambda c: -c.confidence)
    if not candidates:
        return Match(text, "none")
    best = candidates[0].confidence
    rivals = [c for c in candidates[1:] if best - c.confidence < CLOSE_CALL]
    if rivals:
        return Match(text, "ambiguous", candidates)
    return Match(text, "exact" if best == EXACT else "fuzzy", candidates)
