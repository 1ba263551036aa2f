"""The indicator framework as data: programme → project → phase → content area → indicator,
with definitions versioned by date, and targets per unit and period."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from duan8.core.audit import AuditedModel
from duan8.framework import periods


class Programme(AuditedModel):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("programme")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Project(AuditedModel):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="projects")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("project")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="framework_project_code")
        ]

    def __str__(self) -> str:
        return self.name


class Phase(AuditedModel):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="phases")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), help_text=_("First day after the phase."))

    class Meta:
        verbose_name = _("phase")
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="framework_phase_code"),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="framework_phase_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.name} – {self.name}"

    def clean(self) -> None:
        """A phase runs over whole years: from 1 January to 1 January."""
        errors = {}
        for name in ("start", "end"):
            day = getattr(self, name)
            if day and (day.month, day.day) != (1, 1):
                errors[name] = _(
                    "A phase starts and ends on 1 January (the end is the first day after it)."
                )
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("The end must be after the start.")
        if errors:
            raise ValidationError(errors)

    @property
    def period(self) -> periods.Period:
        return periods.of_phase(self.start, self.end)

    @classmethod
    def current(cls, today: datetime.date | None = None) -> Phase | None:
        """The phase running today, else the latest one."""
        from django.utils import timezone

        today = today or timezone.localdate()
        running = cls.objects.filter(start__lte=today, end__gt=today).first()
        return running or cls.objects.order_by("-start").first()

    def indicators(self):
        return Indicator.objects.filter(content_area__phase=self)

    def periods(self) -> list[periods.Period]:
        """The phase, its years and their halves, for choosing a target period."""
        result = [self.period]
        for year in range(self.start.year, self.end.year):
            result += [
                periods.parse(str(year)),
                periods.parse(f"{year}-H1"),
                periods.parse(f"{year}-H2"),
            ]
        return result


class ContentArea(AuditedModel):
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="content_areas")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=400)
    name_en = models.CharField(_("English name"), max_length=400, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("content area")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "code"], name="framework_content_area_code")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class UnitOfMeasure(models.TextChoices):
    TEAM = "tổ", _("teams (tổ)")
    CLUB = "CLB", _("clubs (CLB)")
    ADDRESS = "địa chỉ", _("addresses (địa chỉ)")
    MODEL = "mô hình", _("models (mô hình)")
    EVENT = "cuộc", _("events (cuộc)")
    CLASS = "lớp", _("classes (lớp)")
    PERSON = "người", _("people (người)")
    PERCENT = "%", _("percent (%)")
    MILLION_DONG = "triệu đồng", _("million đồng")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum over units")
    RATIO = "ratio", _("Ratio of two indicators")
    NONE = "none", _("Not additive")


class Source(models.TextChoices):
    REGISTRY = "registry", _("Counted from the registry of models")
    ACTIVITIES = "activities", _("Counted or summed from activities")
    MATERNAL = "maternal", _("From the maternal-package registry")
    FINANCE = "finance", _("From finance")
    TYPED = "typed", _("Typed per period")


BREAKDOWNS = {
    "sex": _("sex"),
    "ethnic_minority": _("ethnic minority or not"),
    "age_group": _("age group"),
}


class Indicator(AuditedModel):
    """Identity of an indicator; how it is measured lives in dated versions."""

    content_area = models.ForeignKey(
        ContentArea, on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=400)
    name_en = models.CharField(_("English name"), max_length=400, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator")
        ordering = ["content_area__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_area", "code"], name="framework_indicator_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.content_area_id and self.code:
            clash = Indicator.objects.filter(
                content_area__phase_id=self.content_area.phase_id, code=self.code
            ).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError({"code": _("Another indicator of this phase has this code.")})

    def version_on(self, day: datetime.date) -> IndicatorVersion | None:
        return self.versions.valid_on(day).first()


class VersionQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date):
        return self.filter(valid_from__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=day)
        )

    def by_indicator_on(self, indicators, day: datetime.date) -> dict:
        """{indicator id: its definition in force on ``day``} for many indicators, one query."""
        found = {}
        for version in self.filter(indicator__in=indicators).valid_on(day).order_by("valid_from"):
            found[version.indicator_id] = version
        return found


class IndicatorVersion(AuditedModel):
    """How an indicator is measured from ``valid_from`` until ``valid_until``."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="versions")
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    unit_of_measure = models.CharField(
        _("unit of measure"), max_length=20, choices=UnitOfMeasure.choices
    )
    aggregation = models.CharField(
        _("adds up as"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    numerator = models.ForeignKey(
        Indicator,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("numerator"),
    )
    denominator = models.ForeignKey(
        Indicator,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("denominator"),
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    breakdowns = models.JSONField(_("breakdowns"), default=list, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    measure = models.CharField(
        _("measured by"),
        max_length=80,
        blank=True,
        help_text=_("The registered measure that counts this indicator from records."),
    )

    objects = VersionQuerySet.as_manager()

    # What a new definition copies from the one before it unless told otherwise.
    MEASURE_FIELDS = (
        "unit_of_measure",
        "aggregation",
        "numerator",
        "denominator",
        "source",
        "breakdowns",
        "definition",
        "measure",
    )

    class Meta:
        verbose_name = _("indicator definition")
        ordering = ["valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "valid_from"], name="framework_version_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} từ {self.valid_from:%d/%m/%Y}"

    def measurement(self) -> dict:
        return {name: getattr(self, name) for name in self.MEASURE_FIELDS}

    def clean(self) -> None:
        errors = {}
        if self.aggregation == Aggregation.RATIO and not (
            self.numerator_id and self.denominator_id
        ):
            errors["aggregation"] = _("A ratio needs a numerator and a denominator indicator.")
        from duan8.framework import measures

        if self.measure and measures.get(self.measure) is None:
            errors["measure"] = _("No measure is registered under this name.")
        if self.indicator_id and self.indicator_id in (self.numerator_id, self.denominator_id):
            errors["aggregation"] = _("An indicator cannot be a ratio of itself.")
        unknown = [b for b in self.breakdowns or [] if b not in BREAKDOWNS]
        if unknown:
            errors["breakdowns"] = _("Unknown breakdowns: %(names)s.") % {
                "names": ", ".join(unknown)
            }
        if self.valid_until and self.valid_until <= self.valid_from:
            errors["valid_until"] = _("The end date must be after the start date.")
        if errors:
            raise ValidationError(errors)


class Document(models.Model):
    """Fields naming the document a number comes from (e.g. Kế hoạch 71/KH-BTV ngày 17/8/2022)."""

    doc_number = models.CharField(_("document number"), max_length=60, blank=True)
    doc_date = models.DateField(_("document date"), null=True, blank=True)
    doc_issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    # The register entry of the document, when it was issued through duan8.
    official_document = models.ForeignKey(
        "documents.OfficialDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="%(class)ss",
        editable=False,
        verbose_name=_("issued document"),
    )

    class Meta:
        abstract = True

    @property
    def document_label(self) -> str:
        parts = [self.doc_number]
        if self.doc_date:
            parts.append(f"ngày {self.doc_date:%d/%m/%Y}")
        if self.doc_issuer:
            parts.append(f"({self.doc_issuer})")
        return " ".join(p for p in parts if p)


class PeriodQuerySet(models.QuerySet):
    def for_period(self, period: periods.Period):
        return self.filter(
            period_kind=period.kind, period_start=period.start, period_end=period.end
        )


class PeriodFields(models.Model):
    """A record about one reporting period: a year, a half-year or a phase."""

    period_kind = models.CharField(max_length=8)
    period_start = models.DateField()
    period_end = models.DateField()

    class Meta:
        abstract = True

    @property
    def period(self) -> periods.Period:
        return periods.Period(self.period_kind, self.period_start, self.period_end)

    @period.setter
    def period(self, value: periods.Period) -> None:
        self.period_kind, self.period_start, self.period_end = value.kind, value.start, value.end


class Target(AuditedModel, Document, PeriodFields):
    """A number to reach for an indicator, a unit and a period; the original value and its
    revision are both kept. ``kept`` is the part the unit carries out itself, not allocated
    to the units below."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="targets")
    unit = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="targets")
    value = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    revised_value = models.DecimalField(
        _("revised target"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    kept = models.DecimalField(
        _("carried out at this level"), max_digits=16, decimal_places=2, default=Decimal(0)
    )
    over_allocation_reason = models.CharField(
        _("reason for over-allocation"), max_length=300, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("target")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period_kind", "period_start", "period_end"],
                name="framework_one_target_per_period",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="framework_target_not_negative"),
            models.CheckConstraint(condition=Q(kept__gte=0), name="framework_kept_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.unit} {self.period.code}: {self.effective}"

    def audit_unit(self):
        return self.unit

    def clean(self) -> None:
        if self.unit_id and self.period_start and not self.unit.is_valid_on(self.period_start):
            raise ValidationError(
                {"unit": _("This unit did not exist at the start of the period.")}
            )

    @property
    def effective(self) -> Decimal:
        return self.revised_value if self.revised_value is not None else self.value
