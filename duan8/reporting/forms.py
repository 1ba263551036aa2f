from django import forms
from django.utils import timezone

from duan8.core import access
from duan8.core.versions import VersionedForm
from duan8.geo.models import AdminUnit
from duan8.reporting.models import Regime

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})


class RegimeForm(VersionedForm):
    """A row of the reporting calendar, for the nation (national administrators) or for a
    province its administrators hold."""

    class Meta:
        model = Regime
        fields = [
            "scope",
            "level",
            "reports_to",
            "period_kind",
            "last_in_annual",
            "due_months",
            "due_day",
            "update_months",
            "update_day",
            "valid_from",
            "valid_until",
            "legal_source",
        ]
        widgets = {"valid_from": DATE_WIDGET, "valid_until": DATE_WIDGET}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        scopes = AdminUnit.objects.filter(kind="province").valid_on(today)
        scopes = access.scope_units(user, access.Action.ADMINISTER, scopes)
        if access.is_national_admin(user):
            scopes = AdminUnit.objects.filter(parent__isnull=True) | scopes
        self.fields["scope"].queryset = scopes.order_by("depth", "name")
        for name in ("valid_from", "valid_until"):
            self.fields[name].input_formats = ["%d/%m/%Y", "%Y-%m-%d"]
