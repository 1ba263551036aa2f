from django import forms
from django.utils.translation import gettext_lazy as _

from duan8.framework.models import BREAKDOWNS, ContentArea, Indicator, IndicatorVersion, Phase

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["code", "name", "start", "end"]
        widgets = {"start": DATE_WIDGET, "end": DATE_WIDGET}


class VersionForm(forms.ModelForm):
    breakdowns = forms.MultipleChoiceField(
        label=_("Breakdowns"),
        choices=list(BREAKDOWNS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = IndicatorVersion
        fields = [
            "valid_from",
            "unit_of_measure",
            "aggregation",
            "numerator",
            "denominator",
            "source",
            "breakdowns",
            "definition",
        ]
        widgets = {"valid_from": DATE_WIDGET}


class TargetForm(forms.Form):
    indicator = forms.ModelChoiceField(queryset=None, label=_("Indicator"))
    period = forms.ChoiceField(label=_("Period"))
    value = forms.DecimalField(label=_("Target"), min_value=0, max_digits=16, decimal_places=2)
    revise = forms.BooleanField(
        label=_("This revises an earlier target (the original is kept)"), required=False
    )
    doc_number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    doc_date = forms.DateField(label=_("Document date"), required=False, widget=DATE_WIDGET)
    doc_issuer = forms.CharField(label=_("Issued by"), max_length=200, required=False)

    def __init__(self, *args, phase=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = phase.indicators() if phase else None
        self.fields["period"].choices = (
            [(p.code, p.label) for p in phase.periods()] if phase else []
        )


class ContentAreaForm(forms.ModelForm):
    class Meta:
        model = ContentArea
        fields = ["code", "name", "name_en", "order"]


class IndicatorForm(forms.ModelForm):
    """A new indicator with its first definition, valid from the start of the phase."""

    unit_of_measure = VersionForm.base_fields["unit_of_measure"]
    aggregation = VersionForm.base_fields["aggregation"]
    source = VersionForm.base_fields["source"]
    breakdowns = VersionForm.base_fields["breakdowns"]
    definition = VersionForm.base_fields["definition"]

    class Meta:
        model = Indicator
        fields = ["code", "name", "name_en", "order"]
