"""The four safe-birth and child-health packages: the registry of ethnic-minority mothers and
their births, the dated rule sets a birth is judged by, and the decisions kept with a reason
per criterion.

A mother's and a birth's ``unit`` is the village she lives in (on the birth's date for a
birth): access, the reading path and the lists all go through it. Personal fields (citizen ID,
phone) are masked on pages and in the API except for roles that need them (Decree
13/2023/NĐ-CP).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from duan8.core.audit import AuditedModel
from duan8.geo.models.units import WithinUnitQuerySet

CITIZEN_ID = re.compile(r"^\d{12}$")


def validate_citizen_id(value: str) -> None:
    """A citizen identity card (CCCD) number: twelve digits, the first three a province code."""
    if not CITIZEN_ID.match(value or ""):
        raise ValidationError(_("A citizen ID (CCCD) has exactly 12 digits."), code="cccd")


class EthnicGroup(models.Model):
    """One of the 54 official ethnic groups (reference data shipped by a migration)."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    # The code of the 2008 list (QĐ 1019/QĐ-TCTK) where the project's sources confirm it.
    code = models.CharField(_("code"), max_length=2, blank=True)
    is_kinh = models.BooleanField(_("Kinh (majority)"), default=False)
    # Other spellings officers type (Khơ-me, Khmer; H'Mông, Mông): separated by "|".
    aliases = models.CharField(_("other spellings"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("ethnic group")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class HouseholdStatus(models.TextChoices):
    POOR = "poor", _("Poor household")
    NEAR_POOR = "near_poor", _("Near-poor household")
    OTHER = "other", _("Neither poor nor near-poor")


class Mother(AuditedModel):
    unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="mothers",
        verbose_name=_("residence village"),
    )
    full_name = models.CharField(_("full name"), max_length=120)
    birth_date = models.DateField(_("date of birth"))
    ethnic_group = models.ForeignKey(
        EthnicGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("ethnic group")
    )
    citizen_id = models.CharField(
        _("citizen ID (CCCD)"), max_length=12, blank=True, validators=[validate_citizen_id]
    )
    husband_ethnic_group = models.ForeignKey(
        EthnicGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("husband's ethnic group"),
    )
    household_status = models.CharField(
        _("household status"), max_length=10, blank=True, choices=HouseholdStatus.choices
    )
    phone = models.CharField(_("phone"), max_length=15, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    objects = WithinUnitQuerySet.as_manager()
    # Personal data never reaches the audit trail in clear (Decree 13/2023/NĐ-CP): a change
    # shows as a changed fingerprint.
    audit_masked = frozenset({"citizen_id", "phone"})

    class Meta:
        verbose_name = _("mother")
        ordering = ["full_name", "pk"]
        indexes = [
            models.Index(fields=["citizen_id"], name="maternal_mother_cccd"),
            models.Index(fields=["unit", "birth_date"], name="maternal_mother_unit"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def audit_unit(self):
        return self.unit


class BirthPlace(models.TextChoices):
    FACILITY = "facility", _("At a health facility")
    HOME = "home", _("At home")
    OTHER = "other", _("Elsewhere")


class Delivery(models.TextChoices):
    NORMAL = "normal", _("Normal delivery")
    CAESAREAN = "caesarean", _("Caesarean section")


def _count(label):
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MaxValueValidator(30)]
    )


class Birth(AuditedModel):
    """A delivery, with the facts the population-policy cases of Decree 39/2015/NĐ-CP Art. 1
    need. A fact left empty is not known: a criterion needing it says so instead of
    guessing."""

    mother = models.ForeignKey(
        Mother, on_delete=models.PROTECT, related_name="births", verbose_name=_("mother")
    )
    # The village the mother lived in on the birth's date (her residence then).
    unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="births",
        verbose_name=_("residence village on the birth date"),
    )
    date = models.DateField(_("date of birth of the child"))
    place = models.CharField(_("place of birth"), max_length=10, choices=BirthPlace.choices)
    facility_name = models.CharField(_("health facility"), max_length=200, blank=True)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices)
    babies = models.PositiveSmallIntegerField(
        _("babies born"), default=1, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    # Facts of Decree 39 Art. 1 (None: not known)
    children_before = _count(_("children the mother had before (born alive)"))
    children_alive = _count(_("of them alive on the birth date"))
    deliveries_before = _count(_("earlier deliveries"))
    common_children_alive = _count(_("living children of this couple together"))
    mother_has_earlier_child = models.BooleanField(
        _("the mother has a biological child from before this couple"), null=True, blank=True
    )
    husband_has_earlier_child = models.BooleanField(
        _("the husband has a biological child from before this couple"), null=True, blank=True
    )
    child_with_certified_condition = models.BooleanField(
        _(
            "a living child has a non-hereditary birth defect or serious illness certified by a "
            "provincial or central medical assessment council"
        ),
        null=True,
        blank=True,
    )
    married = models.BooleanField(_("married"), null=True, blank=True)
    covered_by_social_insurance = models.BooleanField(
        _("covered by compulsory social insurance"), null=True, blank=True
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    objects = WithinUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("birth")
        ordering = ["-date", "pk"]
        indexes = [models.Index(fields=["date", "unit"], name="maternal_birth_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(children_alive__isnull=True)
                | Q(children_before__isnull=True)
                | Q(children_alive__lte=models.F("children_before")),
                name="maternal_alive_at_most_born",
            )
        ]

    def __str__(self) -> str:
        return f"{self.mother.full_name} ({self.date:%d/%m/%Y})"

    def audit_unit(self):
        return self.unit

    def lock_spans(self):
        from duan8.core.locks import day_span

        return day_span(self.date)


class PopulationPolicy(models.TextChoices):
    DECREE_39 = "decree_39", _("The cases of Decree 39/2015/NĐ-CP, Article 1")
    NO_LIMIT = "no_limit", _("No limit on the number of children")


class RuleSet(AuditedModel):
    """Who qualifies, as data with its legal basis, for births dated from ``valid_from``
    (until ``valid_until``, excluded). A birth is judged by the set in force on its date; a new
    set never changes decisions already made."""

    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=400)
    valid_from = models.DateField(_("for births from"))
    valid_until = models.DateField(_("until (excluded)"), null=True, blank=True)
    min_age = models.PositiveSmallIntegerField(
        _("minimum age in full years"), default=18, validators=[MaxValueValidator(60)]
    )
    requires_facility_birth = models.BooleanField(_("birth at a health facility"), default=True)
    requires_poor_household = models.BooleanField(_("poor household required"), default=False)
    population_policy = models.CharField(
        _("population policy"),
        max_length=10,
        choices=PopulationPolicy.choices,
        default=PopulationPolicy.DECREE_39,
    )
    very_small_groups = models.ManyToManyField(
        EthnicGroup,
        blank=True,
        related_name="+",
        verbose_name=_("very small ethnic groups (third-child case)"),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("eligibility rule set")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%d/%m/%Y})"

    def clean(self) -> None:
        if self.valid_until and self.valid_from and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": _("The end must be after the start.")})


class Outcome(models.TextChoices):
    MET = "met", _("met")
    NOT_MET = "not_met", _("not met")
    UNKNOWN = "unknown", _("not enough information")


class Decision(AuditedModel):
    """A birth judged by a rule set: one result per criterion with its reason, and the overall
    result. Kept as decided; a re-run adds a decision and keeps the earlier one."""

    birth = models.ForeignKey(
        Birth, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("birth")
    )
    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("rule set")
    )
    result = models.CharField(_("result"), max_length=10, choices=Outcome.choices)
    # [{"code": "age", "label": "...", "outcome": "met", "reason": "..."}], in Vietnamese
    criteria = models.JSONField(_("criteria"), default=list)
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    reason_for_rerun = models.CharField(_("why it was judged again"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("eligibility decision")
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.birth}: {self.get_result_display()}"

    def audit_unit(self):
        return self.birth.unit

    @property
    def eligible(self) -> bool:
        return self.result == Outcome.MET


class PersonalDataAccess(models.Model):
    """One view or export of personal data (Decree 13/2023/NĐ-CP): who, when, of which unit,
    what (a list on a page, an export, an API read), why (typed by the officer for an export)
    and how many persons. Written by ``duan8.maternal.privacy.record_access`` only; never
    changed, so not audited itself. Holds no personal data of the persons read."""

    class What(models.TextChoices):
        LIST = "list", _("list on a page")
        DETAIL = "detail", _("one person's page")
        EXPORT = "export", _("export to a file")
        API = "api", _("API read")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    user_label = models.CharField(_("user"), max_length=150)
    unit = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("unit"),
    )
    unit_path = models.CharField(max_length=255, blank=True, db_index=True)
    what = models.CharField(_("what"), max_length=10, choices=What.choices)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    count = models.PositiveIntegerField(_("persons"), default=0)
    source = models.CharField(_("source"), max_length=10)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal data access")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_label} {self.get_what_display()} ({self.count})"
