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

    measure = forms.ChoiceField(label=_("Measured by"), required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from duan8.framework import measures

        self.fields["measure"].choices = measures.choices()

    class Meta:
        model = IndicatorVersion
        fields = [
            "valid_from",
            "unit_of_measure",
            "aggregation",
            "numerator",
            "denominator",
            "source",
            "measure",
            "breakdowns",
            "definition",
        ]
        widgets = {"valid_from": DATE_WIDGET}


class AmountField(forms.CharField):
    """A number typed the Vietnamese way: 1.234 or 12,5 (see formatting.parse_amount)."""

    def to_python(self, value):
        from duan8.core.formatting import parse_amount

        value = super().to_python(value)
        try:
            number = parse_amount(value)
        except ValueError:
            raise forms.ValidationError(
                _("Write a number of 0 or more, such as 1.234 or 12,5.")
            ) from None
        if number is None and self.required:
            raise forms.ValidationError(self.error_messages["required"])
        return number


class TargetForm(forms.Form):
    indicator = forms.ModelChoiceField(queryset=None, label=_("Indicator"))
    period = forms.ChoiceField(label=_("Period"))
    value = AmountField(label=_("Target"))
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
    numerator = VersionForm.base_fields["numerator"]
    denominator = VersionForm.base_fields["denominator"]
    source = VersionForm.base_fields["source"]
    measure = VersionForm.base_fields["measure"]
    breakdowns = VersionForm.base_fields["breakdowns"]
    definition = VersionForm.base_fields["definition"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from duan8.framework import measures

        self.fields["measure"].choices = measures.choices()

    class Meta:
        model = Indicator
        fields = ["code", "name", "name_en", "order"]
