from django import forms
from django.utils.translation import gettext_lazy as _

from duan8.activities.models import (
    Activity,
    ActivityKind,
    Attachment,
    Trainer,
    TrainerAppointment,
    TrainerQualification,
)
from duan8.community.forms import UnitsOnTheRecordDate
from duan8.core.versions import VersionedForm

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})
KIND_FIELDS = {
    ActivityKind.TRAINING: ["programme", "is_training_of_trainers", "appointment", "trainers"],
    ActivityKind.DIALOGUE: ["dialogue_level"],
    ActivityKind.CAMPAIGN: ["event_form"],
    ActivityKind.SUPERVISION: [],
    ActivityKind.REVIEW: [],
}
COMMON = [
    "unit",
    "title",
    "start_on",
    "end_on",
    "organiser",
    "participants",
    "participants_women",
    "participants_ethnic",
    "cost",
    "notes",
]


class ActivityForm(UnitsOnTheRecordDate, VersionedForm):
    date_field = "start_on"

    class Meta:
        model = Activity
        fields = [
            *COMMON,
            "programme",
            "is_training_of_trainers",
            "dialogue_level",
            "event_form",
            "appointment",
            "trainers",
        ]
        widgets = {
            "start_on": DATE_WIDGET,
            "end_on": DATE_WIDGET,
            "trainers": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, kind: str, units, around, trainers, appointments, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = kind
        keep = set(COMMON) | set(KIND_FIELDS[ActivityKind(kind)]) | {"version"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.offer_units(units, around)
        if "trainers" in self.fields:
            self.fields["trainers"].queryset = trainers
            self.fields["appointment"].queryset = appointments


class TrainerForm(forms.ModelForm):
    class Meta:
        model = Trainer
        fields = ["name", "phone", "organisation"]


class QualificationForm(forms.ModelForm):
    """A training of trainers completed, for ``instance.trainer`` (set before validating)."""

    class Meta:
        model = TrainerQualification
        fields = ["programme", "completed_on"]
        widgets = {"completed_on": DATE_WIDGET}

    def clean(self):
        # The trainer is not a field of the form, so Django leaves the one-per-programme
        # constraint to the database: said here instead of failing there.
        cleaned = super().clean()
        trainer = self.instance.trainer_id
        programme = cleaned.get("programme")
        if trainer and programme:
            taken = TrainerQualification.objects.filter(trainer_id=trainer, programme=programme)
            if taken.exclude(pk=self.instance.pk).exists():
                self.add_error(
                    "programme",
                    _("This training of trainers is already recorded for this trainer."),
                )
        return cleaned


class AppointmentForm(forms.ModelForm):
    class Meta:
        model = TrainerAppointment
        fields = ["number", "date", "signer", "trainers"]
        widgets = {"date": DATE_WIDGET, "trainers": forms.CheckboxSelectMultiple}
        labels = {"trainers": _("Trainers appointed")}

    def __init__(self, *args, trainers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainers"].queryset = trainers


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["title", "file"]


class ActivityImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k.value, k.label) for k in ActivityKind],
    )
    dialogue_level = forms.ChoiceField(
        label=_("Dialogue level"),
        required=False,
        choices=[("", "—"), *Activity._meta.get_field("dialogue_level").choices],
    )
    event_form = forms.ChoiceField(
        label=_("Form"),
        required=False,
        choices=[("", "—"), *Activity._meta.get_field("event_form").choices],
    )
    file = forms.FileField(label=_("Excel file (.xlsx)"))
