from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from duan8.core.formatting import parse_amount
from duan8.finance.models import MAX_AMOUNT, BudgetLine, Checkpoint, Disbursement

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})


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
        fields = ["line", "date", "amount", "voucher", "notes"]
        widgets = {"date": DATE_WIDGET}

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines


class CheckpointForm(forms.ModelForm):
    class Meta:
        model = Checkpoint
        fields = ["day", "month", "threshold"]
