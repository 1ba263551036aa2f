"""Vietnamese presentation of numbers, money and dates: 1.234.567; 7.588,63; dd/mm/yyyy.

Money is stored as whole đồng (integers). Official documents show it in millions of đồng
(triệu đồng) with two decimals, e.g. 7.588.630.000 đồng → "7.588,63".
"""

from __future__ import annotations

import datetime
import functools
from decimal import ROUND_HALF_UP, Decimal


def _group(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return ".".join(groups)


def format_number(value: int | float | Decimal | None, decimals: int = 0) -> str:
    """1234567 → "1.234.567"; format_number(7588.634, 2) → "7.588,63"."""
    if value is None or value == "":
        return ""
    quantum = Decimal(1).scaleb(-decimals)
    number = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    text = sign + _group(whole)
    if decimals:
        text += "," + fraction.ljust(decimals, "0")
    return text


def format_amount(value: int | float | Decimal | None) -> str:
    """1234 → "1.234"; 12.5 → "12,50": whole numbers without decimals."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    return format_number(number, 0 if number == number.to_integral_value() else 2)


def format_million_dong(amount_dong: int | None, decimals: int = 2) -> str:
    """Whole đồng shown in triệu đồng: 7588630000 → "7.588,63"."""
    if amount_dong is None:
        return ""
    return format_number(Decimal(amount_dong) / Decimal(1_000_000), decimals)


def format_percent(value: float | Decimal | None, decimals: int = 1) -> str:
    """84.7 → "84,7%"."""
    if value is None:
        return ""
    return format_number(value, decimals) + "%"


def format_date(value: datetime.date | None) -> str:
    """Dates as dd/mm/yyyy, the way every Vietnamese form writes them."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    from django.utils import timezone

    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%d/%m/%Y %H:%M")


def parse_date(text: str) -> datetime.date:
    """Read dd/mm/yyyy (or ISO yyyy-mm-dd); raise ValueError otherwise."""
    return _parse_date(text.strip())


@functools.lru_cache(maxsize=8192)  # an import repeats a few hundred days many times
def _parse_date(text: str) -> datetime.date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


MAX_INTEGER_DIGITS = 14


def parse_amount(value) -> Decimal | None:
    """A target or count typed the Vietnamese way ("1.234", "12,5", "1.234,50") or taken from
    an Excel cell; None when empty. ValueError for anything ambiguous or out of range: "2.5"
    (a dot is only a thousands separator), negatives, more than two decimals, NaN, infinity,
    or more than 14 digits before the decimal comma."""
    import re
    from decimal import InvalidOperation

    if value is None:
        return None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(value) from None
    else:
        text = str(value).strip().replace(" ", "").replace("\u00a0", "")
        if not text:
            return None
        if not re.fullmatch(r"\d{1,3}(\.\d{3})*(,\d+)?|\d+(,\d+)?", text):
            raise ValueError(value)
        number = Decimal(text.replace(".", "").replace(",", "."))
    if not number.is_finite() or number < 0:
        raise ValueError(value)
    # Digits before the comma first: a longer number would not fit the decimal context below.
    if number.adjusted() >= MAX_INTEGER_DIGITS:
        raise ValueError(value)
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(value)
    return number.quantize(Decimal("0.01"))
