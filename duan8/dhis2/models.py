"""The mapping between duan8 and a DHIS2 instance, kept as data.

- An indicator (its total, or one of its breakdown parts) is a DHIS2 data element with a
  category option combo (empty: the instance's default combo).
- A unit is a DHIS2 organisation unit. Without a row here a unit is known to DHIS2 by its
  own official code (the code of the official list of administrative units); a row gives it
  a DHIS2 UID and/or another code.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from duan8.core.audit import AuditedModel

# DHIS2's identifiers: 11 letters and digits, the first a letter.
UID_PATTERN = r"^[A-Za-z][A-Za-z0-9]{10}$"
uid_validator = RegexValidator(
    UID_PATTERN, _("A DHIS2 identifier is 11 letters and digits, the first a letter.")
)


class Part(models.TextChoices):
    """Which number of a typed figure a data element carries."""

    TOTAL = "total", _("Total")
    WOMEN = "women", _("Of whom women")
    ETHNIC_MINORITY = "ethnic_minority", _("Of whom ethnic minority")


class DataElementMapping(AuditedModel):
    """An indicator's part ↔ a DHIS2 data element and category option combo."""

    indicator = models.ForeignKey(
        "framework.Indicator",
        on_delete=models.PROTECT,
        related_name="dhis2_elements",
        verbose_name=_("indicator"),
    )
    part = models.CharField(_("part"), max_length=16, choices=Part.choices, default=Part.TOTAL)
    data_element = models.CharField(
        _("DHIS2 data element"), max_length=11, validators=[uid_validator]
    )
    category_option_combo = models.CharField(
        _("DHIS2 category option combo"),
        max_length=11,
        blank=True,
        validators=[uid_validator],
        help_text=_("Empty: the instance's default combo."),
    )
    data_set = models.CharField(
        _("DHIS2 data set"),
        max_length=11,
        blank=True,
        validators=[uid_validator],
        help_text=_("The data set the element is reported in (optional; filters exports)."),
    )

    class Meta:
        verbose_name = _("DHIS2 data element mapping")
        ordering = ["indicator__code", "part"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "part"], name="dhis2_one_element_per_part"
            ),
            models.UniqueConstraint(
                fields=["data_element", "category_option_combo"],
                name="dhis2_one_part_per_element_combo",
            ),
        ]

    def __str__(self) -> str:
        combo = self.category_option_combo or "default"
        return f"{self.indicator.code}/{self.part} ↔ {self.data_element}.{combo}"


class OrgUnitMapping(AuditedModel):
    """A unit ↔ a DHIS2 organisation unit (its UID and/or code)."""

    unit = models.OneToOneField(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="dhis2_org_unit",
        verbose_name=_("unit"),
    )
    org_unit_uid = models.CharField(
        _("DHIS2 organisation unit UID"), max_length=11, blank=True, validators=[uid_validator]
    )
    org_unit_code = models.CharField(
        _("DHIS2 organisation unit code"),
        max_length=50,
        blank=True,
        help_text=_("Empty: the unit's official code."),
    )

    class Meta:
        verbose_name = _("DHIS2 organisation unit mapping")
        ordering = ["unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit_uid"], condition=~Q(org_unit_uid=""), name="dhis2_org_unit_uid"
            ),
            models.UniqueConstraint(
                fields=["org_unit_code"],
                condition=~Q(org_unit_code=""),
                name="dhis2_org_unit_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ↔ {self.identifier}"

    @property
    def code(self) -> str:
        return self.org_unit_code or self.unit.code

    @property
    def identifier(self) -> str:
        """What an export writes as the unit's orgUnit: the UID when known, else the code."""
        return self.org_unit_uid or self.code

    def audit_unit(self):
        return self.unit

    def clean(self) -> None:
        if not self.org_unit_uid and not self.org_unit_code:
            raise ValidationError(
                _("Give the organisation unit's UID or code (without a row, the official code).")
            )
