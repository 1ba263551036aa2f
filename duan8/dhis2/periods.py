"""duan8 periods ↔ DHIS2 period identifiers.

    duan8        DHIS2
    2024         2024        year
    2024-H1      2024S1      six-month (January–June; S2: July–December)
    2024-Q3      2024Q3      quarter
    2024-07      202407      month

Anything else DHIS2 knows (weeks, days, financial years, six-months starting in April…) and
duan8's phases have no counterpart here: reading one raises ``ValueError`` (an import answers
"malformed period").
"""

from __future__ import annotations

import datetime
import re

from duan8.framework import periods
from duan8.framework.periods import Period

_YEAR = re.compile(r"^(\d{4})$")
_HALF = re.compile(r"^(\d{4})S([12])$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})(\d{2})$")


def to_dhis2(period: Period) -> str:
    """The DHIS2 identifier of ``period``; ValueError for a phase."""
    year = period.start.year
    if period.kind == "year":
        return str(year)
    if period.kind == "half":
        return f"{year}S{1 if period.start.month == 1 else 2}"
    if period.kind == "quarter":
        return f"{year}Q{(period.start.month - 1) // 3 + 1}"
    if period.kind == "month":
        return f"{year}{period.start.month:02d}"
    raise ValueError(f"no DHIS2 period for {period.code!r}")


def from_dhis2(text: str) -> Period:
    """The duan8 period a DHIS2 identifier names; ValueError for anything else."""
    text = (text or "").strip()
    if match := _YEAR.match(text):
        return periods.of("year", datetime.date(int(match[1]), 1, 1))
    if match := _HALF.match(text):
        return periods.of("half", datetime.date(int(match[1]), 1 if match[2] == "1" else 7, 1))
    if match := _QUARTER.match(text):
        return periods.of("quarter", datetime.date(int(match[1]), 3 * int(match[2]) - 2, 1))
    if (match := _MONTH.match(text)) and 1 <= int(match[2]) <= 12:
        return periods.of("month", datetime.date(int(match[1]), int(match[2]), 1))
    raise ValueError(f"not a DHIS2 period: {text!r}")


def parse_either(text: str) -> Period:
    """A period written the DHIS2 way or duan8's (for an export's query); ValueError else."""
    try:
        return from_dhis2(text)
    except ValueError:
        period = periods.parse(text)
        to_dhis2(period)  # a phase has no DHIS2 identifier
        return period
