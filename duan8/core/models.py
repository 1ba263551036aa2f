from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    def for_object(self, obj: models.Model) -> "AuditEventQuerySet":
        return self.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
        )

    def newest_first(self) -> "AuditEventQuerySet":
        return self.order_by("-at", "-pk")


class AuditEvent(models.Model):
    """One create, update or delete of an audited record. Never edited, never deleted."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")

    class Source(models.TextChoices):
        WEB = "web", _("Web page")
        API = "api", _("API")
        CLI = "cli", _("Command line")
        SYSTEM = "system", _("System")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    actor_label = models.CharField(_("acted as"), max_length=150)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    # Its own index would repeat the first column of (content_type, object_id) below.
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("record"), max_length=200)
    unit = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("unit"),
    )
    unit_path = models.CharField(max_length=255, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) triples as stored."""
        before = self.before or {}
        after = self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(key, before.get(key), after.get(key)) for key in keys]

    @property
    def kind_label(self) -> str:
        """What sort of record changed, in the reader's language ("community model")."""
        model = self.content_type.model_class()
        return str(model._meta.verbose_name) if model is not None else self.content_type.model

    def readable_changes(self) -> list[tuple[str, str, str]]:
        """(field label, before, after) as an officer reads them: the field's label, names of
        units and other records instead of ids, choices by their label, dates as dd/mm/yyyy."""
        from duan8.core import history

        return history.readable(self)


def new_token() -> str:
    import secrets

    return secrets.token_hex(8)


class ChangeCounter(models.Model):
    """How many times records of one model have changed: the version that figures read from
    those records are kept under. Raised by the audit path in the same transaction as the
    change, so a figure computed after the change commits is never served from before it."""

    label = models.CharField(max_length=100, primary_key=True)
    value = models.BigIntegerField(default=0)
    # Drawn when the row is made: a database rolled back or restored to before the row
    # existed, then written again, never repeats a (token, value) pair already cached.
    token = models.CharField(max_length=16, default=new_token)
    # The audit event of the latest change: readers fetch the events since the last they saw.
    last_event = models.BigIntegerField(default=0)
    # Drawn at each change: two histories never show the same counter, even where a rolled-back
    # transaction let the database give an event id out again.
    stamp = models.CharField(max_length=16, default="")

    def __str__(self) -> str:
        return f"{self.label}: {self.value}"


class Job(models.Model):
    """An import or export run by the background worker (``duan8.core.jobs``): what it was
    asked, how far it got, and what came of it. Its owner polls it from the page or the API;
    the records it writes go through the audited write path in the owner's name."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=40)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("geo.AdminUnit", on_delete=models.CASCADE, related_name="+")
    params = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=10)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # Names of files under MEDIA_ROOT/jobs: the uploaded workbook; the export written.
    upload = models.CharField(max_length=255, blank=True)
    output = models.CharField(max_length=255, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="queued")
    phase = models.CharField(max_length=20, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    # The worker running it ("host:pid"), to tell a job whose worker is gone.
    worker = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("background job")
        indexes = [models.Index(fields=["state", "heartbeat"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.REFUSED, self.State.FAILED}

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0

    def download_label(self) -> str:
        """The download button's words, naming the kind of file the job wrote."""
        name = (self.result or {}).get("filename") or self.output
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        labels = {
            "xlsx": _("Download the Excel file"),
            "json": _("Download the JSON file"),
            "csv": _("Download the CSV file"),
            "docx": _("Download the Word file"),
        }
        return str(labels.get(suffix, _("Download the file")))
