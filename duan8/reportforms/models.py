"""Report forms as data: the Excel forms the programme's monitoring procedure (Circular
01/2022/TT-UBDT, re-issued by Decision 552/QĐ-BDTTG of 18/8/2025) and the centre ask for,
defined by administrators and filled by duan8 from the one reading path.

* ``ReportForm`` (biểu mẫu báo cáo): title, legal basis, the period and tree date it is
  usually filled for, its columns (the units below the unit it is filled for, or a list of
  periods) and what each cell shows (result, target, percent, for the period or the phase to
  date). The nation's forms (``scope`` empty) are defined by national administrators, a
  province's own by its administrators; everyone signed in who works in the scope fills them.
* ``FormRow``: an indicator (by its code, found in the phase of the period filled, so a form
  outlives a phase whose codes carry over), optionally one part of its measure (a breakdown:
  the models established rather than maintained, the women rather than the trainings), a
  heading (text, or a content area's name) or the subtotal of the indicators above it.
* ``FormColumn``: a period of a form whose columns are periods, with its header text.

Every change goes through the audited write path. A form's ``revision`` moves with every save
of its definition (its rows and columns included), so an edit started from an older version is
refused (``core.versions``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from duan8.core.audit import AuditedModel
from duan8.framework import periods


class CellKind(models.TextChoices):
    """What a cell of a column shows; a column shows one or several, side by side."""

    VALUE = "value", _("Result in the period")
    TARGET = "target", _("Target for the period")
    PERCENT = "percent", _("Percent of the period's target")
    TO_DATE = "to_date", _("Result from the phase's start to the period's end")
    PHASE_TARGET = "phase_target", _("Target for the phase")
    PHASE_PERCENT = "phase_percent", _("Percent of the phase's target")


PERCENTS = frozenset({CellKind.PERCENT, CellKind.PHASE_PERCENT})

# The sheet's words for each cell kind: sheets are in Vietnamese whatever the page's language.
SHEET_HEADERS = {
    CellKind.VALUE: "Kết quả thực hiện trong kỳ",
    CellKind.TARGET: "Chỉ tiêu kỳ",
    CellKind.PERCENT: "Tỷ lệ so với chỉ tiêu kỳ (%)",
    CellKind.TO_DATE: "Lũy kế từ đầu giai đoạn",
    CellKind.PHASE_TARGET: "Chỉ tiêu giai đoạn",
    CellKind.PHASE_PERCENT: "Tỷ lệ so với chỉ tiêu giai đoạn (%)",
}


class ColumnsKind(models.TextChoices):
    UNITS = "units", _("The units directly below the unit, on the tree date")
    PERIODS = "periods", _("A list of periods")


class RowKind(models.TextChoices):
    HEADING = "heading", _("Heading")
    INDICATOR = "indicator", _("Indicator")
    SUBTOTAL = "subtotal", _("Subtotal of the indicators since the heading above")


# The years a form is read for: a span of thousands of years is a typing mistake (it would be
# read year by year).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def span_error(period: periods.Period) -> str | None:
    """Why ``period`` is outside the years forms are read for (None when it is not)."""
    if period.start.year < FIRST_YEAR or period.last_day.year > LAST_YEAR:
        return gettext("Choose a period between %(first)d and %(last)d.") % {
            "first": FIRST_YEAR,
            "last": LAST_YEAR,
        }
    return None


def period_error(code: str) -> str | None:
    """Why ``code`` is not a period code forms are read for, in words (None when it is)."""
    try:
        period = periods.parse(code)
    except ValueError:
        return gettext("Not a period: write 2024, 2024-H1, 2024-Q3, 2024-05 or 2021-2025.")
    return span_error(period)


class ReportForm(AuditedModel):
    """A report form: what its rows and columns are and what its cells show."""

    scope = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_forms",
        verbose_name=_("defined for"),
        help_text=_("Empty: the nation's form. A province's own form is read in the province."),
    )
    code = models.CharField(
        _("form number"), max_length=40, blank=True, help_text=_("As the form is cited: 01/DA8.")
    )
    title = models.CharField(_("title"), max_length=300)
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=500,
        blank=True,
        help_text=_("The documents that ask for the form: number, date, issuer."),
    )
    period = models.CharField(
        _("period"),
        max_length=20,
        blank=True,
        help_text=_(
            "The period the form is usually filled for (2024, 2024-H1, 2021-2025); empty: "
            "chosen when filling. Another period can always be chosen."
        ),
    )
    tree_date = models.DateField(
        _("units as of"),
        null=True,
        blank=True,
        help_text=_("The day whose units the figures are read on; empty: the period's last day."),
    )
    columns = models.CharField(
        _("columns"), max_length=10, choices=ColumnsKind.choices, default=ColumnsKind.UNITS
    )
    with_total = models.BooleanField(
        _("a first column for the unit itself"),
        default=True,
        help_text=_("For columns of units: the unit the form is filled for, before its units."),
    )
    cells = models.JSONField(
        _("each column shows"),
        default=list,
        help_text=_("One or more of: result, target and percent, for the period or the phase."),
    )
    notes = models.TextField(_("notes"), blank=True, help_text=_("Printed under the table."))
    # The forms duan8 ships are found by this key, so that loading them twice adds nothing.
    builtin = models.CharField(max_length=40, blank=True, editable=False)
    revision = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("report form")
        ordering = ["scope__path", "code", "title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["builtin"], condition=~Q(builtin=""), name="reportforms_one_builtin"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()

    def audit_unit(self):
        return self.scope

    @property
    def default_period(self) -> periods.Period | None:
        if not self.period:
            return None
        try:
            return periods.parse(self.period)
        except ValueError:
            return None

    @property
    def cell_kinds(self) -> list[str]:
        """The cell kinds in the order the form lists them (unknown ones left out)."""
        return [kind for kind in self.cells or [] if kind in CellKind.values]

    def clean(self) -> None:
        errors = {}
        if self.scope_id and self.scope.parent_id is not None and self.scope.kind != "province":
            errors["scope"] = gettext("A form is defined for the nation or for a province.")
        if self.period:
            self.period = self.period.strip().upper()
            problem = period_error(self.period)
            if problem:
                errors["period"] = problem
        kinds = self.cells if isinstance(self.cells, list) else None
        if not kinds or any(kind not in CellKind.values for kind in kinds):
            errors["cells"] = gettext(
                "Choose what each column shows: one or more of result, target and percent."
            )
        elif len(set(kinds)) != len(kinds):
            self.cells = list(dict.fromkeys(kinds))
        if errors:
            raise ValidationError(errors)


class FormRow(AuditedModel):
    """A row of a form: a heading, an indicator (or one part of its measure) or a subtotal."""

    report = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="rows")
    order = models.PositiveIntegerField(_("order"), default=0)
    kind = models.CharField(
        _("kind"), max_length=10, choices=RowKind.choices, default=RowKind.INDICATOR
    )
    number = models.CharField(
        _("number"),
        max_length=10,
        blank=True,
        help_text=_("As printed (I, 1, 1.1); empty: numbered in order."),
    )
    code = models.CharField(
        _("indicator or content area"),
        max_length=30,
        blank=True,
        help_text=_(
            "An indicator's code; for a heading, a content area's code (its name is printed)."
        ),
    )
    part = models.CharField(
        _("part"),
        max_length=80,
        blank=True,
        help_text=_(
            "Optional: a part of the indicator's measure (the models established rather than "
            "maintained, the women trained rather than the trainings)."
        ),
    )
    label = models.CharField(
        _("text"),
        max_length=400,
        blank=True,
        help_text=_("Printed instead of the indicator's or content area's name."),
    )

    class Meta:
        verbose_name = _("row of a report form")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}/{self.order}: {self.code or self.label or self.kind}"

    def audit_unit(self):
        return self.report.scope if self.report_id else None

    def clean(self) -> None:
        from duan8.framework import measures
        from duan8.framework.models import ContentArea, Indicator

        errors = {}
        self.code = (self.code or "").strip()
        if self.kind == RowKind.INDICATOR:
            indicator = (
                Indicator.objects.filter(code=self.code).order_by("-content_area__phase__start")
                if self.code
                else Indicator.objects.none()
            ).first()
            if indicator is None:
                errors["code"] = gettext("Choose an indicator of the framework.")
            elif self.part:
                measure = measures.get(self.part)
                own = _measure_of(indicator)
                if measure is None:
                    errors["part"] = gettext("No measure is registered under this name.")
                elif own is None:
                    errors["part"] = gettext(
                        "This indicator is not counted from records: its measure has no parts."
                    )
                elif measure.source.name != own.source.name:
                    errors["part"] = gettext(
                        "This is not a part of the indicator's measure: choose one counted from "
                        "the same records."
                    )
        else:
            if self.part:
                errors["part"] = gettext("Only an indicator's row has a part.")
            if self.kind == RowKind.HEADING:
                if self.code and not ContentArea.objects.filter(code=self.code).exists():
                    errors["code"] = gettext("Choose a content area of the framework, or none.")
                if not self.code and not self.label.strip():
                    errors["label"] = gettext("Write the heading's text or choose a content area.")
            elif self.code:
                errors["code"] = gettext("A subtotal names no indicator.")
        if errors:
            raise ValidationError(errors)


def _measure_of(indicator):
    """The measure of the indicator's latest definition that has one."""
    from duan8.framework import measures

    key = (
        indicator.versions.exclude(measure="")
        .order_by("-valid_from")
        .values_list("measure", flat=True)
        .first()
    )
    return measures.get(key) if key else None


class FormColumn(AuditedModel):
    """A column of a form whose columns are periods."""

    report = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="period_columns")
    order = models.PositiveIntegerField(_("order"), default=0)
    period = models.CharField(
        _("period"), max_length=20, help_text=_("2022, 2024-H1, 2024-Q3, 2021-2025…")
    )
    header = models.CharField(
        _("header"), max_length=200, blank=True, help_text=_("Empty: the period's name.")
    )

    class Meta:
        verbose_name = _("period column of a report form")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}/{self.order}: {self.period}"

    def audit_unit(self):
        return self.report.scope if self.report_id else None

    def clean(self) -> None:
        self.period = (self.period or "").strip().upper()
        problem = period_error(self.period)
        if problem:
            raise ValidationError({"period": problem})
