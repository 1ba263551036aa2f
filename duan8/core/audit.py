"""The one write path's record keeper: who changed what, when, from where, before and after.

Every model whose changes matter inherits :class:`AuditedModel`; its ``save`` and ``delete``
record an :class:`~duan8.core.models.AuditEvent` in the same transaction. Who is acting is
taken from a context set once per entry point: the web middleware, the API's token check and
the command line (``acting_as``). Code that writes records therefore never passes the actor
around, and cannot forget to audit.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

SOURCE_WEB = "web"
SOURCE_API = "api"
SOURCE_CLI = "cli"
SOURCE_SYSTEM = "system"


@dataclass
class AuditContext:
    source: str = SOURCE_SYSTEM
    user: Any = None
    ip: str | None = None
    label: str = ""
    # The change counters read once per request (or command), forgotten at each write.
    counters: dict | None = None
    # Names of records shown in histories, looked up once per request.
    names: dict | None = None

    def actor(self):
        user = self.user
        if user is not None and getattr(user, "is_authenticated", False):
            return user
        return None


_context: ContextVar[AuditContext | None] = ContextVar("duan8_audit_context", default=None)


def current() -> AuditContext:
    ctx = _context.get()
    return ctx if ctx is not None else AuditContext()


@contextmanager
def acting_as(
    user: Any = None, *, source: str = SOURCE_SYSTEM, ip: str | None = None, label: str = ""
) -> Iterator[AuditContext]:
    """Attribute every audited write inside the block to ``user`` acting from ``source``."""
    ctx = AuditContext(source=source, user=user, ip=ip, label=label)
    token = _context.set(ctx)
    try:
        yield ctx
    finally:
        _context.reset(token)


def _masked(value: Any) -> str | None:
    if value in (None, ""):
        return value
    return "•••• " + hashlib.sha256(str(value).encode()).hexdigest()[:8]


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The audited fields of ``obj`` as JSON-ready values (foreign keys as ids)."""
    cls = type(obj)
    excluded = getattr(cls, "audit_exclude", frozenset())
    masked = getattr(cls, "audit_masked", frozenset())
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in excluded or field.primary_key:
            continue
        value = field.value_from_object(obj)
        if isinstance(field, models.FileField):
            value = value.name if value else ""
        values[field.name] = _masked(value) if field.name in masked else value
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def _unit_of(obj: models.Model):
    getter = getattr(obj, "audit_unit", None)
    return getter() if getter else None


def record(obj: models.Model, action: str, before: dict | None, after: dict | None, pk=None):
    from django.contrib.contenttypes.models import ContentType

    from duan8.core.models import AuditEvent

    if action == AuditEvent.Action.UPDATE and before is not None and after is not None:
        changed = sorted(k for k in after if before.get(k) != after.get(k))
        if not changed:
            return None
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    ctx = current()
    actor = ctx.actor()
    unit = _unit_of(obj)
    bump(type(obj))
    event = AuditEvent.objects.create(
        actor=actor,
        actor_label=ctx.label or (actor.get_username() if actor else ctx.source),
        source=ctx.source,
        ip=ctx.ip,
        action=action,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(pk if pk is not None else obj.pk),
        object_repr=str(obj)[:200],
        unit=unit,
        unit_path=getattr(unit, "path", "") or "",
        before=before,
        after=after,
    )
    note_event(type(obj), event.pk)
    return event


def bulk_create(objs: list[models.Model], *, batch_size: int = 2000) -> list[models.Model]:
    """Create many records at once, with one "create" event each, in one transaction.

    For loaders and imports: two bulk inserts instead of several queries per record. The
    objects get their ids (SQLite ≥ 3.35 and PostgreSQL return them); models whose rows derive
    fields from their id complete them in ``after_bulk_create`` before the events are written.
    """
    from django.contrib.contenttypes.models import ContentType

    from duan8.core.models import AuditEvent

    if not objs:
        return objs
    model = type(objs[0])
    for obj in objs:
        problems = obj.clean_text() if isinstance(obj, AuditedModel) else {}
        if problems:
            raise ValidationError(problems)
    with transaction.atomic():
        if model.lockable():
            from duan8.core import locks

            locks.guard(objs)
        created = model.objects.bulk_create(objs, batch_size=batch_size)
        hook = getattr(model, "after_bulk_create", None)
        if hook is not None:
            hook(created)
        ctx = current()
        actor = ctx.actor()
        label = ctx.label or (actor.get_username() if actor else ctx.source)
        content_type = ContentType.objects.get_for_model(model)
        events = []
        for obj in created:
            unit = _unit_of(obj)
            events.append(
                AuditEvent(
                    actor=actor,
                    actor_label=label,
                    source=ctx.source,
                    ip=ctx.ip,
                    action=AuditEvent.Action.CREATE,
                    content_type=content_type,
                    object_id=str(obj.pk),
                    object_repr=str(obj)[:200],
                    unit=unit,
                    unit_path=getattr(unit, "path", "") or "",
                    after=snapshot(obj),
                )
            )
        bump(model, by=len(events))
        AuditEvent.objects.bulk_create(events, batch_size=batch_size)
        note_event(model, max(event.pk for event in events))
    return created


def bump(model: type[models.Model], by: int = 1) -> None:
    """Raise the change counter of ``model`` by the number of changes, in the current
    transaction, before their audit events are written.

    Figures derived from a model's rows are kept under its counter (``duan8.analytics``);
    every audited write calls this, and so must code that writes rows around the audit path
    (generated benchmark data). The row update makes writers of one model take turns until
    they commit, so counters and the ids of their audit events follow commit order.
    """
    from duan8.core.models import ChangeCounter

    ctx = _context.get()
    if ctx is not None:
        ctx.counters = None
    label = model._meta.label_lower
    counter = ChangeCounter.objects.filter(label=label)
    if not counter.update(value=models.F("value") + by):
        ChangeCounter.objects.bulk_create([ChangeCounter(label=label)], ignore_conflicts=True)
        counter.update(value=models.F("value") + by)


def note_event(model: type[models.Model], event_id: int) -> None:
    """Note on the counter the audit event of the change just counted."""
    from duan8.core.models import ChangeCounter, new_token

    counter = ChangeCounter.objects.filter(label=model._meta.label_lower)
    counter.update(last_event=event_id, stamp=new_token())


def counters() -> dict[str, tuple[str, int, int, str]]:
    """Every model's change counter (token, value, last audit event, stamp), in one query,
    read once per request or command (``acting_as``) until that request writes."""
    from duan8.core.models import ChangeCounter

    ctx = _context.get()
    if ctx is not None and ctx.counters is not None:
        return ctx.counters
    rows = ChangeCounter.objects.values_list("label", "token", "value", "last_event", "stamp")
    found = {row[0]: row[1:] for row in rows}
    if ctx is not None:
        ctx.counters = found
    return found


# Characters of the Cc category a long text (a note, a comment) may hold.
TEXT_BREAKS = "\n\r\t"


class AuditedModel(models.Model):
    """A model whose every save and delete is recorded in the audit trail."""

    audit_exclude: ClassVar[frozenset[str]] = frozenset()
    audit_masked: ClassVar[frozenset[str]] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        from duan8.core.models import AuditEvent

        adding = self._state.adding
        problems = self.clean_text()  # also for writes that skip full_clean (the shell)
        if problems:
            raise ValidationError(problems)
        with transaction.atomic():
            # The stored row, read once: for the lock check and the "before" of the event.
            stored = None if adding else type(self)._base_manager.filter(pk=self.pk).first()
            self.check_locks(stored)
            before = snapshot(stored) if stored is not None else None
            self.write(*args, **kwargs)
            action = (
                AuditEvent.Action.CREATE if adding or before is None else AuditEvent.Action.UPDATE
            )
            record(self, action, before, snapshot(self))

    def write(self, *args, **kwargs) -> None:
        """Store the row and whatever is derived from it; the audit event follows.

        Models that derive fields after the row exists (a unit's path needs its id) extend
        this, not ``save``, so the event records the finished row.
        """
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        from duan8.core.models import AuditEvent

        with transaction.atomic():
            if self.lockable():
                stored = type(self)._base_manager.filter(pk=self.pk).first()
                self.check_locks(states=[stored or self])
            before = snapshot(self)
            pk = self.pk
            result = super().delete(*args, **kwargs)
            record(self, AuditEvent.Action.DELETE, before, None, pk=pk)
        return result

    def audit_unit(self):
        """The administrative unit this record belongs to (for per-unit history)."""
        return None

    # Records that count in a period's figures return the spans of dates they belong to
    # (``duan8.core.locks``); an approved period then refuses their changes.
    def lock_spans(self) -> list[tuple]:
        return []

    @classmethod
    def lockable(cls) -> bool:
        return cls.lock_spans is not AuditedModel.lock_spans

    _UNREAD: ClassVar[object] = object()

    def check_locks(self, stored=_UNREAD, states=None) -> None:
        """Refuse (ValidationError) a write that touches an approved period: the record as it
        will be and, when stored, as it is stored (read here unless given)."""
        if not self.lockable():
            return
        from duan8.core import locks

        if states is None:
            if stored is AuditedModel._UNREAD:
                stored = None
                if not self._state.adding and self.pk is not None:
                    stored = type(self)._base_manager.filter(pk=self.pk).first()
            states = [self] if stored is None else [self, stored]
        locks.guard(states)

    def clean_text(self, exclude=()) -> dict[str, list[str]]:
        """Every text field in Unicode NFC; the fields holding a control character (invisible
        characters pasted from other programs, which break exports) as errors. Line breaks and
        tabs are allowed in long texts only."""
        from django.utils.translation import gettext as _

        errors: dict[str, list[str]] = {}
        for field in self._meta.concrete_fields:
            if not isinstance(field, (models.CharField, models.TextField)):
                continue
            if field.name in (exclude or ()):
                continue
            value = getattr(self, field.attname)
            if not isinstance(value, str):
                continue
            allowed = TEXT_BREAKS if isinstance(field, models.TextField) else ""
            if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
                errors[field.name] = [
                    _("contains an invisible control character; type the text again.")
                ]
                continue
            normal = unicodedata.normalize("NFC", value)
            if normal != value:
                setattr(self, field.attname, normal)
        return errors

    def clean_fields(self, exclude=None):
        errors = self.clean_text(exclude)
        try:
            super().clean_fields(exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def full_clean(self, *args, **kwargs):
        errors = {}
        try:
            super().full_clean(*args, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            self.check_locks()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
