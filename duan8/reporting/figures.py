"""Typing figures for a period, with the checks a careful reviewer would make."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from duan8.framework.models import Source
from duan8.framework.periods import Period
from duan8.reporting.models import Figure

JUMP = Decimal(3)


def typed_indicators(phase, period: Period):
    """Indicators of the phase whose definition at the start of the period says: typed."""
    result = []
    for indicator in phase.indicators().select_related("content_area"):
        version = indicator.version_on(period.start)
        if version is not None and version.source == Source.TYPED:
            result.append((indicator, version))
    return result


@dataclass
class Entry:
    indicator_id: int
    total: Decimal | None
    women: Decimal | None = None
    ethnic_minority: Decimal | None = None
    comment: str = ""


def jump_warning(indicator, unit, period: Period, total: Decimal) -> str | None:
    """A figure over three times the previous period's needs a comment."""
    before = period.previous()
    if before is None:
        return None
    last = Figure.objects.for_period(before).filter(indicator=indicator, unit=unit).first()
    if last is not None and last.total > 0 and total > JUMP * last.total:
        return _(
            "%(code)s is more than three times the previous period's figure (%(last)s); "
            "add a comment that explains it."
        ) % {"code": indicator.code, "last": last.total}
    return None


@transaction.atomic
def save(
    unit, period: Period, indicators: dict, entries: list[Entry], read: dict | None = None
) -> list[Figure]:
    """Store every entry or none; errors and unexplained jumps are raised by indicator.
    ``read`` gives, by indicator id, the version of the figure the client read (0: none):
    a figure changed since is refused (``versions.Stale``), nothing stored."""
    from duan8.core import versions

    errors, saved = {}, []
    for entry in entries:
        indicator = indicators[entry.indicator_id]
        figure = Figure.objects.for_period(period).filter(indicator=indicator, unit=unit).first()
        if figure is not None and read is not None and entry.indicator_id in read:
            if versions.of(figure) > read[entry.indicator_id]:
                raise versions.Stale(figure, read[entry.indicator_id])
            figure.expected_version = read[entry.indicator_id]
        if entry.total is None:
            if figure is not None:
                figure.delete()
            continue
        figure = figure or Figure(indicator=indicator, unit=unit)
        figure.period = period
        figure.total, figure.women = entry.total, entry.women
        figure.ethnic_minority, figure.comment = entry.ethnic_minority, entry.comment.strip()
        problems = []
        try:
            figure.full_clean(exclude=["indicator", "unit"])
        except ValidationError as exc:
            problems += [m for messages in exc.message_dict.values() for m in messages]
        warning = jump_warning(indicator, unit, period, entry.total)
        if warning and not figure.comment:
            problems.append(warning)
        if problems:
            errors[indicator.code] = problems
            continue
        figure.save()
        saved.append(figure)
    if errors:
        raise ValidationError(errors)
    return saved
