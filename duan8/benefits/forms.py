"""Forms of the support packages: packages, items and amounts typed by administrators with
their document; the occasions of a birth's counted items; the payment steps; the reason for
an export of the personal payment list."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from duan8.benefits import amounts
from duan8.benefits.models import (
    MAX_COUNT,
    Counting,
    EntitlementState,
    ItemAmount,
    SupportItem,
    SupportPackage,
)
from duan8.core.formatting import format_number
from duan8.finance.forms import DATE_INPUTS, DATE_WIDGET, DongField


class PackageForm(forms.ModelForm):
    class Meta:
        model = SupportPackage
        fields = ["scope", "code", "name", "document", "order", "notes"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = amounts.settable_scopes(user)


class ItemForm(forms.ModelForm):
    class Meta:
        model = SupportItem
        fields = ["code", "name", "counting", "occasion", "excludes_insurance", "order", "notes"]


class AmountForm(forms.ModelForm):
    amount = DongField(
        label=_("amount (đồng)"),
        help_text=_(
            "Per occasion, or per birth (a normal delivery when a caesarean amount is set)."
        ),
    )
    amount_caesarean = DongField(
        label=_("amount for a caesarean delivery (đồng)"),
        required=False,
        help_text=_("Empty: the same amount for every delivery."),
    )

    class Meta:
        model = ItemAmount
        fields = [
            "item",
            "scope",
            "amount",
            "amount_caesarean",
            "max_count",
            "valid_from",
            "valid_until",
            "document",
            "notes",
        ]
        widgets = {"valid_from": DATE_WIDGET, "valid_until": DATE_WIDGET}

    def __init__(self, *args, user, package, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = package.items.order_by("order", "code", "pk")
        self.fields["scope"].queryset = amounts.amount_scopes(user, package)
        for name in ("valid_from", "valid_until"):
            self.fields[name].input_formats = DATE_INPUTS


class AmountChangeForm(forms.Form):
    """A new version of an amount from a day."""

    valid_from = forms.DateField(label=_("from"), input_formats=DATE_INPUTS, widget=DATE_WIDGET)
    amount = DongField(label=_("amount (đồng)"))
    amount_caesarean = DongField(label=_("amount for a caesarean delivery (đồng)"), required=False)
    max_count = forms.IntegerField(
        label=_("at most (occasions)"), required=False, min_value=1, max_value=MAX_COUNT
    )
    document = forms.CharField(label=_("document"), max_length=300)


class AmountCloseForm(forms.Form):
    valid_until = forms.DateField(
        label=_("no longer applies to births from"), input_formats=DATE_INPUTS, widget=DATE_WIDGET
    )


class CountsForm(forms.Form):
    """The number of occasions of each counted item not yet proposed (antenatal visits
    made), paid up to the amount's maximum."""

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            if line.existing is not None or not line.configured:
                continue
            if line.item.counting != Counting.PER_OCCASION:
                continue
            self.fields[f"count_{line.item.pk}"] = forms.IntegerField(
                label=f"{line.item.name}: {line.item.occasion}",
                required=False,
                min_value=0,
                max_value=MAX_COUNT,
                help_text=_("Paid up to %(max)s, %(amount)s đồng each.")
                % {
                    "max": line.version.max_count,
                    "amount": format_number(line.version.amount),
                },
            )

    def counts(self) -> dict[int, int | None]:
        return {
            int(name.removeprefix("count_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("count_")
        }


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300)


class PayForm(forms.Form):
    paid_on = forms.DateField(label=_("paid on"), input_formats=DATE_INPUTS, widget=DATE_WIDGET)
    payer = forms.CharField(label=_("paid by"), max_length=120)
    voucher = forms.CharField(label=_("voucher reference"), max_length=100)
    budget_line = forms.ModelChoiceField(
        label=_("paid from budget line"),
        queryset=None,
        required=False,
        help_text=_(
            "A line of the commune or of a unit above it, of the payment's year: the "
            "disbursement is recorded on it."
        ),
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = lines


class ExportForm(forms.Form):
    purpose = forms.CharField(
        label=_("why the list is exported"),
        max_length=300,
        min_length=5,
        help_text=_("Kept in the log of personal data accesses (Decree 13/2023/NĐ-CP)."),
    )
    state = forms.ChoiceField(
        label=_("entitlements"),
        required=False,
        choices=[
            ("", _("paid in the period and approved awaiting payment")),
            (EntitlementState.APPROVED.value, _("approved, awaiting payment")),
            (EntitlementState.PAID.value, _("paid in the period")),
        ],
    )
