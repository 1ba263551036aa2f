"""The project area (địa bàn dự án): which communes and villages the project covers each year."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from duan8.core.audit import AuditedModel


class ProjectAreaEntry(AuditedModel):
    class Origin(models.TextChoices):
        PROPOSED = "proposed", _("Proposed from the classifications")
        MANUAL = "manual", _("Added by hand")

    year = models.PositiveSmallIntegerField(_("year"))
    unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.CASCADE,
        related_name="project_area_entries",
        verbose_name=_("unit"),
    )
    included = models.BooleanField(_("in the project area"), default=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("project area entry")
        verbose_name_plural = _("project area entries")
        constraints = [
            models.UniqueConstraint(fields=["year", "unit"], name="geo_project_area_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.unit}"

    def audit_unit(self):
        return self.unit
