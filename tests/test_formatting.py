"""Numbers, money and dates the Vietnamese way: 1.234.567; 7.588,63; dd/mm/yyyy."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template

from duan8.core.formatting import (
    format_date,
    format_million_dong,
    format_number,
    format_percent,
    parse_date,
)


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
