"""Changes to the framework that touch several rows: new definitions, new phases, targets."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from duan8.framework.models import Indicator, IndicatorVersion, Phase, Project, Target
from duan8.framework.periods import Period


@transaction.atomic
def change_definition(
    indicator: Indicator, valid_from: datetime.date, **fields
) -> IndicatorVersion:
    """Measure ``indicator`` differently from ``valid_from``; earlier periods keep the old way.

    The version in force on that date ends the day before; a new version starts, copying
    what is not given.
    """
    current = indicator.versions.valid_on(valid_from).first()
    if current is not None and current.valid_from == valid_from:
        raise ValidationError({"valid_from": _("A definition already starts on this date.")})
    later = indicator.versions.filter(valid_from__gt=valid_from).order_by("valid_from").first()
    base = current.measurement() if current is not None else {}
    base.update(fields)
    if base.get("aggregation") != "ratio":
        base["numerator"] = base["denominator"] = None
    version = IndicatorVersion(
        indicator=indicator,
        valid_from=valid_from,
        valid_until=later.valid_from if later else None,
        **base,
    )
    version.full_clean()
    if current is not None:
        current.valid_until = valid_from
        current.save()
    version.save()
    return version


def add_phase(
    project: Project, code: str, name: str, start: datetime.date, end: datetime.date
) -> Phase:
    phase = Phase(project=project, code=code, name=name, start=start, end=end)
    phase.full_clean()
    phase.save()
    return phase


@transaction.atomic
def set_target(
    indicator: Indicator, unit, period: Period, value: Decimal, *, revise: bool = False, **document
) -> Target:
    """Set a unit's own target; with ``revise`` an existing target keeps its original value."""
    phase = indicator.content_area.phase
    if period.start < phase.start or period.end > phase.end:
        raise ValidationError({"period": _("The period lies outside the indicator's phase.")})
    target = Target.objects.for_period(period).filter(indicator=indicator, unit=unit).first()
    if target is None:
        target = Target(indicator=indicator, unit=unit, value=value, **document)
        target.period = period
    elif revise:
        # The original value and its document stay; the revision's document goes in the note.
        target.revised_value = value
        parts = (document.get("doc_number"), document.get("doc_issuer"))
        label = " ".join(str(v) for v in parts if v)
        if label:
            target.note = (_("Revised by %(doc)s") % {"doc": label})[:300]
    elif target.revised_value is not None:
        raise ValidationError(
            {"value": _("This target has been revised; enter the new figure as a revision.")}
        )
    else:
        target.value = value
        for name, given in document.items():
            if given:
                setattr(target, name, given)
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def add_indicator(
    content_area, *, code: str, name: str, name_en: str = "", order: int = 0, **definition
) -> Indicator:
    """A new indicator of a content area, measured from the start of the area's phase."""
    indicator = Indicator(
        content_area=content_area, code=code, name=name, name_en=name_en, order=order
    )
    indicator.full_clean()
    indicator.save()
    version = IndicatorVersion(
        indicator=indicator, valid_from=content_area.phase.start, **definition
    )
    version.full_clean()
    version.save()
    return indicator
