from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from duan8.core.formatting import parse_amount
from duan8.finance import actions
from duan8.finance.models import MAX_AMOUNT, BudgetLine, Checkpoint, Disbursement
from duan8.geo.models import AdminUnit

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})
DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]


class DongField(forms.CharField):
    """An amount in whole đồng typed the Vietnamese way: 1.500.000 or 1500000."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", _("In whole đồng, e.g. 1.500.000."))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > 30:
            raise ValidationError(_("Type a whole number of đồng, e.g. 1.500.000."))
        try:
            number = parse_amount(value)
        except ValueError:
            raise ValidationError(_("Type a whole number of đồng, e.g. 1.500.000.")) from None
        if number is None or number != number.to_integral_value() or number > MAX_AMOUNT:
            raise ValidationError(_("Type a whole number of đồng, e.g. 1.500.000."))
        return int(number)


class LineForm(forms.ModelForm):
    original_amount = DongField(label=_("allocated amount (đồng)"))
    revised_amount = DongField(label=_("revised amount (đồng)"), required=False)

    class Meta:
        model = BudgetLine
        fields = [
            "unit",
            "fiscal_year",
            "source",
            "content_area",
            "activity_kind",
            "original_amount",
            "revised_amount",
            "decision_number",
            "decision_date",
            "decision_issuer",
            "notes",
        ]
        widgets = {"decision_date": DATE_WIDGET, "fiscal_year": forms.HiddenInput}

    def __init__(self, *args, units, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["content_area"].queryset = areas


class DisbursementForm(forms.ModelForm):
    amount = DongField(label=_("amount (đồng)"))

    class Meta:
        model = Disbursement
        fields = ["line", "date", "amount", "voucher", "activity", "notes"]
        widgets = {"date": DATE_WIDGET}

    def __init__(self, *args, lines, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines
        self.fields["activity"].queryset = activities
        self.fields["activity"].help_text = _(
            "The activity of the line's unit this money paid for, if any."
        )


class TransferForm(forms.Form):
    """Money of one of the unit's lines handed to a unit below (the receiver's line is made
    by ``actions.transfer``)."""

    from_line = forms.ModelChoiceField(
        queryset=BudgetLine.objects.none(), label=_("from budget line")
    )
    to_unit = forms.ModelChoiceField(queryset=AdminUnit.objects.none(), label=_("to the unit"))
    date = forms.DateField(label=_("date"), input_formats=DATE_INPUTS, widget=DATE_WIDGET)
    amount = DongField(label=_("amount (đồng)"))
    voucher = forms.CharField(label=_("voucher reference"), max_length=100)
    decision_number = forms.CharField(label=_("decision number"), max_length=60, required=False)
    decision_date = forms.DateField(
        label=_("decision date"), input_formats=DATE_INPUTS, widget=DATE_WIDGET, required=False
    )
    notes = forms.CharField(label=_("notes"), max_length=300, required=False)

    def __init__(self, *args, lines, units, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)
        self.fields["from_line"].queryset = lines
        self.fields["to_unit"].queryset = units

    def save(self):
        data = dict(self.cleaned_data)
        return actions.transfer(data.pop("from_line"), data.pop("to_unit"), **data)


class CheckpointForm(forms.ModelForm):
    class Meta:
        model = Checkpoint
        fields = ["day", "month", "threshold"]
