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
PHONE = re.compile(r"^(\+84|0)\d{8,10}$")


def validate_citizen_id(value: str) -> None:
    """A citizen identity card (CCCD) number: twelve digits, the first three the code of the
    province where the birth was registered (001–096)."""
    if not CITIZEN_ID.match(value or ""):
        raise ValidationError(_("A citizen ID (CCCD) has exactly 12 digits."), code="cccd")
    if not 1 <= int(value[:3]) <= 96:
        raise ValidationError(
            _("A citizen ID (CCCD) begins with a province code from 001 to 096."), code="cccd"
        )


# The fourth digit of a CCCD gives the century of birth and the sex (Circular 59/2021/TT-BCA):
# 0/1 for 1900–1999, 2/3 for 2000–2099 (…), even for men, odd for women.
_CENTURY = {1900: 0, 2000: 2, 2100: 4, 2200: 6, 1800: 8}


def citizen_id_problem(value: str, birth_date, *, woman: bool = True) -> str | None:
    """Why a well-formed CCCD cannot be this person's: its fourth digit (century of birth,
    sex) and fifth and sixth (the year of birth's last two digits) disagree with her date of
    birth. None when they agree."""
    if not value or not CITIZEN_ID.match(value) or birth_date is None:
        return None
    century = _CENTURY.get(birth_date.year // 100 * 100)
    expected = None if century is None else century + (1 if woman else 0)
    if expected is not None and int(value[3]) != expected:
        return _(
            "The fourth digit of a woman's CCCD born in %(year)d is %(digit)d (it gives the "
            "century of birth and the sex); check the number and the date of birth."
        ) % {"year": birth_date.year, "digit": expected}
    if value[4:6] != f"{birth_date.year % 100:02d}":
        return _(
            "Digits 5 and 6 of a CCCD are the last two digits of the year of birth "
            "(%(year)s); check the number and the date of birth."
        ) % {"year": f"{birth_date.year % 100:02d}"}
    return None


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
    # The name folded (no diacritics, case or extra spaces): duplicates are looked for by it.
    name_key = models.CharField(max_length=120, editable=False, default="", db_index=True)

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

    def clean(self) -> None:
        errors = {}
        if self.unit_id and self.unit.kind != "village":
            errors["unit"] = _("A mother's residence is a village (thôn, bản).")
        if self.birth_date:
            from django.utils import timezone

            if self.birth_date >= timezone.localdate():
                errors["birth_date"] = _("The date of birth must be in the past.")
            elif self.birth_date.year < 1900:
                errors["birth_date"] = _("Check the year of birth.")
        if problem := citizen_id_problem(self.citizen_id, self.birth_date):
            errors["citizen_id"] = problem
        self.phone = (self.phone or "").strip()
        if self.phone and not PHONE.match(self.phone):
            errors["phone"] = _("A phone number has 9 to 11 digits (0912345678 or +84912345678).")
        if errors:
            raise ValidationError(errors)

    def write(self, *args, **kwargs) -> None:
        self.name_key = fold_name(self.full_name)
        super().write(*args, **kwargs)

    @classmethod
    def before_bulk_insert(cls, mothers) -> None:
        for mother in mothers:
            mother.name_key = fold_name(mother.full_name)


def fold_name(name: str) -> str:
    """A person's name as duplicates are compared: no diacritics, case or extra spaces
    ("Lò Thị  Mai" and "lo thi mai" are one name)."""
    from duan8.geo.matching import fold

    return fold(name or "")[:120]


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


# A birth's facts the population-policy criterion reads (Decree 39 Article 1), in the order
# forms show them; each may be unknown (null).
DECREE_39_FACTS = (
    "children_before",
    "children_alive",
    "deliveries_before",
    "married",
    "common_children_alive",
    "mother_has_earlier_child",
    "husband_has_earlier_child",
    "child_with_certified_condition",
    "covered_by_social_insurance",
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

    def clean(self) -> None:
        errors = {}
        if self.unit_id and self.unit.kind != "village":
            errors["unit"] = _("The residence on the birth date is a village (thôn, bản).")
        elif self.unit_id and self.date:
            from duan8.geo import timeline

            if problem := timeline.validity_error(self.unit, self.date):
                errors["unit"] = problem
        if self.place == BirthPlace.FACILITY and not (self.facility_name or "").strip():
            errors["facility_name"] = _("Name the health facility where she gave birth.")
        if self.date and self.mother_id and self.mother.birth_date:
            if self.date <= self.mother.birth_date:
                errors["date"] = _("The birth is dated before the mother's own date of birth.")
        if self.date:
            import datetime

            from django.utils import timezone

            if self.date > timezone.localdate() + datetime.timedelta(days=1):
                errors["date"] = _("A birth cannot be dated in the future.")
        if (
            self.children_alive is not None
            and self.children_before is not None
            and self.children_alive > self.children_before
        ):
            errors["children_alive"] = _(
                "More children alive than children born: check both numbers."
            )
        if errors:
            raise ValidationError(errors)

    def lock_spans(self):
        from duan8.core.locks import day_span

        return day_span(self.date)


class PopulationPolicy(models.TextChoices):
    DECREE_39 = "decree_39", _("The cases of Decree 39/2015/NĐ-CP, Article 1")
    NO_LIMIT = "no_limit", _("No limit on the number of children")


class RuleSet(AuditedModel):
    """Who qualifies, as data with its legal basis, for births dated from ``valid_from``
    (until ``valid_until``, excluded). A birth is judged by the set in force on its date; a new
    set never changes decisions already made. A set of the nation (no ``scope``) applies
    everywhere; a province's own set, where one is in force, applies to its births instead."""

    scope = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("province (empty: the whole country)"),
    )
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=400)
    valid_from = models.DateField(_("for births from"))
    valid_until = models.DateField(_("until (excluded)"), null=True, blank=True)
    min_age = models.PositiveSmallIntegerField(
        _("minimum age in full years"), default=18, validators=[MaxValueValidator(60)]
    )
    requires_facility_birth = models.BooleanField(_("birth at a health facility"), default=True)
    requires_poor_household = models.BooleanField(_("poor household required"), default=False)
    # Decree 39 Art. 1 names "a Kinh woman whose husband is ethnic minority" beside
    # ethnic-minority women; Guidance 04/HD-ĐCT names only "bà mẹ người dân tộc thiểu số".
    kinh_mother_with_minority_husband = models.BooleanField(
        _("a Kinh mother whose husband is ethnic minority qualifies"), default=False
    )
    # Decree 39 Art. 1 excludes people covered by compulsory social insurance; Guidance 04
    # says nothing of it.
    excludes_compulsory_insurance = models.BooleanField(
        _("mothers covered by compulsory social insurance are excluded"), default=False
    )
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
        if self.scope_id and self.scope.kind != "province":
            raise ValidationError(
                {"scope": _("A rule set is the whole country's or a province's.")}
            )

    def in_force_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)


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
    # None: no rule set was in force on the birth's date (the criteria say so).
    rule_set = models.ForeignKey(
        RuleSet,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("rule set"),
    )
    result = models.CharField(_("result"), max_length=10, choices=Outcome.choices)
    # [{"code": "age", "label": "...", "outcome": "met", "reason": "..."}], in Vietnamese
    criteria = models.JSONField(_("criteria"), default=list)
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
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


class DuplicateKind(models.TextChoices):
    CITIZEN_ID = "citizen_id", _("Same citizen ID (CCCD)")
    SAME_PERSON = "same_person", _("Same name, date of birth and village")
    CLOSE_BIRTHS = "close_births", _("Two births less than six months apart")


class ReviewState(models.TextChoices):
    OPEN = "open", _("To review")
    DIFFERENT = "different", _("Checked: not a duplicate")
    SAME = "same", _("Checked: the same person or birth, to correct by hand")


class DuplicateFlag(AuditedModel):
    """Two records that may be one (Decree 13 asks for accurate data; payments must not be
    made twice): the same CCCD on two mothers, the same folded name, date of birth and
    village on two mothers, or two births of one mother less than six months apart. Flagged
    for an officer to review, never merged automatically. ``unit`` is the village of the
    record flagged (``mother`` or ``birth``), by which the flag is listed and scoped."""

    kind = models.CharField(_("kind"), max_length=12, choices=DuplicateKind.choices)
    unit = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    mother = models.ForeignKey(
        Mother, on_delete=models.CASCADE, related_name="duplicate_flags", verbose_name=_("mother")
    )
    other_mother = models.ForeignKey(
        Mother, on_delete=models.CASCADE, related_name="+", verbose_name=_("other mother")
    )
    birth = models.ForeignKey(
        Birth,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="duplicate_flags",
        verbose_name=_("birth"),
    )
    other_birth = models.ForeignKey(
        Birth,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("other birth"),
    )
    # "<kind>:<lower id>:<higher id>" of the two mothers or births: one flag per pair.
    key = models.CharField(max_length=60, unique=True, editable=False)
    state = models.CharField(
        _("review"), max_length=10, choices=ReviewState.choices, default=ReviewState.OPEN
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    found_at = models.DateTimeField(_("found"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )

    objects = WithinUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("possible duplicate")
        ordering = ["state", "-found_at", "-pk"]
        indexes = [models.Index(fields=["unit", "state"], name="maternal_dup_unit_state")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.mother_id}/{self.other_mother_id}"

    def audit_unit(self):
        return self.unit


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
