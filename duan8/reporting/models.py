"""Figures typed for a period, for indicators that no registry counts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from duan8.core.audit import AuditedModel
from duan8.framework.models import PeriodFields, PeriodQuerySet
from duan8.geo.models.units import WithinUnitQuerySet


class FigureQuerySet(PeriodQuerySet, WithinUnitQuerySet):
    """Typed figures by period and by subtree."""


class Figure(AuditedModel, PeriodFields):
    """The value a unit typed for an indicator and a period, with its breakdowns."""

    indicator = models.ForeignKey(
        "framework.Indicator", on_delete=models.PROTECT, related_name="figures"
    )
    unit = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="figures")
    total = models.DecimalField(_("total"), max_digits=16, decimal_places=2)
    women = models.DecimalField(
        _("of whom women"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    ethnic_minority = models.DecimalField(
        _("of whom ethnic minority"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    objects = FigureQuerySet.as_manager()

    class Meta:
        verbose_name = _("typed figure")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period_kind", "period_start", "period_end"],
                name="reporting_one_figure_per_period",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="reporting_total_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.unit} {self.period.code}: {self.total}"

    def audit_unit(self):
        return self.unit

    def clean(self) -> None:
        errors = {}
        for name in ("total", "women", "ethnic_minority"):
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = _("A figure cannot be negative.")
        if self.total is not None:
            if self.women is not None and self.women > self.total:
                errors["women"] = _("Women cannot be more than the total.")
            if self.ethnic_minority is not None and self.ethnic_minority > self.total:
                errors["ethnic_minority"] = _(
                    "Ethnic-minority people cannot be more than the total."
                )
        if self.unit_id and self.period_start and self.period_end:
            from duan8.geo import timeline

            # The unit must exist on at least one day of the period.
            problem = timeline.span_validity_error(self.unit, self.period_start, self.period_end)
            if problem:
                errors["unit"] = problem
        if errors:
            raise ValidationError(errors)
