from django import forms

from duan8.geo.models import AdminUnit


class UnitForm(forms.ModelForm):
    class Meta:
        model = AdminUnit
        fields = ["code", "name", "short_name", "valid_from", "valid_until"]
        widgets = {
            "valid_from": forms.DateInput(format="%d/%m/%Y"),
            "valid_until": forms.DateInput(format="%d/%m/%Y"),
        }
