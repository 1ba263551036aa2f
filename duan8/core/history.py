"""The audit trail as an officer reads it: field labels instead of field names, the names of
units and records instead of their ids, choices by their label, dates as dd/mm/yyyy."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from duan8.core import formatting

MASK = "•••• "


def field_of(model, name: str):
    try:
        return model._meta.get_field(name)
    except Exception:  # a field since removed: show its stored name
        return None


def text_of(field, value: Any) -> str:
    if value is None or value == "":
        return "∅"
    if isinstance(value, str) and value.startswith(MASK):
        return _("(hidden)")
    if field is None:
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        return _name(field.related_model, value)
    if isinstance(field, models.ManyToManyField) and isinstance(value, list):
        return "; ".join(_name(field.related_model, pk) for pk in value) or "∅"
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, models.DateTimeField):
        parsed = parse_datetime(str(value))
        return formatting.format_datetime(parsed) if parsed else str(value)
    if isinstance(field, models.DateField):
        parsed = parse_date(str(value)) if not isinstance(value, datetime.date) else value
        return formatting.format_date(parsed) if parsed else str(value)
    if isinstance(field, (models.DecimalField, models.IntegerField, models.FloatField)):
        try:
            return formatting.format_amount(value)
        except Exception:
            return str(value)
    if isinstance(value, (list, dict)):
        if all(isinstance(v, (str, int, float)) for v in value) and len(str(value)) <= 120:
            return ", ".join(str(v) for v in value) or "∅"
        return _("(%(count)s entries)") % {"count": len(value)}
    return str(value)


def _name(model, pk) -> str:
    """The name of a record by id, remembered for the rest of the request."""
    from duan8.core import audit

    ctx = audit.current()
    if ctx.names is None:
        ctx.names = {}
    key = (model._meta.label_lower, pk)
    if key not in ctx.names:
        related = model._base_manager.filter(pk=pk).first()
        ctx.names[key] = (
            str(getattr(related, "name", None) or related) if related is not None else f"#{pk}"
        )
    return ctx.names[key]


def readable(event) -> list[tuple[str, str, str]]:
    model = event.content_type.model_class()
    rows = []
    for name, before, after in event.changes():
        field = field_of(model, name) if model is not None else None
        label = str(field.verbose_name) if field is not None else name
        rows.append((label[:1].upper() + label[1:], text_of(field, before), text_of(field, after)))
    return rows
