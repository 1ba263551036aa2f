"""The registry of community models (mô hình) that villages and communes form."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from duan8.core.audit import AuditedModel
from duan8.framework.periods import Period
from duan8.geo.models.units import WithinUnitQuerySet


class ModelKind(models.TextChoices):
    COMMUNICATION_TEAM = "communication_team", _("Community communication team")
    LEADERS_CLUB = "leaders_club", _("Leaders-of-change club")
    TRUSTED_ADDRESS = "trusted_address", _("Trusted address")
    LIVELIHOOD_GROUP = "livelihood_group", _("Women-led livelihood group or cooperative")
    TRAFFICKING_LIVELIHOOD = "trafficking_livelihood", _("Livelihood model for trafficking victims")
    SAVINGS_GROUP = "savings_group", _("Village savings group")


# The six science-and-technology supports for women-led groups (Nội dung 2).
ST_SUPPORTS = {
    "brand": _("brand building"),
    "standards": _("standards registration"),
    "traceability": _("traceability and quality training"),
    "ecommerce": _("e-commerce"),
    "logistics": _("logistics and e-payment links"),
    "advice": _("technical advice"),
}


class CommunityModelQuerySet(WithinUnitQuerySet):
    def established_in(self, period: Period) -> CommunityModelQuerySet:
        return self.filter(established_on__gte=period.start, established_on__lt=period.end)

    def maintained_at_end_of(self, period: Period) -> CommunityModelQuerySet:
        """Active on the last day of the period: founded by then, not dissolved by then."""
        last_day = period.end
        return self.filter(established_on__lt=last_day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=last_day)
        )


class CommunityModel(AuditedModel):
    kind = models.CharField(_("kind"), max_length=24, choices=ModelKind.choices)
    unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="community_models",
        verbose_name=_("commune or village"),
    )
    name = models.CharField(_("name"), max_length=200)
    established_on = models.DateField(_("established on"))
    ended_on = models.DateField(
        _("dissolved on"),
        null=True,
        blank=True,
        help_text=_("First day on which it no longer works."),
    )
    members_women = models.PositiveIntegerField(_("women members"), default=0)
    members_men = models.PositiveIntegerField(_("men members"), default=0)
    setting = models.CharField(
        _("where it meets"),
        max_length=12,
        blank=True,
        choices=[("school", _("in a school")), ("community", _("in the community"))],
    )
    managing_body = models.CharField(_("managing body"), max_length=200, blank=True)
    hotline = models.CharField(_("hotline"), max_length=30, blank=True)
    women_owned = models.BooleanField(_("owned or co-owned by women"), default=False)
    st_supports = models.JSONField(_("science and technology supports"), default=list, blank=True)
    equipment = models.CharField(_("equipment received"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = CommunityModelQuerySet.as_manager()

    class Meta:
        verbose_name = _("community model")
        verbose_name_plural = _("community models")
        indexes = [
            # Counts of a list: what a period counts is read from the index alone.
            models.Index(
                fields=["kind", "established_on", "ended_on"], name="community_kind_dates_idx"
            ),
            # A list's pages in their order (unit, name): the first page without sorting all.
            models.Index(fields=["kind", "unit", "name", "id"], name="community_list_idx"),
            # Covers the reading path's one query per period (facts per unit and kind).
            models.Index(
                fields=["unit", "kind", "established_on", "ended_on"], name="community_facts_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gt=models.F("established_on")),
                name="community_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    def audit_unit(self):
        return self.unit

    def lock_spans(self):
        from duan8.core.locks import day_span

        return day_span(self.established_on) + day_span(self.ended_on)

    @property
    def members_total(self) -> int:
        return self.members_women + self.members_men

    def clean(self) -> None:
        errors = {}
        if self.ended_on and self.established_on and self.ended_on <= self.established_on:
            errors["ended_on"] = _("The dissolution date must be after the establishment date.")
        unknown = [s for s in self.st_supports or [] if s not in ST_SUPPORTS]
        if unknown:
            errors["st_supports"] = _("Unknown supports: %(names)s.") % {
                "names": ", ".join(unknown)
            }
        if self.unit_id and self.unit.kind not in ("commune", "village"):
            errors["unit"] = _("A community model belongs to a commune or a village.")
        elif self.unit_id and self.established_on:
            from duan8.geo import timeline

            if problem := timeline.validity_error(self.unit, self.established_on):
                errors["unit"] = problem
        if errors:
            raise ValidationError(errors)


_labels: dict[tuple[str, str | None], str] = {}


def _status_label(status: str) -> str:
    """A status in the active language, translated once per language (an import names
    100.000 founding steps)."""
    from django.utils.translation import get_language

    key = (status, get_language())
    if key not in _labels:
        _labels[key] = (
            str(StatusChange.Status(status).label)
            if status in StatusChange.Status.values
            else status
        )
    return _labels[key]


class StatusChange(AuditedModel):
    """A step in a model's history: founded, paused, resumed, dissolved."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        DISSOLVED = "dissolved", _("Dissolved")

    model = models.ForeignKey(CommunityModel, on_delete=models.CASCADE, related_name="history")
    on = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("status change")
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return self.describe(self.model.name, self.status, self.on)

    @staticmethod
    def describe(name: str, status: str, on) -> str:
        return f"{name}: {_status_label(status)} {on:%d/%m/%Y}"

    def audit_unit(self):
        return self.model.unit

    def lock_spans(self):
        from duan8.core.locks import day_span

        return day_span(self.on)
