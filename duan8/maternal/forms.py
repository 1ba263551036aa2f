"""Forms of the maternal registry: a mother, a birth, a rule set version, a re-run, a review,
an export's purpose."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from duan8.community.forms import DATE_WIDGET, UnitsOnTheRecordDate
from duan8.core.versions import VersionedForm
from duan8.maternal import ethnic_groups
from duan8.maternal.models import DECREE_39_FACTS, Birth, EthnicGroup, Mother, ReviewState, RuleSet


class EthnicGroupField(forms.CharField):
    """An ethnic group typed as officers write it (Mông, H'Mông, hmong, Dân tộc Mông),
    found among the 54 official groups; the page offers the names as suggestions."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 60)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"list": "ethnic-groups", "autocomplete": "off"})

    def prepare_value(self, value):
        if isinstance(value, EthnicGroup):
            return value.name
        if isinstance(value, int):
            found = EthnicGroup.objects.filter(pk=value).first()
            return found.name if found else ""
        return value

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        group = ethnic_groups.find(text)
        if group is None:
            raise forms.ValidationError(
                _("“%(value)s” is not one of the 54 ethnic groups; choose a name from the list."),
                code="ethnic_group",
                params={"value": text[:60]},
            )
        return group


class MotherForm(VersionedForm):
    ethnic_group = EthnicGroupField(label=_("ethnic group"))
    husband_ethnic_group = EthnicGroupField(
        label=_("husband's ethnic group"),
        required=False,
        help_text=_("Leave empty when not known or when she is not married."),
    )

    class Meta:
        model = Mother
        fields = [
            "unit",
            "full_name",
            "birth_date",
            "ethnic_group",
            "citizen_id",
            "husband_ethnic_group",
            "household_status",
            "phone",
            "notes",
        ]
        widgets = {
            "birth_date": DATE_WIDGET,
            "citizen_id": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }
        help_texts = {
            "citizen_id": _("12 digits, as on her citizen identity card."),
            "household_status": _("When known; it does not change the decision by default."),
        }

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        field.queryset = villages
        field.label_from_instance = lambda unit: f"{unit.name} – {unit.parent.name}"
        field.help_text = _("The villages you may register records in.")

    def clean_citizen_id(self):
        return "".join((self.cleaned_data.get("citizen_id") or "").split())


class BirthForm(UnitsOnTheRecordDate, VersionedForm):
    date_field = "date"

    class Meta:
        model = Birth
        fields = [
            "date",
            "unit",
            "place",
            "facility_name",
            "delivery",
            "babies",
            *DECREE_39_FACTS,
            "notes",
        ]
        widgets = {"date": DATE_WIDGET}
        help_texts = {
            "children_before": _(
                "Born alive before this delivery, including any given for adoption. Leave "
                "empty when not known: the decision then says what is missing."
            ),
            "children_alive": _("Children given for adoption count as alive."),
            "common_children_alive": _(
                "Only needed when she or her husband has a child from before."
            ),
        }

    def __init__(self, *args, villages, around, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_units(villages, around)


class RuleSetForm(forms.ModelForm):
    very_small_groups = forms.ModelMultipleChoiceField(
        label=_("very small ethnic groups (third-child case)"),
        queryset=EthnicGroup.objects.filter(is_kinh=False),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = RuleSet
        fields = [
            "scope",
            "name",
            "legal_basis",
            "valid_from",
            "min_age",
            "requires_facility_birth",
            "requires_poor_household",
            "kinh_mother_with_minority_husband",
            "excludes_compulsory_insurance",
            "population_policy",
            "very_small_groups",
            "notes",
        ]
        widgets = {"valid_from": DATE_WIDGET}
        help_texts = {
            "valid_from": _(
                "Births from this day are judged by the new version; the version in force "
                "before it ends the day before. Decisions already made are kept as they were."
            )
        }

    def __init__(self, *args, scopes, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["scope"]
        field.queryset = scopes
        field.required = False
        field.empty_label = _("The whole country")


class JudgeAgainForm(forms.Form):
    reason = forms.CharField(
        label=_("Why judge it again"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. the new rules from 03/06/2025")}),
    )


class ReviewForm(forms.Form):
    state = forms.ChoiceField(label=_("Review"), choices=ReviewState.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    # The flag's version the page showed: a review saved meanwhile by someone else is not
    # silently overwritten (``versions``); absent from a form of before versions.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class ExportForm(forms.Form):
    purpose = forms.CharField(
        label=_("Purpose of the export"),
        max_length=300,
        min_length=5,
        help_text=_(
            "Why this list with personal data leaves the system (Decree 13/2023/NĐ-CP); it is "
            "logged with your name."
        ),
    )
