"""Activities: trainings, policy dialogues, campaigns, supervision visits, review conferences;
trainers, the trainings of trainers they completed, and the decisions appointing them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from duan8.core.audit import AuditedModel
from duan8.framework.periods import Period
from duan8.geo.models.units import WithinUnitQuerySet


class ActivityKind(models.TextChoices):
    TRAINING = "training", _("Training")
    DIALOGUE = "dialogue", _("Policy dialogue")
    CAMPAIGN = "campaign", _("Communication campaign or event")
    SUPERVISION = "supervision", _("Supervision or inspection visit")
    REVIEW = "review", _("Review conference")


class TrainingProgramme(models.TextChoices):
    PROGRAMME_2 = (
        "programme_2",
        _("Gender mainstreaming, programme 2 (district and commune officials)"),
    )
    PROGRAMME_3 = (
        "programme_3",
        _("Gender mainstreaming, programme 3 (village heads, religious and prestigious people)"),
    )
    GENDER_ME = "gender_me", _("Gender-equality monitoring and evaluation")
    CLUB_FACILITATORS = "club_facilitators", _("Club facilitators")
    TRUSTED_ADDRESS = "trusted_address", _("Trusted-address staff")
    WOMEN_LEADERSHIP = "women_leadership", _("Ethnic-minority women leadership")
    TEAM_LEADERS = "team_leaders", _("Communication team leaders")


class DialogueLevel(models.TextChoices):
    COMMUNE = "commune", _("Commune level")
    VILLAGE_CLUSTER = "village_cluster", _("Village cluster")


class EventForm(models.TextChoices):
    FESTIVAL = "festival", _("Festival")
    CONTEST = "contest", _("Contest")
    MARKET_DAY = "market_day", _("Market-day session")
    STAGE_SHOW = "stage_show", _("Stage show")
    OTHER = "other", _("Other")


class Trainer(AuditedModel):
    """A trainer (giảng viên nguồn) and the unit that keeps the register."""

    unit = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="trainers", verbose_name=_("unit")
    )
    name = models.CharField(_("full name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("trainer")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def audit_unit(self):
        return self.unit


class TrainerQualification(AuditedModel):
    """A training of trainers (tập huấn giảng viên nguồn) the trainer completed."""

    trainer = models.ForeignKey(Trainer, on_delete=models.CASCADE, related_name="qualifications")
    programme = models.CharField(
        _("training of trainers for"), max_length=20, choices=TrainingProgramme.choices
    )
    completed_on = models.DateField(_("completed on"))

    class Meta:
        verbose_name = _("training of trainers completed")
        constraints = [
            models.UniqueConstraint(
                fields=["trainer", "programme"], name="activities_one_qualification_per_programme"
            )
        ]

    def __str__(self) -> str:
        return f"{self.trainer}: {self.get_programme_display()}"

    def audit_unit(self):
        return self.trainer.unit


class TrainerAppointment(AuditedModel):
    """A decision appointing trainers (quyết định chỉ định giảng viên)."""

    unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("issuing unit"),
    )
    number = models.CharField(_("decision number"), max_length=60)
    date = models.DateField(_("decision date"))
    signer = models.CharField(_("signed by"), max_length=150)
    trainers = models.ManyToManyField(
        Trainer, related_name="appointments", verbose_name=_("trainers")
    )
    # The decision in the document register, when it was issued through duan8.
    official_document = models.ForeignKey(
        "documents.OfficialDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
        editable=False,
        verbose_name=_("issued document"),
    )

    class Meta:
        verbose_name = _("trainer appointment decision")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.number} ngày {self.date:%d/%m/%Y}"

    def audit_unit(self):
        return self.unit

    def clean(self) -> None:
        from duan8.geo import timeline

        if not (self.unit_id and self.date):
            return
        if problem := timeline.validity_error(self.unit, self.date):
            # Keyed on the date: the decision form has no unit field (it is the page's unit).
            raise ValidationError({"date": problem})


class ActivityQuerySet(WithinUnitQuerySet):
    def held_in(self, period: Period):
        """Activities whose first day falls in the period."""
        return self.filter(start_on__gte=period.start, start_on__lt=period.end)


class Activity(AuditedModel):
    kind = models.CharField(_("kind"), max_length=12, choices=ActivityKind.choices)
    programme = models.CharField(
        _("training programme"), max_length=20, blank=True, choices=TrainingProgramme.choices
    )
    is_training_of_trainers = models.BooleanField(_("training of trainers"), default=False)
    dialogue_level = models.CharField(
        _("dialogue level"), max_length=16, blank=True, choices=DialogueLevel.choices
    )
    event_form = models.CharField(_("form"), max_length=12, blank=True, choices=EventForm.choices)
    title = models.CharField(_("title or topic"), max_length=300)
    unit = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="activities", verbose_name=_("unit")
    )
    start_on = models.DateField(_("first day"))
    end_on = models.DateField(_("last day"))
    organiser = models.CharField(
        _("organiser"),
        max_length=200,
        help_text=_("The Women's Union or a partner department (e.g. Sở LĐTBXH)."),
    )
    participants = models.PositiveIntegerField(_("participants"), default=0)
    participants_women = models.PositiveIntegerField(_("of whom women"), default=0)
    participants_ethnic = models.PositiveIntegerField(_("of whom ethnic minority"), default=0)
    cost = models.PositiveBigIntegerField(_("cost (đồng)"), default=0)
    appointment = models.ForeignKey(
        TrainerAppointment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trainings",
        verbose_name=_("trainer appointment"),
    )
    trainers = models.ManyToManyField(
        Trainer, blank=True, related_name="trainings", verbose_name=_("trainers")
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["kind", "start_on"]),
            # Covers the reading path's one query per period (facts per unit, kind, programme).
            models.Index(
                fields=[
                    "start_on",
                    "unit",
                    "kind",
                    "programme",
                    "is_training_of_trainers",
                    "participants_women",
                ],
                name="activities_facts_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__gte=models.F("start_on")),
                name="activities_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.start_on:%d/%m/%Y})"

    def audit_unit(self):
        return self.unit

    def lock_spans(self):
        from duan8.core.locks import day_span

        return day_span(self.start_on) + day_span(self.end_on)

    def clean(self) -> None:
        errors = {}
        if self.end_on and self.start_on and self.end_on < self.start_on:
            errors["end_on"] = _("The last day cannot be before the first day.")
        if self.participants_women > self.participants:
            errors["participants_women"] = _("Women cannot be more than all participants.")
        if self.participants_ethnic > self.participants:
            errors["participants_ethnic"] = _(
                "Ethnic-minority participants cannot be more than all participants."
            )
        if self.kind == ActivityKind.TRAINING and not self.programme:
            errors["programme"] = _("Say which programme the training belongs to.")
        if self.kind == ActivityKind.DIALOGUE and not self.dialogue_level:
            errors["dialogue_level"] = _(
                "Say whether the dialogue is at commune or village-cluster level."
            )
        errors.update(self._validity_errors())
        if errors:
            raise ValidationError(errors)

    def _validity_errors(self) -> dict:
        """The unit must exist on the first day, and still on the last."""
        from duan8.geo import timeline

        if not self.unit_id or not self.start_on:
            return {}
        if problem := timeline.validity_error(self.unit, self.start_on):
            return {"unit": problem}
        if self.end_on and (problem := timeline.validity_error(self.unit, self.end_on)):
            return {"end_on": problem}
        return {}


ALLOWED_DOCUMENTS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png")
MAX_DOCUMENT_MB = 20


def _document_path(instance, filename: str) -> str:
    return f"activities/{instance.activity_id}/{filename}"


class Attachment(AuditedModel):
    """A document attached to an activity: the plan, the attendance list, photos, minutes."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=_document_path, max_length=300)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attached document")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.title

    def audit_unit(self):
        return self.activity.unit

    def clean(self) -> None:
        name = (self.file.name or "").lower()
        if not name.endswith(ALLOWED_DOCUMENTS):
            raise ValidationError({"file": _("Attach a PDF, Word, Excel or image file.")})
        if self.file and getattr(self.file, "size", 0) > MAX_DOCUMENT_MB * 1024 * 1024:
            raise ValidationError(
                {"file": _("The file is larger than %(n)d MB.") % {"n": MAX_DOCUMENT_MB}}
            )
