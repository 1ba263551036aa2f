from django import forms
from django.utils.translation import gettext_lazy as _

from duan8.community.models import ST_SUPPORTS, CommunityModel, ModelKind

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})
# Fields each kind shows besides the common ones (the seeds name them).
KIND_FIELDS = {
    ModelKind.COMMUNICATION_TEAM: ["members_women", "members_men", "equipment"],
    ModelKind.LEADERS_CLUB: ["setting", "members_women", "members_men", "managing_body"],
    ModelKind.TRUSTED_ADDRESS: ["managing_body", "hotline", "members_women", "members_men"],
    ModelKind.LIVELIHOOD_GROUP: ["women_owned", "st_supports", "members_women", "members_men"],
    ModelKind.TRAFFICKING_LIVELIHOOD: ["members_women", "members_men"],
    ModelKind.SAVINGS_GROUP: ["members_women", "members_men"],
}
COMMON = ["unit", "name", "established_on", "ended_on"]


class CommunityModelForm(forms.ModelForm):
    st_supports = forms.MultipleChoiceField(
        label=_("Science and technology supports"),
        choices=list(ST_SUPPORTS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = CommunityModel
        fields = [
            *COMMON,
            "members_women",
            "members_men",
            "setting",
            "managing_body",
            "hotline",
            "women_owned",
            "st_supports",
            "equipment",
            "notes",
        ]
        widgets = {"established_on": DATE_WIDGET, "ended_on": DATE_WIDGET}

    def __init__(self, *args, kind: str, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = kind
        self.fields["unit"].queryset = units
        keep = set(COMMON) | set(KIND_FIELDS[ModelKind(kind)]) | {"notes"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
