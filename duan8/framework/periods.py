"""Reporting periods of targets: a year ("2024"), a half-year ("2024-H2") or a phase
("2021-2025"), each a span of dates [start, end)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Period:
    kind: str  # year, half, phase
    start: datetime.date
    end: datetime.date  # exclusive

    @property
    def code(self) -> str:
        if self.kind == "year":
            return str(self.start.year)
        if self.kind == "half":
            return f"{self.start.year}-H{1 if self.start.month == 1 else 2}"
        return f"{self.start.year}-{self.end.year - 1}"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("Year %(year)d") % {"year": self.start.year}
        if self.kind == "half":
            half = 1 if self.start.month == 1 else 2
            return _("Half %(half)d of %(year)d") % {"half": half, "year": self.start.year}
        return _("Phase %(first)d–%(last)d") % {"first": self.start.year, "last": self.end.year - 1}

    def __str__(self) -> str:
        return self.code


_YEAR = re.compile(r"^(\d{4})$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_PHASE = re.compile(r"^(\d{4})-(\d{4})$")


def parse(code: str) -> Period:
    """ "2024", "2024-H2" or "2021-2025"; ValueError otherwise."""
    code = (code or "").strip().upper()
    if match := _YEAR.match(code):
        year = int(match[1])
        return Period("year", datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1))
    if match := _HALF.match(code):
        year, half = int(match[1]), int(match[2])
        start = datetime.date(year, 1 if half == 1 else 7, 1)
        end = datetime.date(year, 7, 1) if half == 1 else datetime.date(year + 1, 1, 1)
        return Period("half", start, end)
    if match := _PHASE.match(code):
        first, last = int(match[1]), int(match[2])
        if last >= first:
            return Period("phase", datetime.date(first, 1, 1), datetime.date(last + 1, 1, 1))
    raise ValueError(f"not a period: {code!r}")


def of_phase(start: datetime.date, end: datetime.date) -> Period:
    return Period("phase", start, end)
