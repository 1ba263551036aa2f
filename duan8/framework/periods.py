"""Periods of the field, one notion shared by targets, figures, submissions and dashboards.

A period is a span of dates [start, end) of one kind, written by its code:

    month     "2024-05"      Tháng 5/2024
    quarter   "2024-Q2"      Quý II/2024
    half      "2024-H1"      6 tháng đầu năm 2024 (H2: 6 tháng cuối năm)
    year      "2024"         Năm 2024
    phase     "2021-2025"    Giai đoạn 2021–2025 (a span of whole years; "2021-2024-H1" ends
                             with the first half of 2024: a phase read to a date)
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

KINDS = ("month", "quarter", "half", "year", "phase")
# How many months one period of each kind spans (a phase has its own length).
MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date  # exclusive

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    @property
    def code(self) -> str:
        year = self.start.year
        if self.kind == "month":
            return f"{year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "half":
            return f"{year}-H{1 if self.start.month == 1 else 2}"
        if self.kind == "year":
            return str(year)
        if self.end.month == 7:  # a span of years that ends with a first half
            return f"{year}-{self.end.year}-H1"
        return f"{year}-{self.end.year - 1}"

    @property
    def label(self) -> str:
        year = self.start.year
        if self.kind == "month":
            return _("Month %(month)d/%(year)d") % {"month": self.start.month, "year": year}
        if self.kind == "quarter":
            quarter = _ROMAN[(self.start.month - 1) // 3 + 1]
            return _("Quarter %(quarter)s/%(year)d") % {"quarter": quarter, "year": year}
        if self.kind == "half":
            if self.start.month == 1:
                return _("First half of %(year)d") % {"year": year}
            return _("Second half of %(year)d") % {"year": year}
        if self.kind == "year":
            return _("Year %(year)d") % {"year": year}
        if self.end.month == 7:
            return _("%(first)d to the first half of %(last)d") % {
                "first": year,
                "last": self.end.year,
            }
        return _("Phase %(first)d–%(last)d") % {"first": year, "last": self.end.year - 1}

    def __str__(self) -> str:
        return self.code

    def contains(self, other: Period | datetime.date) -> bool:
        if isinstance(other, Period):
            return self.start <= other.start and other.end <= self.end
        return self.start <= other < self.end

    def parts(self, kind: str) -> list[Period]:
        """The periods of ``kind`` that make up this one (the quarters of a year…)."""
        if kind not in MONTHS:
            raise ValueError(f"cannot split into {kind!r}")
        result, day = [], self.start
        while day < self.end:
            result.append(of(kind, day))
            day = result[-1].end
        return result

    def pieces(self) -> list[Period] | None:
        """The fewest whole years, then halves, quarters and months, that make up this period
        in order (2021-2024-H1: 2021, 2022, 2023, 2024-H1); None when it does not start and
        end on a month's first day."""
        result, day = [], self.start
        while day < self.end:
            for kind in ("year", "half", "quarter", "month"):
                piece = of(kind, day)
                if piece.start == day and piece.end <= self.end:
                    result.append(piece)
                    day = piece.end
                    break
            else:
                return None
        return result

    def previous(self) -> Period | None:
        """The period of the same kind just before (None for a phase)."""
        if self.kind not in MONTHS:
            return None
        return of(self.kind, _add_months(self.start, -MONTHS[self.kind]))

    def next(self) -> Period | None:
        if self.kind not in MONTHS:
            return None
        return of(self.kind, self.end)

    def elapsed_share(self, day: datetime.date) -> float:
        """How much of the period has passed on ``day`` (0 before it, 1 after it)."""
        if day < self.start:
            return 0.0
        if day >= self.last_day:
            return 1.0
        return ((day - self.start).days + 1) / (self.end - self.start).days


def of(kind: str, day: datetime.date) -> Period:
    """The period of ``kind`` that holds ``day`` (not for phases: they are data)."""
    if kind not in MONTHS:
        raise ValueError(f"not a period kind with a fixed length: {kind!r}")
    months = MONTHS[kind]
    first_month = (day.month - 1) // months * months + 1
    start = datetime.date(day.year, first_month, 1)
    return Period(kind, start, _add_months(start, months))


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_PHASE = re.compile(r"^(\d{4})-(\d{4})$")
_SPAN_TO_HALF = re.compile(r"^(\d{4})-(\d{4})-H1$")


def parse(code: str) -> Period:
    """ "2024-05", "2024-Q2", "2024-H2", "2024" or "2021-2025"; ValueError otherwise."""
    code = (code or "").strip().upper()
    if match := _MONTH.match(code):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            return of("month", datetime.date(year, month, 1))
    elif match := _QUARTER.match(code):
        return of("quarter", datetime.date(int(match[1]), 3 * int(match[2]) - 2, 1))
    elif match := _YEAR.match(code):
        return of("year", datetime.date(int(match[1]), 1, 1))
    elif match := _HALF.match(code):
        return of("half", datetime.date(int(match[1]), 1 if match[2] == "1" else 7, 1))
    elif match := _SPAN_TO_HALF.match(code):
        first, last = int(match[1]), int(match[2])
        if last >= first:
            return Period("phase", datetime.date(first, 1, 1), datetime.date(last, 7, 1))
    elif match := _PHASE.match(code):
        first, last = int(match[1]), int(match[2])
        if last >= first:
            return Period("phase", datetime.date(first, 1, 1), datetime.date(last + 1, 1, 1))
    raise ValueError(f"not a period: {code!r}")


def of_phase(start: datetime.date, end: datetime.date) -> Period:
    return Period("phase", start, end)


def to_date(phase: Period, period: Period) -> Period:
    """The phase from its start to the end of ``period``: what is achieved of the phase's
    targets by then (2021-2023 for 2023; 2021-2024-H1 for the first half of 2024)."""
    return Period("phase", phase.start, min(period.end, phase.end))
