"""No lost updates: a record's version, and refusing a save made over a newer one.

A record's version is the number of the latest audit event about it. Every change goes through
the audited write path (fields, and many-to-many sets by the signal in ``audit``), so the
version moves with every change and the events since a version say who changed which field,
when, from what to what. An edit form (``VersionedForm``) and a PATCH carry the version they
started from; ``AuditedModel.save`` refuses, under a lock on the row, a save whose record has
a newer version (``Stale``), and the form or the API shows both values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def of(obj: models.Model) -> int:
    """The version of a stored record: its latest audit event's number (0 when none)."""
    from duan8.core.models import AuditEvent

    if obj.pk is None:
        return 0
    latest = AuditEvent.objects.for_object(obj).order_by("-pk").values_list("pk", flat=True).first()
    return latest or 0


@dataclass
class Change:
    """A field changed by someone else since a version: its label, who, when, and the value
    stored now as an officer reads it."""

    name: str
    label: str
    by: str
    at: Any
    stored: str
    first_before: Any  # the value when the version was read (as the audit trail keeps it)
    last_after: Any


def changes_since(obj: models.Model, version: int) -> dict[str, Change]:
    """The fields of ``obj`` changed by events after ``version``, by field name."""
    from duan8.core import history
    from duan8.core.models import AuditEvent

    found: dict[str, Change] = {}
    events = AuditEvent.objects.for_object(obj).filter(pk__gt=version).order_by("pk")
    model = type(obj)
    for event in events:
        for name, before, after in event.changes():
            field = history.field_of(model, name)
            label = str(field.verbose_name) if field is not None else name
            text = history.text_of(field, after)
            if name in found:
                change = found[name]
                change.by, change.at, change.stored, change.last_after = (
                    event.actor_label,
                    event.at,
                    text,
                    after,
                )
            else:
                found[name] = Change(
                    name,
                    label[:1].upper() + label[1:],
                    event.actor_label,
                    event.at,
                    text,
                    before,
                    after,
                )
    return found


class Stale(ValidationError):
    """A save over a version newer than the one the change started from."""

    def __init__(self, obj: models.Model, version: int):
        self.record = obj
        self.version = version
        self.current = of(obj)
        self.changes = changes_since(obj, version)
        super().__init__({NON_FIELD_ERRORS: [self.summary()]}, code="stale")

    def summary(self) -> str:
        from duan8.core import formatting

        latest = max(self.changes.values(), key=lambda c: c.at, default=None)
        if latest is None:
            return _(
                "This record was changed after you opened it. Look at it again and save once more."
            )
        return _(
            "%(who)s saved this record at %(when)s, after you opened it. Your changes were not "
            "saved: check the values stored now, shown beside each field, then save again."
        ) % {"who": latest.by, "when": formatting.format_datetime(latest.at)}

    def as_dict(self, yours: dict[str, Any] | None = None) -> dict[str, Any]:
        """The answer of the API: the version now and, per field, both values."""
        yours = yours or {}
        return {
            "detail": self.summary(),
            "version": self.current,
            "changes": [
                {
                    "field": change.name,
                    "label": change.label,
                    "yours": yours.get(change.name),
                    "stored": change.last_after,
                    "stored_text": change.stored,
                    "by": change.by,
                    "at": change.at.isoformat(),
                }
                for change in self.changes.values()
            ],
        }


def guard(obj: models.Model, stored: models.Model | None) -> None:
    """Refuse (``Stale``) the save of ``obj`` when it carries the version it started from
    (``obj.expected_version``) and the stored record is newer. Called by the audited save with
    the row locked (``select_for_update`` on PostgreSQL; SQLite writes one at a time)."""
    expected = getattr(obj, "expected_version", None)
    if expected is None or stored is None:
        return
    if of(stored) > expected:
        raise Stale(stored, expected)
    obj.expected_version = None  # one check per save: later saves of the same change pass


def _plain(value: Any) -> Any:
    """A form's cleaned value as the audit trail stores it (ids for records, ISO dates…)."""
    from duan8.core.audit import _jsonable

    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (models.QuerySet, list, tuple, set)):
        items = list(value)
        if items and all(isinstance(v, models.Model) for v in items):
            return sorted(v.pk for v in items)
        return [_plain(v) for v in items]
    return _jsonable(value)


class VersionedForm(forms.ModelForm):
    """A model form that carries the version of the record it edits and refuses to save over
    a newer one. On refusal each field someone else changed shows the value stored now beside
    the officer's; fields the officer left as they were take the stored value; the form then
    carries the new version, so saving again keeps what the officer decided."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    stale_field_message = gettext_lazy("Saved meanwhile by %(who)s: %(stored)s. Yours: %(yours)s.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stale: Stale | None = None
        if self.instance.pk is not None:
            self.fields["version"].initial = of(self.instance)
        else:
            del self.fields["version"]

    def clean(self):
        cleaned = super().clean()
        if "version" not in self.fields or self.instance.pk is None:
            return cleaned
        version = cleaned.get("version")
        if version is None:  # a form from before versions: nothing to compare with
            return cleaned
        stored = self.instance  # read for this request; the form's values go in after clean()
        if of(stored) <= version:
            self.instance.expected_version = version
            return cleaned
        stale = Stale(stored, version)
        if not any(name in self.fields for name in stale.changes):
            # Changed meanwhile, but none of this form's fields: the record is read afresh
            # for each save, so nothing of the other change is lost.
            self.instance.expected_version = stale.current
            return cleaned
        self.refuse(stale, stored)
        return cleaned

    def saved(self, save=None) -> bool:
        """Save (``save()``, or the form's own), False when a save of the same version landed
        between this form's check and its save: the form then shows the refusal as ``clean``
        would have."""
        try:
            if save is None:
                self.save()
            else:
                save()
        except Stale as stale:
            self.refuse(stale, stale.record)
            return False
        return True

    def refuse(self, stale: Stale, stored: models.Model) -> None:
        from duan8.core import history

        self.stale = stale
        data = self.data.copy()
        data[self.add_prefix("version")] = str(stale.current)
        conflicts = 0
        for name, change in stale.changes.items():
            if name not in self.fields or name not in self.cleaned_data:
                continue
            yours = _plain(self.cleaned_data[name])
            if yours == _plain(change.last_after):
                continue  # both made the same change
            if yours == _plain(change.first_before) and self._fill(data, name, stored):
                continue  # the officer left it: the stored value is kept
            conflicts += 1
            field = history.field_of(type(stored), name)
            self.add_error(
                name,
                self.stale_field_message
                % {
                    "who": change.by,
                    "stored": change.stored,
                    "yours": history.text_of(field, yours),
                },
            )
        self.data = data
        self.add_error(None, stale.summary())

    def _fill(self, data, name: str, stored: models.Model) -> bool:
        """Put the stored value of ``name`` in the form's data, as the browser would send it;
        False for a widget this does not know how to fill."""
        field = self.fields[name]
        value = forms.models.model_to_dict(stored, fields=[name]).get(name)
        widget = field.widget
        key = self.add_prefix(name)
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[key] = "on"
            else:
                data.pop(key, None)
            return True
        if isinstance(widget, (forms.SelectMultiple, forms.CheckboxSelectMultiple)):
            chosen = [str(v.pk if isinstance(v, models.Model) else v) for v in value]
            if hasattr(data, "setlist"):
                data.setlist(key, chosen)
            else:
                data[key] = chosen
            return True
        if isinstance(widget, (forms.widgets.Input, forms.Select, forms.Textarea)):
            shown = widget.format_value(field.prepare_value(value))
            data[key] = "" if shown is None else str(shown)
            return True
        return False


def annotate(records: models.QuerySet) -> models.QuerySet:
    """``records`` with each one's version as ``audit_version`` (one subquery, for lists)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models.functions import Cast, Coalesce

    from duan8.core.models import AuditEvent

    latest = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(records.model),
            object_id=Cast(models.OuterRef("pk"), models.CharField()),
        )
        .order_by("-pk")
        .values("pk")[:1]
    )
    return records.annotate(audit_version=Coalesce(models.Subquery(latest), 0))


def of_listed(obj: models.Model) -> int:
    """The version of a record read by a list (``annotate``) or on its own."""
    version = getattr(obj, "audit_version", None)
    return version if version is not None else of(obj)


def attach(records: list[models.Model]) -> list[models.Model]:
    """Set ``audit_version`` on records already read (one query for all of them)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Max

    from duan8.core.models import AuditEvent

    if not records:
        return records
    found = dict(
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(type(records[0])),
            object_id__in=[str(r.pk) for r in records],
        )
        .values("object_id")
        .annotate(latest=Max("pk"))
        .values_list("object_id", "latest")
    )
    for record in records:
        record.audit_version = found.get(str(record.pk), 0)
    return records
