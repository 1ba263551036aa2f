"""The editor of a report form (its fields, its rows and its period columns, as formsets) and
the choice of unit, period and tree date to fill it for."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from duan8.core import access, versions
from duan8.core.formatting import parse_date
from duan8.core.versions import VersionedForm
from duan8.framework import measures, periods
from duan8.geo.models import AdminUnit
from duan8.reportforms import rules
from duan8.reportforms.models import CellKind, FormColumn, FormRow, ReportForm

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class ReportFormForm(VersionedForm):
    """A form's own fields. Its rows and columns are saved with it: any save of the
    definition since the version the editor opened (its rows included) refuses this one."""

    cells = forms.MultipleChoiceField(
        label=_("each column shows"),
        choices=CellKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ReportForm
        fields = [
            "scope",
            "code",
            "title",
            "legal_basis",
            "period",
            "tree_date",
            "columns",
            "with_total",
            "cells",
            "notes",
        ]
        widgets = {
            "tree_date": DATE_WIDGET,
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = self.fields["scope"]
        scope.queryset = rules.province_scopes(user)
        if access.is_national_admin(user):
            scope.required = False
            scope.empty_label = _("The nation")
        else:
            scope.required = True
            scope.empty_label = None
        if self.instance.pk is not None:
            scope.disabled = True  # a form stays where it was defined
            scope.queryset = AdminUnit.objects.filter(pk=self.instance.scope_id)
        self.fields["tree_date"].input_formats = DATE_FORMATS
        self.fields["cells"].initial = self.instance.cells or [CellKind.VALUE]

    def clean_cells(self):
        chosen = set(self.cleaned_data.get("cells") or [])
        return [kind for kind in CellKind.values if kind in chosen]

    def clean(self):
        cleaned = super().clean()
        version = cleaned.get("version")
        if (
            self.stale is None
            and self.instance.pk is not None
            and version is not None
            and versions.of(self.instance) > version
        ):
            # Saved meanwhile, rows or columns only: those are part of the definition too.
            self.refuse(versions.Stale(self.instance, version), self.instance)
        return cleaned


def indicator_choices() -> list:
    """Indicators by code (the latest phase's name) and content areas, for a row's code."""
    from duan8.framework.models import ContentArea, Indicator

    names = {}
    for code, name in Indicator.objects.order_by(
        "content_area__phase__start", "content_area__order", "order", "code"
    ).values_list("code", "name"):
        names[code] = name
    areas = {}
    for code, name in ContentArea.objects.order_by("phase__start", "order", "code").values_list(
        "code", "name"
    ):
        areas[code] = name
    return [
        ("", "—"),
        (_("Indicators"), [(code, f"{code} — {name}") for code, name in names.items()]),
        (
            _("Content areas (headings)"),
            [(code, f"{code} — {name}") for code, name in areas.items()],
        ),
    ]


class RowForm(forms.ModelForm):
    class Meta:
        model = FormRow
        fields = ["order", "kind", "number", "code", "label", "part"]
        widgets = {"order": forms.NumberInput(attrs={"style": "width: 5rem"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"] = forms.ChoiceField(
            label=FormRow._meta.get_field("code").verbose_name,
            choices=indicator_choices(),
            required=False,
        )
        self.fields["part"] = forms.ChoiceField(
            label=FormRow._meta.get_field("part").verbose_name,
            choices=measures.choices(),
            required=False,
        )


class ColumnForm(forms.ModelForm):
    class Meta:
        model = FormColumn
        fields = ["order", "period", "header"]
        widgets = {"order": forms.NumberInput(attrs={"style": "width: 5rem"})}


RowFormSet = inlineformset_factory(
    ReportForm, FormRow, form=RowForm, fk_name="report", extra=3, can_delete=True
)
ColumnFormSet = inlineformset_factory(
    ReportForm, FormColumn, form=ColumnForm, fk_name="report", extra=3, can_delete=True
)


def next_orders(queryset, count: int) -> list[dict]:
    """Initial orders of the blank rows of a formset: after the last, ten apart."""
    last = max(queryset.values_list("order", flat=True), default=0)
    return [{"order": last + 10 * (i + 1)} for i in range(count)]


class FillForm(forms.Form):
    """The unit, period and tree date a form is filled for (a page's query)."""

    unit = forms.IntegerField(widget=forms.HiddenInput, required=False)
    period = forms.CharField(
        label=_("period"),
        required=False,
        max_length=20,
        help_text=_("2024, 2024-H1, 2024-Q3, 2024-05 or 2021-2025."),
    )
    on = forms.CharField(
        label=_("units as of"),
        required=False,
        max_length=10,
        help_text=_("dd/mm/yyyy; empty: the form's, else the period's last day."),
    )

    def clean_period(self):
        code = (self.cleaned_data.get("period") or "").strip().upper()
        if not code:
            return None
        try:
            return periods.parse(code)
        except ValueError:
            raise forms.ValidationError(
                _("Not a period: write 2024, 2024-H1, 2024-Q3, 2024-05 or 2021-2025.")
            ) from None

    def clean_on(self):
        text = (self.cleaned_data.get("on") or "").strip()
        if not text:
            return None
        try:
            return parse_date(text)
        except ValueError:
            raise forms.ValidationError(_("Write the date as dd/mm/yyyy.")) from None
