"""Money of the project: budget lines a unit may spend in a fiscal year, what it disbursed
against them, the year-end close that carries unspent money into the next year, the dated
rule saying how long carried-over money may still be spent, and the checkpoints of the
disbursement warnings.

Amounts are whole đồng (integers); pages show them in triệu đồng (``core.formatting``).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from duan8.activities.models import ActivityKind
from duan8.core.audit import AuditedModel
from duan8.core.formatting import format_million_dong, format_number
from duan8.geo.models.units import WithinUnitQuerySet

# Amounts beyond this (a hundred thousand billion đồng) are typing mistakes.
MAX_AMOUNT = 10**14


class FundSource(models.TextChoices):
    CENTRAL = "central", _("Central programme budget")
    LOCAL = "local", _("Local counterpart budget")
    CARRIED = "carried", _("Carried over from the previous year")
    OTHER = "other", _("Social mobilisation and other sources")


class SpendingLevel(models.TextChoices):
    PROVINCE = "province", _("Province level")
    DISTRICT = "district", _("District level (until 2025)")
    COMMUNE = "commune", _("Commune level")


LEVEL_OF_KIND = {
    "province": SpendingLevel.PROVINCE,
    "district": SpendingLevel.DISTRICT,
    "commune": SpendingLevel.COMMUNE,
}


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _end_of_month_after(day: datetime.date, months: int) -> datetime.date:
    """The last day of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months + 1
    first_next = datetime.date(index // 12, index % 12 + 1, 1)
    return first_next - datetime.timedelta(days=1)


class CarryOverRule(AuditedModel):
    """How long money carried over from a year may still be spent: a dated rule, as data.

    ``months`` counts from the end of the year the money was allocated for (12: until 31/12
    of the next year). The row in force on the first day of the year the money is carried
    into applies."""

    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    months = models.PositiveSmallIntegerField(
        _("months allowed after the end of the year"),
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    legal_source = models.CharField(_("legal source"), max_length=300)

    class Meta:
        verbose_name = _("carry-over rule")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.months} ({self.legal_source})"

    @classmethod
    def in_force(cls, day: datetime.date) -> CarryOverRule | None:
        return (
            cls.objects.filter(valid_from__lte=day)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=day))
            .order_by("-valid_from")
            .first()
        )

    def clean(self) -> None:
        if self.valid_until and self.valid_from and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": _("The end must be after the start.")})


DEFAULT_CARRY_MONTHS = 12


class BudgetLineQuerySet(WithinUnitQuerySet):
    def with_disbursed(self):
        return self.annotate(disbursed_total=Sum("disbursements__amount", default=0))


class BudgetLine(AuditedModel):
    """Money a unit may spend in a fiscal year, from one source, for one content area."""

    unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="budget_lines",
        verbose_name=_("spending unit"),
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[MinValueValidator(2021), MaxValueValidator(2100)]
    )
    source = models.CharField(_("source"), max_length=10, choices=FundSource.choices)
    content_area = models.ForeignKey(
        "framework.ContentArea",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_lines",
        verbose_name=_("content area"),
    )
    activity_kind = models.CharField(
        _("activity kind"), max_length=12, blank=True, choices=ActivityKind.choices
    )
    level = models.CharField(
        _("spending level"), max_length=10, choices=SpendingLevel.choices, editable=False
    )
    original_amount = models.PositiveBigIntegerField(
        _("allocated amount (đồng)"), validators=[MaxValueValidator(MAX_AMOUNT)]
    )
    revised_amount = models.PositiveBigIntegerField(
        _("revised amount (đồng)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_AMOUNT)],
    )
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decision_issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    carried_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="carried_into",
        verbose_name=_("carried over from"),
    )
    year_close = models.ForeignKey(
        "finance.YearClose",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="carried_lines",
        editable=False,
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget line")
        ordering = ["fiscal_year", "unit__path", "source", "pk"]
        indexes = [models.Index(fields=["fiscal_year", "unit"], name="finance_line_year_unit")]
        constraints = [
            models.CheckConstraint(
                condition=Q(source="carried") | Q(carried_from__isnull=True),
                name="finance_only_carried_lines_come_from_a_line",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.unit.name} {self.fiscal_year} · {self.get_source_display()} · "
            f"{format_million_dong(self.amount)}"
        )

    def audit_unit(self):
        return self.unit

    @property
    def amount(self) -> int:
        """The effective amount: the revised allocation when there is one."""
        return self.revised_amount if self.revised_amount is not None else self.original_amount

    def disbursed(self, exclude_pk=None) -> int:
        if self.pk is None:
            return 0
        rows = Disbursement.objects.filter(line_id=self.pk)
        if exclude_pk is not None:
            rows = rows.exclude(pk=exclude_pk)
        return rows.aggregate(total=Sum("amount", default=0))["total"]

    def spending_window(self) -> tuple[datetime.date, datetime.date]:
        """The first and last day money of this line may be spent: its fiscal year; for
        carried-over money, until the end the carry-over rule in force allows."""
        start, end = year_bounds(self.fiscal_year)
        if self.source == FundSource.CARRIED:
            rule = CarryOverRule.in_force(start)
            months = rule.months if rule is not None else DEFAULT_CARRY_MONTHS
            end = _end_of_month_after(datetime.date(self.fiscal_year - 1, 12, 1), months)
        return start, end

    def clean(self) -> None:
        from duan8.geo import timeline

        errors = {}
        if self.unit_id:
            level = LEVEL_OF_KIND.get(self.unit.kind)
            if level is None:
                errors["unit"] = gettext("Money is held by a province, a district or a commune.")
            else:
                self.level = level
            if self.fiscal_year:
                start, end = year_bounds(self.fiscal_year)
                problem = timeline.span_validity_error(
                    self.unit, start, end + datetime.timedelta(days=1)
                )
                if problem:
                    errors.setdefault("unit", problem)
        if self.source == FundSource.CARRIED:
            if self.carried_from_id and self.fiscal_year:
                if self.carried_from.fiscal_year != self.fiscal_year - 1:
                    errors["carried_from"] = gettext(
                        "Money is carried over from the year before the line's year."
                    )
        elif self.carried_from_id:
            errors["carried_from"] = gettext("Only carried-over money comes from another line.")
        if self.pk is not None and self.original_amount is not None:
            spent = self.disbursed()
            if spent > self.amount:
                errors["revised_amount"] = gettext(
                    "%(spent)s đồng has already been disbursed on this line; the amount cannot "
                    "be less."
                ) % {"spent": format_number(spent)}
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.unit_id and not self.level:
            self.level = LEVEL_OF_KIND.get(self.unit.kind, "")
        super().save(*args, **kwargs)


class Disbursement(AuditedModel):
    """Money spent (giải ngân) against a budget line."""

    line = models.ForeignKey(
        BudgetLine,
        on_delete=models.PROTECT,
        related_name="disbursements",
        verbose_name=_("budget line"),
    )
    date = models.DateField(_("date"))
    amount = models.PositiveBigIntegerField(
        _("amount (đồng)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_AMOUNT)]
    )
    voucher = models.CharField(_("voucher reference"), max_length=100)
    activity = models.ForeignKey(
        "activities.Activity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="disbursements",
        verbose_name=_("activity paid"),
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("disbursement")
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["date", "line"], name="finance_disbursement_date")]

    def __str__(self) -> str:
        return f"{self.voucher} ({self.date:%d/%m/%Y}): {format_number(self.amount)} đồng"

    def audit_unit(self):
        return self.line.unit

    def lock_spans(self):
        from duan8.core.locks import day_span

        return day_span(self.date)

    def available(self) -> int:
        """What the line still has for this disbursement (others' spending deducted)."""
        return self.line.amount - self.line.disbursed(exclude_pk=self.pk)

    def clean(self) -> None:
        from duan8.geo import timeline

        if not self.line_id:
            return
        errors = {}
        line = self.line
        if self.date:
            start, end = line.spending_window()
            if not start <= self.date <= end:
                errors["date"] = gettext(
                    "Money of this line may be spent from %(start)s to %(end)s."
                ) % {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"}
            elif problem := timeline.validity_error(line.unit, self.date):
                errors["date"] = problem
        if self.amount:
            available = self.available()
            if self.amount > available:
                errors["amount"] = gettext(
                    "Only %(amount)s đồng (%(million)s triệu đồng) is available on this line."
                ) % {
                    "amount": format_number(max(available, 0)),
                    "million": format_million_dong(max(available, 0)),
                }
        if self.activity_id and self.activity.unit_id != line.unit_id:
            errors["activity"] = gettext("The activity must be one of the line's unit.")
        if errors:
            raise ValidationError(errors)


class YearClose(AuditedModel):
    """A unit's year closed: unspent money carried into the next year. Reopening keeps the
    row with its reason (and removes the carried lines nothing was spent from yet)."""

    unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="year_closes",
        verbose_name=_("unit"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    document = models.CharField(_("document"), max_length=300, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    class Meta:
        verbose_name = _("year close")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                condition=Q(reopen_reason=""),
                name="finance_close_a_year_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.year}"

    def audit_unit(self):
        return self.unit


class Checkpoint(AuditedModel):
    """A disbursement warning: by this day of the year, at least this share disbursed."""

    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        _("day"), validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    threshold = models.PositiveSmallIntegerField(
        _("threshold (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("disbursement checkpoint")
        ordering = ["month", "day"]
        constraints = [
            models.UniqueConstraint(fields=["month", "day"], name="finance_one_checkpoint_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.threshold}% {self.day:02d}/{self.month:02d}"

    def on(self, year: int) -> datetime.date | None:
        try:
            return datetime.date(year, self.month, self.day)
        except ValueError:  # 29/02 of a common year
            return None

    def clean(self) -> None:
        if self.month and self.day and self.on(2024) is None:
            raise ValidationError({"day": gettext("Not a day of that month.")})
