import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duan8.community.models import ST_SUPPORTS, CommunityModel, ModelKind
from duan8.core.versions import VersionedForm
from duan8.geo import paths, timeline
from duan8.geo.models import AdminUnit

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


class UnitsOnTheRecordDate:
    """A record form whose unit list follows the record's date.

    The list shows the units the officer may edit that exist on the date typed (on an edit,
    the record's date; else today) within the page's unit, or within the units that stood for
    it on that date if it did not exist then (a former commune's page offers its successor
    for a 2026 date). A unit of that area from another time still passes the form, so that
    the model's ``clean`` refuses it with a message naming the unit to use; the unit already
    chosen stays in the list, with its dates. Changing the date asks the page again (htmx)
    and swaps in the new list; without JavaScript the list follows the date when the form
    comes back, and the rule holds either way.
    """

    date_field: str

    def offer_units(self, units: QuerySet, around: AdminUnit) -> None:
        """``units``: those the officer may edit; ``around``: the unit whose page this is."""
        self.record_day = self._record_day()
        roots = [around, *timeline.counterparts_on(around, self.record_day)]
        area = units.filter(paths.any_prefix_q("path", [root.path for root in roots]))
        field = self.fields["unit"]
        field.queryset = area
        field.help_text = _("Lists the units that exist on the date in “%(field)s”.") % {
            "field": self.fields[self.date_field].label
        }
        field.label_from_instance = lambda unit: unit.display_with_dates()
        listed = list(area.valid_on(self.record_day).order_by("path"))
        chosen = self._chosen_unit(area)
        if chosen is not None and chosen not in listed:
            listed.insert(0, chosen)
        blank = [] if field.empty_label is None else [("", field.empty_label)]
        field.widget.choices = blank + [(unit.pk, unit.display_with_dates()) for unit in listed]
        unit_id = f"#{self['unit'].auto_id}"
        self.fields[self.date_field].widget.attrs.update(
            {
                "hx-get": "",  # this page again, with the date and the unit chosen
                "hx-trigger": "change",
                "hx-include": "[name='unit'], [name='kind']",
                "hx-target": unit_id,
                "hx-select": unit_id,
                "hx-swap": "outerHTML",
            }
        )

    def _record_day(self) -> datetime.date:
        name = self.date_field
        raw = self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)
        try:
            day = self.fields[name].to_python(raw)
        except ValidationError:
            day = None
        return day or getattr(self.instance, name, None) or timezone.localdate()

    def _chosen_unit(self, units: QuerySet) -> AdminUnit | None:
        """The unit of the data sent, or of the record being edited."""
        value = self.data.get(self.add_prefix("unit")) if self.is_bound else self.instance.unit_id
        try:
            pk = int(value)
        except (TypeError, ValueError):
            return None
        return units.filter(pk=pk).first() if 0 < pk < 2**63 else None


class CommunityModelForm(UnitsOnTheRecordDate, VersionedForm):
    date_field = "established_on"

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

    def __init__(self, *args, kind: str, units, around, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = kind
        keep = set(COMMON) | set(KIND_FIELDS[ModelKind(kind)]) | {"notes", "version"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.offer_units(units, around)
