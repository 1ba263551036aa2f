from django import template

from duan8.core import formatting

register = template.Library()


@register.filter
def number(value, decimals: int = 0) -> str:
    return formatting.format_number(value, int(decimals))


@register.filter
def million_dong(value) -> str:
    return formatting.format_million_dong(value)


@register.filter
def percent(value, decimals: int = 1) -> str:
    return formatting.format_percent(value, int(decimals))


@register.filter
def vdate(value) -> str:
    return formatting.format_date(value)


@register.filter
def vdatetime(value) -> str:
    return formatting.format_datetime(value)


@register.filter
def amount(value) -> str:
    """A target or count: whole numbers without decimals, others with two (1.234; 12,50)."""
    return formatting.format_amount(value)


@register.filter
def bar(value) -> str:
    """A percent as a CSS width for a progress bar: 0 to 100, with a dot ("84.7")."""
    if value is None or value == "":
        return "0"
    number = max(0.0, min(100.0, float(value)))
    return f"{number:.1f}"
