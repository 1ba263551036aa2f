"""Who may read and set spending norms, and the forms that type them. Access is decided by
``core.access``: the nation's norms are set by national administrators, a province's by the
administrators of that province; everyone signed in reads the nation's norms and those of the
provinces they see."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duan8.core import access
from duan8.finance.forms import DATE_WIDGET, DongField
from duan8.finance.models import (
    Estimate,
    EstimateLine,
    FundSource,
    SpendingNorm,
)
from duan8.geo.models import AdminUnit

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def may_set_norms(user, scope: AdminUnit) -> bool:
    if scope.parent_id is None:
        return access.is_national_admin(user)
    return scope.kind == "province" and access.can(user, access.Action.ADMINISTER, scope)


def norm_scopes(user):
    """The scopes ``user`` may set norms for: the nation (national administrators) and the
    provinces they administer (current ones)."""
    provinces = AdminUnit.objects.filter(kind="province").valid_on(timezone.localdate())
    provinces = access.scope_units(user, access.Action.ADMINISTER, provinces)
    if access.is_national_admin(user):
        return (AdminUnit.objects.filter(parent__isnull=True) | provinces).order_by("depth", "name")
    return provinces.order_by("name")


def reaches(user, scope: AdminUnit) -> bool:
    """Whether ``user`` reads the norms of ``scope``: the nation's, everyone signed in; a
    province's, whoever sees the province or a unit in it."""
    if not user.is_authenticated:
        return False
    return scope.parent_id is None or access.works_within(user, scope)


def readable_norms(user):
    """The nation's norms and those of the provinces ``user`` reaches."""
    if not user.is_authenticated:
        return SpendingNorm.objects.none()
    if access.is_national_admin(user):
        return SpendingNorm.objects.all()
    scopes = AdminUnit.objects.filter(pk__in=SpendingNorm.objects.values("scope_id").distinct())
    return SpendingNorm.objects.filter(
        scope_id__in=[scope.pk for scope in scopes if reaches(user, scope)]
    )


def get_estimate_or_404(user, pk, action=access.Action.VIEW) -> Estimate:
    """An estimate of a unit ``user`` sees (404 otherwise) and may ``action`` on (403
    otherwise): the pages and the API read and write estimates through here."""
    return access.get_or_404(user, Estimate.objects.select_related("unit"), action, pk=pk)


def estimates_of(user, unit: AdminUnit, year: int):
    """The estimates of ``unit`` and the units below it for a fiscal year that ``user`` sees."""
    return (
        access.scope_records(user, Estimate.objects.within(unit))
        .filter(fiscal_year=year)
        .select_related("unit")
        .order_by("unit__path", "pk")
    )


def get_scope_or_404(user, pk) -> AdminUnit:
    """The scope of a new norm: the nation or a province whose norms ``user`` reads (404
    otherwise) and among those they may set norms for (403 otherwise) — the scopes the page's
    form offers (``norm_scopes``)."""
    scope = AdminUnit.objects.filter(pk=access.clean_pk(pk)).first()
    if scope is None or not reaches(user, scope):
        raise Http404
    if not norm_scopes(user).filter(pk=scope.pk).exists():
        raise PermissionDenied
    return scope


def get_estimate_line_or_404(estimate: Estimate, pk) -> EstimateLine:
    """A line of ``estimate`` (404 otherwise); who may change the estimate is decided by
    ``get_estimate_or_404``."""
    line = estimate.lines.filter(pk=access.clean_pk(pk)).first()
    if line is None:
        raise Http404
    return line


def get_norm_or_404(user, pk) -> SpendingNorm:
    """A norm ``user`` reads (404 otherwise) and may set (403 otherwise)."""
    norm = SpendingNorm.objects.filter(pk=access.clean_pk(pk)).select_related("scope").first()
    if norm is None or not reaches(user, norm.scope):
        raise Http404
    if not may_set_norms(user, norm.scope):
        raise PermissionDenied
    return norm


class QuantityField(forms.CharField):
    """A quantity typed the Vietnamese way (2,5) or with a point (2.5)."""

    def to_python(self, value):
        value = (super().to_python(value) or "").strip().replace(" ", "")
        if not value:
            return None
        if "," in value:
            value = value.replace(".", "").replace(",", ".")
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ValidationError(_("Type a number, e.g. 2,5.")) from None
        if not number.is_finite() or number <= 0 or number >= Decimal("1e10"):
            raise ValidationError(_("Type a number, e.g. 2,5."))
        if number != number.quantize(Decimal("0.01")):
            raise ValidationError(_("At most two decimals."))
        return number


class NormForm(forms.ModelForm):
    amount = DongField(label=_("amount (đồng)"))

    class Meta:
        model = SpendingNorm
        fields = [
            "scope",
            "code",
            "item",
            "measure",
            "amount",
            "kind",
            "valid_from",
            "valid_until",
            "legal_source",
            "content_area",
            "activity_kind",
        ]
        widgets = {"valid_from": DATE_WIDGET, "valid_until": DATE_WIDGET}

    def __init__(self, *args, user, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = norm_scopes(user)
        self.fields["content_area"].queryset = areas
        for name in ("valid_from", "valid_until"):
            self.fields[name].input_formats = DATE_FORMATS


class NormChangeForm(forms.Form):
    """A new version of a norm from a day (its amount, kind or legal source changed)."""

    valid_from = forms.DateField(label=_("from"), input_formats=DATE_FORMATS, widget=DATE_WIDGET)
    amount = DongField(label=_("amount (đồng)"))
    kind = forms.ChoiceField(label=_("kind"), choices=SpendingNorm._meta.get_field("kind").choices)
    legal_source = forms.CharField(label=_("legal source"), max_length=300)


class NormCloseForm(forms.Form):
    valid_until = forms.DateField(
        label=_("no longer applies from"), input_formats=DATE_FORMATS, widget=DATE_WIDGET
    )


class EstimateForm(forms.ModelForm):
    class Meta:
        model = Estimate
        fields = ["fiscal_year", "title", "reference_date"]
        widgets = {"reference_date": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference_date"].input_formats = DATE_FORMATS


class EstimateLineForm(forms.ModelForm):
    quantity = QuantityField(label=_("quantity"))
    unit_amount = DongField(
        label=_("unit amount (đồng)"),
        required=False,
        help_text=_("Empty for a fixed norm: the norm's amount."),
    )

    class Meta:
        model = EstimateLine
        fields = ["content_area", "activity", "norm", "quantity", "unit_amount"]

    def __init__(self, *args, norms, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["norm"].queryset = SpendingNorm.objects.filter(pk__in=[n.pk for n in norms])
        self.fields["norm"].label_from_instance = lambda n: (
            f"{n.code} · {n.item} · {n.get_kind_display()} {n.amount:,} đ "
            f"{n.get_measure_display()} ({n.scope.name})".replace(",", ".")
        )
        self.fields["content_area"].queryset = areas


class ApproveForm(forms.Form):
    source = forms.ChoiceField(
        label=_("source"),
        choices=[(v, label) for v, label in FundSource.choices if v != FundSource.CARRIED],
    )
    decision_number = forms.CharField(label=_("decision number"), max_length=60)
    decision_date = forms.DateField(
        label=_("decision date"), input_formats=DATE_FORMATS, widget=DATE_WIDGET
    )
    decision_issuer = forms.CharField(label=_("issued by"), max_length=200, required=False)
