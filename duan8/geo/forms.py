from django import forms
from django.utils.translation import gettext_lazy as _

from duan8.core.versions import VersionedForm
from duan8.geo.models import AdminUnit, Classification
from duan8.geo.models.classification import DEFAULT_LEGAL_BASIS

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})


class UnitForm(VersionedForm):
    class Meta:
        model = AdminUnit
        fields = ["code", "name", "short_name", "valid_from", "valid_until"]
        widgets = {"valid_from": DATE_WIDGET, "valid_until": DATE_WIDGET}


class VillageForm(forms.Form):
    name = forms.CharField(
        label=_("Village name"),
        max_length=120,
        help_text=_("As people write it, with its type word: Bản Sì Choang, Thôn 2, Tổ dân phố 5."),
    )


MAX_UPLOAD_MB = 20


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(n)d MB; split it into smaller files.")
                % {"n": MAX_UPLOAD_MB}
            )
        return upload

    on = forms.DateField(
        label=_("Communes as of"),
        widget=DATE_WIDGET,
        help_text=_("Names in the file are matched to the units that existed on this date."),
    )


class ClassificationForm(forms.ModelForm):
    class Meta:
        model = Classification
        fields = ["kind", "value", "valid_from", "valid_until", "legal_basis", "note"]
        widgets = {"valid_from": DATE_WIDGET, "valid_until": DATE_WIDGET}

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.unit = unit
        self.fields["legal_basis"].required = False

    def clean(self):
        data = super().clean()
        if not data.get("legal_basis") and data.get("kind") in DEFAULT_LEGAL_BASIS:
            data["legal_basis"] = DEFAULT_LEGAL_BASIS[data["kind"]]
            self.instance.legal_basis = data["legal_basis"]
        if not data.get("legal_basis"):
            self.add_error("legal_basis", _("Name the decision that sets this classification."))
        return data


class ReviewForm(forms.Form):
    commune = forms.ModelChoiceField(queryset=AdminUnit.objects.none(), label=_("Commune"))

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes
