"""Money of the project: budget lines a unit may spend in a fiscal year, what it disbursed
against them, the year-end close that carries unspent money into the next year, the dated
rule saying how long carried-over money may still be spent, and the checkpoints of the
disbursement warnings.

Amounts are whole đồng (integers); pages show them in triệu đồng (``core.formatting``).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
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


def _total_of(model, field: str):
    """The sum of ``model.amount`` over the rows whose ``field`` is the outer line."""
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows), 0, output_field=models.BigIntegerField())


class BudgetLineQuerySet(WithinUnitQuerySet):
    def with_disbursed(self):
        """Each line with what was disbursed from it and what it handed to units below
        (one subquery each: two joined sums would multiply each other)."""
        return self.annotate(
            disbursed_total=_total_of(Disbursement, "line"),
            transferred_total=_total_of(Transfer, "from_line"),
        )


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
    # The plan in the document register that set the line out, when issued through duan8.
    official_document = models.ForeignKey(
        "documents.OfficialDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_lines",
        editable=False,
        verbose_name=_("issued document"),
    )
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
    estimate = models.ForeignKey(
        "finance.Estimate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_lines",
        editable=False,
        verbose_name=_("approved estimate"),
    )

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

    def transferred(self, exclude_pk=None) -> int:
        """What this line handed to units below (``Transfer``), that one left out."""
        if self.pk is None:
            return 0
        rows = Transfer.objects.filter(from_line_id=self.pk)
        if exclude_pk is not None:
            rows = rows.exclude(pk=exclude_pk)
        return rows.aggregate(total=Sum("amount", default=0))["total"]

    def spendable(self) -> int:
        """What the line's unit may spend itself: its amount less what it handed below."""
        return self.amount - self.transferred()

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
            spent = self.disbursed() + self.transferred()
            if spent > self.amount:
                errors["revised_amount"] = gettext(
                    "%(spent)s đồng has already been disbursed or handed to units below on "
                    "this line; the amount cannot be less."
                ) % {"spent": format_number(spent)}
            received = Transfer.objects.filter(to_line_id=self.pk).first()
            if received is not None and self.amount != received.amount:
                errors["revised_amount"] = gettext(
                    "This line holds what %(unit)s handed over; change the transfer instead."
                ) % {"unit": received.from_line.unit.name}
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
        """What the line still has for this disbursement (others' spending and what the line
        handed to units below deducted)."""
        return self.line.spendable() - self.line.disbursed(exclude_pk=self.pk)

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


class Transfer(AuditedModel):
    """Money a unit hands to a unit below it (chuyển kinh phí cho cấp dưới): taken from one
    of its budget lines and received as a budget line of the unit below, of the same year,
    source and content area. The giver's line keeps its allocation; what it may still spend
    or hand over is less by the transfer, and the receiver's line holds it, so a total read
    over the giver's subtree counts the money once."""

    from_line = models.ForeignKey(
        BudgetLine,
        on_delete=models.PROTECT,
        related_name="transfers_out",
        verbose_name=_("from budget line"),
    )
    to_line = models.OneToOneField(
        BudgetLine,
        on_delete=models.PROTECT,
        related_name="transfer_in",
        editable=False,
        verbose_name=_("received as budget line"),
    )
    date = models.DateField(_("date"))
    amount = models.PositiveBigIntegerField(
        _("amount (đồng)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_AMOUNT)]
    )
    voucher = models.CharField(_("voucher reference"), max_length=100)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("transfer to a unit below")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.voucher} ({self.date:%d/%m/%Y}): {format_number(self.amount)} đồng"

    def audit_unit(self):
        return self.from_line.unit

    def lock_spans(self):
        from duan8.core.locks import day_span

        return day_span(self.date)

    def available(self) -> int:
        """What the giving line may still hand over (this transfer left out)."""
        line = self.from_line
        return line.amount - line.disbursed() - line.transferred(exclude_pk=self.pk)

    def clean(self) -> None:
        from duan8.geo import timeline

        if not self.from_line_id:
            return
        errors = {}
        line = self.from_line
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
        if self.to_line_id:
            errors.update(self._receiver_errors())
        if errors:
            raise ValidationError(errors)

    def _receiver_errors(self) -> dict:
        from duan8.geo import timeline

        giver, receiver = self.from_line.unit, self.to_line.unit
        if receiver.pk == giver.pk or not receiver.path.startswith(giver.path):
            return {
                NON_FIELD_ERRORS: gettext("%(to)s is not a unit below %(unit)s.")
                % {"to": receiver.name, "unit": giver.name}
            }
        if self.date and (problem := timeline.validity_error(receiver, self.date)):
            return {NON_FIELD_ERRORS: problem}
        return {}


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


# Norms and estimates (dự toán) -------------------------------------------------------------


class NormMeasure(models.TextChoices):
    PERSON_DAY = "person_day", _("per person-day")
    PERSON_VISIT = "person_visit", _("per person per visit")
    SESSION = "session", _("per session")
    VISIT = "visit", _("per visit")
    PERSON = "person", _("per person")
    DAY = "day", _("per day")
    ITEM = "item", _("per item")
    PAGE = "page", _("per page")
    LUMP_SUM = "lump_sum", _("lump sum")


class NormKind(models.TextChoices):
    FIXED = "fixed", _("Fixed amount")
    CEILING = "ceiling", _("Ceiling (at most)")


class SpendingNorm(AuditedModel):
    """A spending norm (định mức chi) as written in a legal document: for the nation (Circular
    55/2023/TT-BTC as amended by Circular 75/2024/TT-BTC) or a province (its own resolution).
    Typed by administrators, never invented by the code. Applies on the days in
    [valid_from, valid_until); a change from a day is a new version, the old one closed, so
    estimates made earlier keep the version they used. The same ``code`` names the same item
    in the nation's and a province's norms: in the province, its own applies."""

    scope = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="spending_norms",
        verbose_name=_("applies in"),
    )
    code = models.CharField(
        _("item code"),
        max_length=40,
        help_text=_(
            "The same code in a province's norms and the nation's names the same item: "
            "the province's own norm applies there."
        ),
    )
    item = models.CharField(_("item"), max_length=300)
    measure = models.CharField(_("unit of measure"), max_length=16, choices=NormMeasure.choices)
    amount = models.PositiveBigIntegerField(
        _("amount (đồng)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_AMOUNT)]
    )
    kind = models.CharField(
        _("kind"), max_length=8, choices=NormKind.choices, default=NormKind.CEILING
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    legal_source = models.CharField(
        _("legal source"),
        max_length=300,
        help_text=_("Document number, date and issuer, and the article."),
    )
    content_area = models.ForeignKey(
        "framework.ContentArea",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="spending_norms",
        verbose_name=_("content area"),
    )
    activity_kind = models.CharField(
        _("activity kind"), max_length=12, blank=True, choices=ActivityKind.choices
    )
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
        editable=False,
        verbose_name=_("previous version"),
    )

    class Meta:
        verbose_name = _("spending norm")
        ordering = ["scope__path", "code", "-valid_from"]
        indexes = [models.Index(fields=["scope", "code"], name="finance_norm_scope_code")]

    def __str__(self) -> str:
        return (
            f"{self.item}: {format_number(self.amount)} đồng "
            f"{self.get_measure_display()} ({self.legal_source})"
        )

    def audit_unit(self):
        return self.scope

    @property
    def is_ceiling(self) -> bool:
        return self.kind == NormKind.CEILING

    def in_force_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)

    def clean(self) -> None:
        errors = {}
        if self.valid_until and self.valid_from and self.valid_until <= self.valid_from:
            errors["valid_until"] = gettext("The end must be after the start.")
        if self.scope_id and self.scope.parent_id is not None and self.scope.kind != "province":
            errors["scope"] = gettext("Norms are set for the nation or for a province.")
        if self.pk is not None and self.lines.exists():
            before = SpendingNorm.objects.get(pk=self.pk)
            fixed = ("scope_id", "code", "item", "measure", "amount", "kind", "valid_from")
            if any(getattr(before, name) != getattr(self, name) for name in fixed):
                errors["amount"] = gettext(
                    "Estimates already use this norm: change it from a date as a new version."
                )
            elif (
                self.valid_until
                and self.lines.filter(estimate__reference_date__gte=self.valid_until).exists()
            ):
                errors["valid_until"] = gettext("Estimates dated after that day use this norm.")
        if self.code:
            self.code = self.code.strip()
            if self.valid_from and self.scope_id:
                overlapping = SpendingNorm.objects.filter(
                    scope_id=self.scope_id, code__iexact=self.code
                ).exclude(pk=self.pk)
                if self.valid_until:
                    overlapping = overlapping.filter(valid_from__lt=self.valid_until)
                overlapping = overlapping.filter(
                    Q(valid_until__isnull=True) | Q(valid_until__gt=self.valid_from)
                )
                if overlapping.exists():
                    errors.setdefault(
                        "valid_from",
                        gettext(
                            "A norm with this code is already in force for these dates here; "
                            "close it or change it from a date."
                        ),
                    )
        if errors:
            raise ValidationError(errors)


class EstimateState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class Estimate(AuditedModel):
    """A unit's estimate (dự toán) for a fiscal year: planned activities × quantities × the
    norms in force on its reference date. Approved, it becomes budget lines and is locked."""

    unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="estimates",
        verbose_name=_("unit"),
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[MinValueValidator(2021), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    reference_date = models.DateField(
        _("norms as of"), help_text=_("The norms in force on this day apply.")
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=EstimateState.choices,
        default=EstimateState.DRAFT,
        editable=False,
    )
    source = models.CharField(
        _("source"), max_length=10, choices=FundSource.choices, blank=True, editable=False
    )
    decision_number = models.CharField(
        _("decision number"), max_length=60, blank=True, editable=False
    )
    decision_date = models.DateField(_("decision date"), null=True, blank=True, editable=False)
    decision_issuer = models.CharField(_("issued by"), max_length=200, blank=True, editable=False)

    objects = WithinUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("estimate")
        ordering = ["fiscal_year", "unit__path", "pk"]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.fiscal_year}" + (f" · {self.title}" if self.title else "")

    def audit_unit(self):
        return self.unit

    @property
    def is_draft(self) -> bool:
        return self.state == EstimateState.DRAFT

    @property
    def total(self) -> int:
        return self.lines.aggregate(total=Sum("amount", default=0))["total"]

    def clean(self) -> None:
        if self.unit_id and LEVEL_OF_KIND.get(self.unit.kind) is None:
            raise ValidationError(
                {"unit": gettext("Money is held by a province, a district or a commune.")}
            )


class EstimateLine(AuditedModel):
    """A planned activity or item: quantity × unit amount, under a norm. The norm version and
    the unit amount are kept, so a later change of the norm leaves the line as it was."""

    estimate = models.ForeignKey(
        Estimate, on_delete=models.CASCADE, related_name="lines", verbose_name=_("estimate")
    )
    content_area = models.ForeignKey(
        "framework.ContentArea",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="estimate_lines",
        verbose_name=_("content area"),
    )
    activity = models.CharField(_("activity or item"), max_length=300)
    norm = models.ForeignKey(
        SpendingNorm, on_delete=models.PROTECT, related_name="lines", verbose_name=_("norm")
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    unit_amount = models.PositiveBigIntegerField(
        _("unit amount (đồng)"),
        blank=True,
        validators=[MaxValueValidator(MAX_AMOUNT)],
        help_text=_("Empty for a fixed norm: the norm's amount."),
    )
    amount = models.PositiveBigIntegerField(_("amount (đồng)"), editable=False)

    class Meta:
        verbose_name = _("estimate line")
        ordering = ["estimate", "content_area__order", "pk"]

    def __str__(self) -> str:
        return f"{self.activity}: {format_number(self.amount)} đồng"

    def audit_unit(self):
        return self.estimate.unit

    @property
    def above_ceiling(self) -> bool:
        return self.norm.is_ceiling and self.unit_amount > self.norm.amount

    @property
    def off_fixed(self) -> bool:
        return not self.norm.is_ceiling and self.unit_amount != self.norm.amount

    def compute(self) -> int:
        """Quantity × unit amount, rounded half up to whole đồng."""
        value = (Decimal(self.quantity) * self.unit_amount).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
        if value > MAX_AMOUNT:
            raise ValidationError({"quantity": gettext("The amount is too large.")})
        return int(value)

    def clean(self) -> None:
        from duan8.finance.estimates import norms_in_force

        errors = {}
        if self.estimate_id and not self.estimate.is_draft:
            errors[NON_FIELD_ERRORS] = gettext("The estimate is approved: its lines cannot change.")
        if self.norm_id:
            if self.unit_amount is None and not self.norm.is_ceiling:
                self.unit_amount = self.norm.amount
            if self.estimate_id:
                allowed = norms_in_force(self.estimate.unit, self.estimate.reference_date)
                if self.norm_id not in {norm.pk for norm in allowed}:
                    errors["norm"] = gettext(
                        "This norm is not in force for %(unit)s on %(day)s."
                    ) % {
                        "unit": self.estimate.unit.name,
                        "day": f"{self.estimate.reference_date:%d/%m/%Y}",
                    }
        if self.unit_amount is None:
            errors.setdefault("unit_amount", gettext("Type the unit amount (at most the ceiling)."))
        elif self.quantity is not None and self.quantity > 0:
            try:
                self.amount = self.compute()
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.unit_amount is not None and self.quantity is not None:
            self.amount = self.compute()
        super().save(*args, **kwargs)
