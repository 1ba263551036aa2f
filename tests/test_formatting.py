"""Numbers, money and dates the Vietnamese way: 1.234.567; 7.588,63; dd/mm/yyyy."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from hypothesis import given, settings
from hypothesis import strategies as st

from duan8.core.formatting import (
    format_amount,
    format_date,
    format_million_dong,
    format_number,
    format_percent,
    parse_amount,
    parse_date,
)

# Property tests run the same examples every time (a flaky test is a broken test).
same_examples = settings(derandomize=True, database=None, deadline=None, max_examples=300)
# Every amount a target or a count may have: up to 14 digits before the comma, 2 after.
AMOUNTS = st.decimals(min_value=0, max_value=Decimal("99999999999999.99"), places=2)
# Text near the numbers officers type, to reach the parser's corners more often than any text.
NUMBERISH = st.text(alphabet="0123456789.,- \u00a0eE+", max_size=30)
DATEISH = st.text(alphabet="0123456789/-. ", max_size=14)


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (1234567, 0, "1.234.567"),
        (0, 0, "0"),
        (-9000, 0, "-9.000"),
        (7588.634, 2, "7.588,63"),
        (Decimal("0.005"), 2, "0,01"),
        (999, 0, "999"),
        (1000, 0, "1.000"),
    ],
)
def test_numbers_use_dots_for_thousands_and_a_comma_for_decimals(value, decimals, text):
    assert format_number(value, decimals) == text


def test_money_in_whole_dong_is_shown_in_millions():
    assert format_million_dong(7_588_630_000) == "7.588,63"
    assert format_million_dong(500_000) == "0,50"


def test_percentages_keep_one_decimal():
    assert format_percent(84.7) == "84,7%"


def test_dates_are_day_month_year():
    assert format_date(datetime.date(2024, 6, 28)) == "28/06/2024"
    assert parse_date("17/8/2022") == datetime.date(2022, 8, 17)
    with pytest.raises(ValueError):
        parse_date("31/02/2024")


def test_template_filters_format_the_same_way():
    template = Template("{% load vn %}{{ n|number }} {{ m|million_dong }} {{ d|vdate }}")
    text = template.render(Context({"n": 9000, "m": 1_250_000, "d": datetime.date(2025, 7, 1)}))
    assert text == "9.000 1,25 01/07/2025"


@same_examples
@given(AMOUNTS)
def test_an_amount_written_the_vietnamese_way_reads_back_as_itself(value):
    assert parse_amount(format_number(value, 2)) == value
    assert parse_amount(format_amount(value)) == value


@same_examples
@given(st.integers(min_value=0, max_value=10**14 - 1))
def test_a_whole_number_written_with_thousands_dots_reads_back_as_itself(value):
    assert parse_amount(format_number(value)) == value


@same_examples
@given(st.one_of(st.text(), NUMBERISH))
def test_any_text_reads_as_an_amount_or_is_refused_with_a_value_error(text):
    try:
        found = parse_amount(text)
    except ValueError:
        return
    assert found is None or (found >= 0 and found == found.quantize(Decimal("0.01")))
    assert found is None or found < 10**14


@same_examples
@given(st.one_of(st.integers(), st.floats(), st.decimals()))
def test_any_cell_number_reads_as_an_amount_or_is_refused_with_a_value_error(value):
    try:
        found = parse_amount(value)
    except ValueError:
        return
    assert 0 <= found < 10**14


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1.234", Decimal(1234)),
        ("1234", Decimal(1234)),
        ("12,5", Decimal("12.5")),
        ("1.234,50", Decimal("1234.5")),
        ("1.234.567,89", Decimal("1234567.89")),
        (" 1 234 ", Decimal(1234)),
        ("1\u00a0234", Decimal(1234)),
        ("0", Decimal(0)),
        ("", None),
        ("   ", None),
    ],
)
def test_the_amounts_officers_type_are_read(typed, value):
    assert parse_amount(typed) == value


@pytest.mark.parametrize(
    "typed",
    ["2.5", "1,234", "-1", "1.23.4", "12.34,5", "1e5", "NaN", "Infinity", "1" * 30, "mười"],
)
def test_amounts_that_cannot_be_read_for_sure_are_refused(typed):
    with pytest.raises(ValueError):
        parse_amount(typed)


@same_examples
@given(st.dates(min_value=datetime.date(1000, 1, 1)))
def test_a_date_written_day_month_year_reads_back_as_itself(day):
    assert parse_date(format_date(day)) == day
    assert parse_date(f"{day.day}/{day.month}/{day.year}") == day
    assert parse_date(day.isoformat()) == day


@same_examples
@given(st.one_of(st.text(), DATEISH))
def test_any_text_reads_as_a_date_or_is_refused_with_a_value_error(text):
    try:
        found = parse_date(text)
    except ValueError:
        return
    assert isinstance(found, datetime.date)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("01/07/2025", datetime.date(2025, 7, 1)),
        ("1/7/2025", datetime.date(2025, 7, 1)),
        (" 17/8/2022 ", datetime.date(2022, 8, 17)),
        ("29/02/2024", datetime.date(2024, 2, 29)),
        ("2025-07-01", datetime.date(2025, 7, 1)),
    ],
)
def test_the_dates_officers_type_are_read(typed, day):
    assert parse_date(typed) == day


@pytest.mark.parametrize(
    "typed", ["31/02/2024", "29/02/2023", "32/01/2024", "7/2025", "01/13/2025"]
)
def test_days_the_calendar_does_not_have_are_refused(typed):
    with pytest.raises(ValueError):
        parse_date(typed)
