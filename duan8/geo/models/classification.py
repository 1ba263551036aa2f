"""Dated classifications of communes and villages, each with its legal basis."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from duan8.core.audit import AuditedModel


class ClassificationKind(models.TextChoices):
    REGION = "region", _("Commune region (I/II/III)")
    DISADVANTAGED_VILLAGE = "disadvantaged_village", _("Especially disadvantaged village")
    BORDER = "border", _("Border commune")
    ATK = "atk", _("ATK commune")
    NEW_RURAL = "new_rural", _("New-rural status")


REGION_VALUES = ("I", "II", "III")
VILLAGE_KINDS = {ClassificationKind.DISADVANTAGED_VILLAGE}
# The legal basis proposed when none is typed (phase I of NTP 1719).
DEFAULT_LEGAL_BASIS = {
    ClassificationKind.REGION: "Quyết định 861/QĐ-TTg ngày 04/6/2021",
    ClassificationKind.DISADVANTAGED_VILLAGE: "Quyết định 612/QĐ-UBDT ngày 16/9/2021",
}


class ClassificationQuerySet(models.QuerySet):
    def valid_on(self, day):
        return self.filter(valid_from__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=day)
        )


class Classification(AuditedModel):
    unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.CASCADE,
        related_name="classifications",
        verbose_name=_("unit"),
    )
    kind = models.CharField(_("classification"), max_length=24, choices=ClassificationKind.choices)
    value = models.CharField(
        _("value"),
        max_length=60,
        blank=True,
        help_text=_("I, II or III for a commune region; the level for new-rural status."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=200,
        help_text=_("The decision that sets it, e.g. Quyết định 861/QĐ-TTg ngày 04/6/2021."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ClassificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("classification")
        verbose_name_plural = _("classifications")
        ordering = ["kind", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="geo_classification_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        label = self.get_kind_display()
        return f"{label} {self.value}".strip() + f" – {self.unit}"

    def audit_unit(self):
        return self.unit

    def clean(self) -> None:
        from duan8.geo.models.units import UnitKind

        errors = {}
        if self.kind == ClassificationKind.REGION and self.value not in REGION_VALUES:
            errors["value"] = _("A commune region is I, II or III.")
        if self.unit_id is not None:
            is_village = self.unit.kind == UnitKind.VILLAGE
            if is_village != (self.kind in VILLAGE_KINDS):
                errors["kind"] = _("This classification does not apply to a %(kind)s.") % {
                    "kind": self.unit.get_kind_display().lower()
                }
        if self.valid_until and self.valid_from and self.valid_until <= self.valid_from:
            errors["valid_until"] = _("The end date must be after the start date.")
        if errors:
            raise ValidationError(errors)
