"""Approved periods lock the records dated in them: checked on the one write path.

A model whose records count in the figures of a period says which spans of dates it belongs to
(``lock_spans``: a team its founding and dissolution days, an activity its days, a typed figure
its period). Every audited save, delete and bulk create asks here, so a record in an approved
period is refused the same way through a page, an import, the API and the shell. Which periods
are approved is known to the reporting app, which registers its checker at start-up (core
knows nothing of it); with no checker registered nothing is locked.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError

Span = tuple[datetime.date, datetime.date]  # [start, end)
# (unit, spans) for each state of each record being written.
Item = tuple[Any, list[Span]]
Checker = Callable[[Iterable[Item]], "str | None"]

_checkers: list[Checker] = []
ONE_DAY = datetime.timedelta(days=1)


def register(checker: Checker) -> None:
    if checker not in _checkers:
        _checkers.append(checker)


def day_span(day: datetime.date | None) -> list[Span]:
    return [] if day is None else [(day, day + ONE_DAY)]


def _items(objs: Iterable[Any]) -> Iterator[Item]:
    for obj in objs:
        spans = obj.lock_spans()
        if not spans:
            continue
        try:
            unit = obj.audit_unit()
        except ObjectDoesNotExist:  # no unit chosen yet: the form says so
            continue
        if unit is not None:
            yield unit, spans


def refusal(objs: Iterable[Any]) -> str | None:
    """Why writing these states of records is refused (a period they fall in is approved),
    or None. Pass the record as it will be and, for a change, as it is stored. Each checker
    reads the records' spans only if it has something approved (an import of 100.000 rows
    costs nothing here while no report is approved)."""
    if not _checkers:
        return None
    objs = list(objs)
    for checker in _checkers:
        reason = checker(_items(objs))
        if reason:
            return reason
    return None


def guard(objs: Iterable[Any]) -> None:
    """Raise a ValidationError (for forms, imports and the API alike) when refused."""
    reason = refusal(objs)
    if reason:
        raise ValidationError({NON_FIELD_ERRORS: [reason]})
