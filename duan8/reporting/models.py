"""Figures typed for a period, for indicators that no registry counts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from duan8.core.audit import AuditedModel
from duan8.framework.models import PeriodFields, PeriodQuerySet
from duan8.geo.models.units import WithinUnitQuerySet


class UnitPeriodQuerySet(PeriodQuerySet, WithinUnitQuerySet):
    """Rows of a unit and a period (typed figures, submissions): by period and by subtree."""


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

    objects = UnitPeriodQuerySet.as_manager()

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

    def lock_spans(self):
        if self.period_start and self.period_end:
            return [(self.period_start, self.period_end)]
        return []

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


# The reporting cycle ---------------------------------------------------------------------

REPORTING_LEVELS = [
    ("commune", _("Commune")),
    ("district", _("District")),
    ("province", _("Province")),
]
RECEIVING_LEVELS = [
    ("district", _("District")),
    ("province", _("Province")),
    ("nation", _("Nation")),
]
REPORTED_KINDS = [
    ("month", _("Month")),
    ("quarter", _("Quarter")),
    ("half", _("Half-year")),
    ("year", _("Year")),
]


def _deadline(period_end, months: int, day: int):
    """``day`` of the month ``months`` after the one the period ends in (the period's end is
    the first day after it): 10 in month +2 after the first half is 10 September; 25 in month
    +0 after a year is 25 January of the next year."""
    import calendar
    import datetime

    index = period_end.year * 12 + period_end.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


class Regime(AuditedModel):
    """Which level reports which periods to whom, by when, on what legal basis.

    Applies to the periods whose last day falls in [valid_from, valid_until), for the units of
    ``level`` under ``scope`` (the nation, or a province that sets its own calendar; the
    narrowest scope wins)."""

    scope = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="regimes", verbose_name=_("scope")
    )
    level = models.CharField(_("reporting level"), max_length=10, choices=REPORTING_LEVELS)
    reports_to = models.CharField(_("reports to"), max_length=10, choices=RECEIVING_LEVELS)
    period_kind = models.CharField(_("period"), max_length=8, choices=REPORTED_KINDS)
    last_in_annual = models.BooleanField(
        _("the year's last period goes in the annual report"),
        default=False,
        help_text=_("For six-month reports: the second half is reported in the annual report."),
    )
    due_months = models.PositiveSmallIntegerField(
        _("due: months after the period"),
        default=0,
        help_text=_("0 = the month right after the period ends"),
    )
    due_day = models.PositiveSmallIntegerField(_("due: day of the month"))
    update_months = models.PositiveSmallIntegerField(
        _("updates: months after the period"), null=True, blank=True
    )
    update_day = models.PositiveSmallIntegerField(
        _("updates: day of the month"), null=True, blank=True
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    legal_source = models.CharField(_("legal source"), max_length=300)

    class Meta:
        verbose_name = _("reporting regime")
        ordering = ["valid_from", "scope__depth", "level", "period_kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_day__gte=1, due_day__lte=31), name="reporting_regime_due_day"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_level_display()} → {self.get_reports_to_display()}: "
            f"{self.get_period_kind_display()}"
        )

    def audit_unit(self):
        return self.scope

    def clean(self) -> None:
        errors = {}
        order = ["commune", "district", "province", "nation"]
        if (
            self.level
            and self.reports_to
            and order.index(self.reports_to) <= order.index(self.level)
        ):
            errors["reports_to"] = _("A level reports to a level above it.")
        if self.update_day is not None and not 1 <= self.update_day <= 31:
            errors["update_day"] = _("A day of the month is between 1 and 31.")
        if (self.update_day is None) != (self.update_months is None):
            errors["update_day"] = _(
                "Give both the month and the day of the update deadline, or neither."
            )
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            errors["valid_until"] = _("The end must be after the start.")
        if self.scope_id and self.scope.kind not in ("nation", "province"):
            errors["scope"] = _("A regime is set for the nation or for a province.")
        if errors:
            raise ValidationError(errors)

    def applies_to(self, period) -> bool:
        day = period.last_day
        if period.kind != self.period_kind or day < self.valid_from:
            return False
        if self.valid_until is not None and day >= self.valid_until:
            return False
        return not (self.last_in_annual and period.end.month == 1)

    def deadline(self, period):
        return _deadline(period.end, self.due_months, self.due_day)

    def update_deadline(self, period):
        if self.update_day is None:
            return None
        return _deadline(period.end, self.update_months or 0, self.update_day)


class Submission(AuditedModel, PeriodFields):
    """A unit's report for a period, on its way up: draft → submitted → approved, or
    returned with a comment and submitted again. Approval locks the unit's records dated in
    the period and its typed figures; reopening needs the approver's reason."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")

    unit = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="submissions")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    first_submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    # The report in the document register, when it was issued through duan8.
    official_document = models.ForeignKey(
        "documents.OfficialDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
        editable=False,
        verbose_name=_("issued document"),
    )

    objects = UnitPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("report submission")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period_kind", "period_start", "period_end"],
                name="reporting_one_submission_per_period",
            ),
        ]
        indexes = [models.Index(fields=["state", "period_start"], name="reporting_sub_state")]

    def __str__(self) -> str:
        return f"{self.unit} – {self.period.label}"

    def audit_unit(self):
        return self.unit


class SubmissionVersion(AuditedModel):
    """What was submitted: the unit's figures for the period as they stood, with comments."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    figures = models.JSONField(_("figures"), default=list)
    comment = models.TextField(_("comment"), blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"))

    class Meta:
        verbose_name = _("submitted version")
        ordering = ["submission", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "number"], name="reporting_one_version_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} v{self.number}"

    def audit_unit(self):
        return self.submission.unit


class Step(AuditedModel):
    """One step of a submission's way: who did what when, with their comment or reason."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("submitted")
        APPROVE = "approve", _("approved")
        RETURN = "return", _("returned")
        REOPEN = "reopen", _("reopened")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("when"))
    comment = models.TextField(_("comment"), blank=True)
    version = models.PositiveIntegerField(_("version"), null=True, blank=True)

    class Meta:
        verbose_name = _("submission step")
        ordering = ["submission", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.submission}: {self.get_action_display()}"

    def audit_unit(self):
        return self.submission.unit
