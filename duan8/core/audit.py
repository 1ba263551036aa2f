"""The one write path's record keeper: who changed what, when, from where, before and after.

Every model whose changes matter inherits :class:`AuditedModel`; its ``save`` and ``delete``
record an :class:`~duan8.core.models.AuditEvent` in the same transaction. Who is acting is
taken from a context set once per entry point: the web middleware, the API's token check and
the command line (``acting_as``). Code that writes records therefore never passes the actor
around, and cannot forget to audit.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

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


_JSON_PLAIN = (str, int, float, bool, type(None))
_encoder = DjangoJSONEncoder()


def _jsonable(value: Any) -> Any:
    """``value`` as JSON would give it back (dates as ISO text, decimals as text…)."""
    if isinstance(value, _JSON_PLAIN):
        return value
    if isinstance(value, (list, tuple, dict)):
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    return _encoder.default(value)


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
        values[field.name] = _masked(value) if field.name in masked else _jsonable(value)
    return values


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


def bulk_create(
    objs: list[models.Model], *, batch_size: int = 5000, validated: bool = False
) -> list[models.Model]:
    """Create many records at once, with one "create" event each, in one transaction.

    For loaders and imports: the records and their events are written with plain multi-row
    statements (COPY on PostgreSQL) instead of several queries per record; their ids are
    reserved first (``reserve_ids``), so models whose rows derive fields from their id
    complete them in ``before_bulk_insert`` and every event names its record.
    """

    if not objs:
        return objs
    model = type(objs[0])
    for obj in [] if validated else objs:  # an import's records passed ``clean_many`` already
        problems = obj.clean_text() if isinstance(obj, AuditedModel) else {}
        if problems:
            raise ValidationError(problems)
    with transaction.atomic():
        if model.lockable():
            from duan8.core import locks

            locks.guard(objs)
        # The counter's row update comes first: writers of this model take turns from here
        # (and on SQLite the database's write lock is held), so the ids reserved below and
        # those of the events follow commit order.
        bump(model, by=len(objs))
        reserve_ids(model, objs)
        hook = getattr(model, "before_bulk_insert", None)
        if hook is not None:
            hook(objs)
        insert_rows(model, objs, batch_size=batch_size)
        _fetch_related(objs)  # what ``str()`` and ``audit_unit()`` follow, in one query each
        items = ((obj.pk, str(obj), _unit_of(obj), snapshot(obj)) for obj in objs)
        last_event = _create_events(model, items, len(objs), batch_size)
        note_event(model, last_event)
    return objs


def bulk_create_values(
    model: type[models.Model], rows: list[dict], *, describe, batch_size: int = 5000
) -> None:
    """Create records given as values (``{field name: value}``, foreign keys as ids; other
    fields take their defaults), with one "create" event each, without a model instance per
    record: for rows that follow from records just validated and stored in the same
    transaction, whose checks (text, locks) those records passed — a community model's
    founding step. ``describe(values)`` gives each event's (text, unit)."""
    from django.db import DEFAULT_DB_ALIAS, connections

    if not rows:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    defaults = {f.name: f.get_default() for f in fields}
    excluded = getattr(model, "audit_exclude", frozenset())
    masked = getattr(model, "audit_masked", frozenset())
    preps = [_prep(field) for field in fields]
    with transaction.atomic():
        bump(model, by=len(rows))
        ids = _next_ids(model, len(rows))
        full = [{**defaults, **row} for row in rows]
        insert_values(
            model,
            [meta.pk, *fields],
            (
                (
                    pk,
                    *(
                        v[f.name] if p is None else p(v[f.name], connection)
                        for f, p in zip(fields, preps, strict=True)
                    ),
                )
                for pk, v in zip(ids, full, strict=True)
            ),
            batch_size=batch_size,
        )

        def items():
            for pk, values in zip(ids, full, strict=True):
                text, unit = describe(values)
                after = {
                    f.name: _masked(values[f.name])
                    if f.name in masked
                    else _jsonable(values[f.name])
                    for f in fields
                    if f.name not in excluded
                }
                yield pk, text, unit, after

        note_event(model, _create_events(model, items(), len(rows), batch_size))


def _prep(field: models.Field):
    """How a field's value is prepared for the driver: None where the driver takes it as it
    is."""
    kind = field.get_internal_type()
    if kind in _PLAIN:
        return None
    if kind == "DateField":
        return _memo(field.get_db_prep_save)  # a few thousand distinct days at most
    return field.get_db_prep_save


def _create_events(model: type[models.Model], items, count: int, batch_size: int) -> int:
    """One "create" event for each of ``count`` records just inserted — ``items`` gives each
    one's (id, text, unit, values) — written as plain rows (no model instance each); returns
    the last event's id."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.utils import timezone

    from duan8.core.models import AuditEvent

    connection = connections[DEFAULT_DB_ALIAS]
    ctx = current()
    actor = ctx.actor()
    label = ctx.label or (actor.get_username() if actor else ctx.source)
    content_type = ContentType.objects.get_for_model(model)
    meta = AuditEvent._meta
    at = meta.get_field("at").get_db_prep_save(timezone.now(), connection)
    # The snapshot is JSON-ready: written as JSON text, which both databases take for a
    # JSON column (one C-speed dump per event instead of the field's adapter).
    dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    event_ids = _next_ids(AuditEvent, count)
    names = (
        "id",
        "at",
        "actor",
        "actor_label",
        "source",
        "ip",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "unit",
        "unit_path",
        "before",
        "after",
    )
    fields = [meta.get_field(name) for name in names]

    def rows():
        for event_id, (pk, text, unit, after) in zip(event_ids, items, strict=True):
            yield (
                event_id,
                at,
                actor.pk if actor else None,
                label,
                ctx.source,
                ctx.ip,
                AuditEvent.Action.CREATE.value,
                content_type.pk,
                str(pk),
                text[:200],
                unit.pk if unit is not None else None,
                getattr(unit, "path", "") or "",
                None,
                dump(after),
            )

    insert_values(AuditEvent, fields, rows(), batch_size=batch_size)
    return event_ids[-1]


def _fetch_related(objs: list[models.Model]) -> None:
    """Read the records that ``objs`` point to by id only, one query per foreign key, and
    attach them: describing each record for its event would otherwise ask once per record."""
    for field in objs[0]._meta.concrete_fields:
        if not (field.is_relation and field.many_to_one):
            continue
        wanted = {
            value
            for obj in objs
            if not field.is_cached(obj) and (value := getattr(obj, field.attname)) is not None
        }
        if not wanted:
            continue
        found = field.related_model._base_manager.in_bulk(list(wanted))
        for obj in objs:
            value = getattr(obj, field.attname)
            if value is not None and not field.is_cached(obj):
                field.set_cached_value(obj, found.get(value))


def reserve_ids(model: type[models.Model], objs: list[models.Model]) -> None:
    """Give the records without an id the next ids of their table, in order, in one query
    (``_next_ids``)."""
    waiting = [obj for obj in objs if obj.pk is None]
    if waiting and isinstance(model._meta.pk, models.AutoField):
        for obj, new_id in zip(waiting, _next_ids(model, len(waiting)), strict=True):
            obj.pk = new_id


def _next_ids(model: type[models.Model], count: int):
    """The next ``count`` ids of a table with an automatic id.

    PostgreSQL hands them out from the table's sequence; SQLite's next ids follow the largest
    ever used, read under the write lock the caller holds (``bulk_create`` raises a change
    counter first): nobody else can insert into the table until this transaction ends."""
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        if not connection.in_atomic_block:
            raise RuntimeError("ids are reserved inside the transaction that inserts them")
        cursor.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"coalesce((SELECT max({connection.ops.quote_name(column)}) FROM "
            f"{connection.ops.quote_name(table)}), 0))",
            [table],
        )
        first = cursor.fetchone()[0] + 1
        return range(first, first + count)


# Field types whose Python value is what the database driver takes.
_PLAIN = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "EmailField",
        "ForeignKey",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
    }
)


def insert_rows(model: type[models.Model], objs: list, *, batch_size: int = 5000) -> None:
    """Insert records as they are (ids included when set) with plain statements: COPY on
    PostgreSQL, ``executemany`` on SQLite; several times faster than ``bulk_create``. No
    audit: callers are ``bulk_create`` and the benchmark data generator."""
    from django.db import DEFAULT_DB_ALIAS, connections

    if not objs:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    with_pk = objs[0].pk is not None
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    # How each field's value is read (its attribute, unless the field sets it when saved:
    # a creation time) and prepared for the driver (only where the type needs it).
    readers = []
    for field in fields:
        computed = type(field).pre_save is not models.Field.pre_save
        readers.append((field, field.attname, computed, _prep(field)))

    def values(obj) -> tuple:
        row = []
        for field, attname, computed, prep in readers:
            value = field.pre_save(obj, True) if computed else getattr(obj, attname)
            row.append(value if prep is None else prep(value, connection))
        return tuple(row)

    insert_values(model, fields, (values(obj) for obj in objs), batch_size=batch_size)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_values(model: type[models.Model], fields: list, rows, *, batch_size: int = 5000):
    """Insert rows of values already prepared for the driver, one tuple per row in the order
    of ``fields``: COPY on PostgreSQL, ``executemany`` on SQLite."""
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A batch is made before its COPY starts: making a row may read the database,
            # which a connection in the middle of a COPY cannot do.
            rows = iter(rows)
            while batch := list(itertools.islice(rows, batch_size)):
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) == batch_size:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)


def _memo(prep):
    cache: dict = {}

    def prepared(value, connection):
        if value not in cache:
            cache[value] = prep(value, connection)
        return cache[value]

    return prepared


# Within ``batched()``: per model label, the changes and the last audit event not yet put on
# its counter row.
_batch: ContextVar[dict[str, list] | None] = ContextVar("duan8_audit_batch", default=None)


@contextmanager
def batched() -> Iterator[None]:
    """Many audited writes in one transaction, record by record (an import through the
    page's save path): each model's change counter row is updated when its first change comes
    (so that writers of the model still take turns from there) and once more at the end with
    the rest, instead of twice for every record. PostgreSQL follows every version of a row
    its transaction has left behind when it updates that row again, so a counter updated
    tens of thousands of times in one transaction made each write slower than the last."""
    if not connection.in_atomic_block:
        raise RuntimeError("batched() runs inside the transaction that writes")
    pending: dict[str, list] = {}
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
        # Also when an error leaves the block inside a transaction that goes on: what was
        # written is counted. A transaction marked for rollback counts nothing anyway.
        if not connection.needs_rollback:
            _flush(pending)


def _flush(pending: dict[str, list]) -> None:
    from duan8.core.models import ChangeCounter, new_token

    for label, (by, event_id) in pending.items():
        if by or event_id is not None:
            changes = {"value": models.F("value") + by, "stamp": new_token()}
            if event_id is not None:
                changes["last_event"] = event_id
            ChangeCounter.objects.filter(label=label).update(**changes)
            pending[label] = [0, None]


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
    pending = _batch.get()
    if pending is not None and label in pending:
        pending[label][0] += by
        return
    counter = ChangeCounter.objects.filter(label=label)
    if not counter.update(value=models.F("value") + by):
        ChangeCounter.objects.bulk_create([ChangeCounter(label=label)], ignore_conflicts=True)
        counter.update(value=models.F("value") + by)
    if pending is not None:
        pending[label] = [0, None]


def note_event(model: type[models.Model], event_id: int) -> None:
    """Note on the counter the audit event of the change just counted."""
    from duan8.core.models import ChangeCounter, new_token

    label = model._meta.label_lower
    pending = _batch.get()
    if pending is not None and label in pending:
        pending[label][1] = event_id
        return
    counter = ChangeCounter.objects.filter(label=label)
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
    for label, (by, event_id) in (_batch.get() or {}).items():  # a batch's changes so far
        if label in found and (by or event_id is not None):
            token, value, last_event, stamp = found[label]
            found[label] = (token, value + by, last_event if event_id is None else event_id, stamp)
    if ctx is not None:
        ctx.counters = found
    return found


# Invisible characters no text may hold: controls (category Cc), zero-width space and word
# joiner, byte-order mark, and the direction embeddings, overrides and isolates. A long text
# (a note, a comment) may hold tabs and line breaks.
_INVISIBLE = "\x7f-\x9f\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069"
_INVISIBLE_SHORT = re.compile(f"[\\x00-\\x1f{_INVISIBLE}]")
_INVISIBLE_LONG = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f{_INVISIBLE}]")


@functools.cache
def _text_fields(model: type[models.Model]) -> list[tuple[models.Field, re.Pattern]]:
    """The text fields of a model, each with the pattern of characters it may not hold."""
    found = []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.TextField):
            found.append((field, _INVISIBLE_LONG))
        elif isinstance(field, models.CharField):
            found.append((field, _INVISIBLE_SHORT))
    return found


class AuditedModel(models.Model):
    """A model whose every save and delete is recorded in the audit trail."""

    audit_exclude: ClassVar[frozenset[str]] = frozenset()
    audit_masked: ClassVar[frozenset[str]] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        adding = self._state.adding
        problems = self.clean_text()  # also for writes that skip full_clean (the shell)
        if problems:
            raise ValidationError(problems)
        if connection.in_atomic_block:
            # Inside the caller's transaction (an import, a whole form): the checks first, so
            # that a refusal leaves that transaction usable, then the row and its event without
            # a savepoint of their own. PostgreSQL gives every savepoint that writes a
            # subtransaction, and past 64 of them in one transaction each read of the rows
            # written slows down (a DHIS2 set of 100.000 values did not finish in 16 minutes).
            # A failure of the write itself marks the caller's transaction for rollback.
            before = self._checked(adding)
            with transaction.atomic(savepoint=False):
                self._written(adding, before, args, kwargs)
        else:
            with transaction.atomic():
                before = self._checked(adding)
                self._written(adding, before, args, kwargs)

    def _checked(self, adding: bool) -> dict | None:
        """The stored row's snapshot (the event's "before"), after the version and lock
        checks; the row is locked when the change carries the version it started from."""
        stored = None
        if not adding:
            # Unordered: a model's default ordering may follow a nullable relation, and
            # PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
            rows = type(self)._base_manager.filter(pk=self.pk).order_by()
            if getattr(self, "expected_version", None) is not None:
                rows = rows.select_for_update()
            stored = rows.first()
        if stored is not None:
            from duan8.core import versions

            versions.guard(self, stored)
        self.check_locks(stored)
        return snapshot(stored) if stored is not None else None

    def _written(self, adding: bool, before: dict | None, args, kwargs) -> None:
        from duan8.core.models import AuditEvent

        self.write(*args, **kwargs)
        action = AuditEvent.Action.CREATE if adding or before is None else AuditEvent.Action.UPDATE
        record(self, action, before, snapshot(self))

    def write(self, *args, **kwargs) -> None:
        """Store the row and whatever is derived from it; the audit event follows.

        Models that derive fields after the row exists (a unit's path needs its id) extend
        this, not ``save``, so the event records the finished row.
        """
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        from duan8.core.models import AuditEvent

        def checked() -> dict:
            if self.lockable():
                stored = type(self)._base_manager.filter(pk=self.pk).first()
                self.check_locks(states=[stored or self])
            return snapshot(self)

        pk = self.pk
        if connection.in_atomic_block:  # as ``save``: checks, then no savepoint of its own
            before = checked()
            with transaction.atomic(savepoint=False):
                result = super().delete(*args, **kwargs)
                record(self, AuditEvent.Action.DELETE, before, None, pk=pk)
        else:
            with transaction.atomic():
                before = checked()
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
        """Every text field in Unicode NFC; the fields holding an invisible character — a
        control character, a zero-width space or byte-order mark, a direction override —
        (pasted from other programs; they break exports and disguise names) as errors. Line
        breaks and tabs are allowed in long texts only."""
        from django.utils.translation import gettext as _

        errors: dict[str, list[str]] = {}
        for field, invisible in _text_fields(type(self)):
            if exclude and field.name in exclude:
                continue
            value = getattr(self, field.attname)
            if not isinstance(value, str) or not value:
                continue
            if invisible.search(value):
                errors[field.name] = [
                    _("contains an invisible control character; type the text again.")
                ]
                continue
            if not unicodedata.is_normalized("NFC", value):
                setattr(self, field.attname, unicodedata.normalize("NFC", value))
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


# ---------------------------------------------------------------------------------------------
# Validating many records at once (imports): what ``full_clean`` checks, without a query per
# record.

_COMPARE = {
    "exact": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


class _Unknown(Exception):
    """A constraint condition this evaluator does not read: the database checks it."""


def _value(obj: models.Model, name: str):
    field = obj._meta.get_field(name)
    if not field.concrete or "__" in name:
        raise _Unknown(name)
    return getattr(obj, field.attname)


def _holds(condition, obj: models.Model) -> bool | None:
    """A check constraint's condition on ``obj`` in SQL's three-valued logic (None: NULL,
    which a CHECK accepts). Reads field lookups exact/gt/gte/lt/lte/isnull/in with values or
    ``F()`` of the same row; anything else raises ``_Unknown``."""
    from django.db.models import F, Q

    if isinstance(condition, Q):
        results = [_holds(child, obj) for child in condition.children]
        if condition.connector == Q.AND:
            result = False if False in results else (None if None in results else True)
        else:
            result = True if True in results else (None if None in results else False)
        if condition.negated:
            result = None if result is None else not result
        return result
    if not isinstance(condition, tuple):
        raise _Unknown(condition)
    lookup, wanted = condition
    name, _sep, op = lookup.partition("__")
    op = op or "exact"
    value = _value(obj, name)
    if isinstance(wanted, F):
        wanted = _value(obj, wanted.name)
    if op == "isnull":
        return (value is None) == bool(wanted)
    if op == "in":
        return None if value is None else value in wanted
    if op not in _COMPARE:
        raise _Unknown(lookup)
    if value is None or wanted is None:
        return None
    return _COMPARE[op](value, wanted)


def clean_many(objs: list[models.Model]) -> dict[int, ValidationError]:
    """Validate many new or changed records of one model as ``full_clean`` would — fields,
    text, ``clean()``, foreign keys, constraints, unique fields and approved-period locks —
    with a query per foreign key and per unique check for the whole list instead of several
    per record. Returns the problems by index in ``objs`` (empty when all are valid).

    Check constraints are evaluated in Python where their condition is plain field lookups
    (the database still enforces them on insert); others are checked per record.
    """
    from django.db.models import CheckConstraint

    problems: dict[int, ValidationError] = {}
    if not objs:
        return problems
    model = type(objs[0])
    meta = model._meta
    foreign = [f for f in meta.concrete_fields if f.is_relation and f.many_to_one]

    def add(index: int, error: ValidationError) -> None:
        found = problems.get(index)
        problems[index] = (
            error if found is None else ValidationError(error.update_error_dict(found.error_dict))
        )

    # Foreign keys: one query per field for every id the list names.
    existing: dict[str, set] = {}
    for field in foreign:
        ids = {getattr(obj, field.attname) for obj in objs} - {None}
        unsaved = {
            id(value)
            for obj in objs
            if (value := field.get_cached_value(obj, None)) is not None and value.pk is None
        }
        if unsaved:
            raise ValueError(f"{field.name}: an unsaved related record")
        target = field.remote_field.model._base_manager
        existing[field.name] = set(
            target.filter(**{f"{field.target_field.attname}__in": ids}).values_list(
                field.target_field.attname, flat=True
            )
        )
    skip = [f.name for f in foreign]
    checks = [c for c in meta.constraints if isinstance(c, CheckConstraint)]
    per_record = [c for c in meta.constraints if not isinstance(c, CheckConstraint)]
    unique_checks, date_checks = objs[0]._get_unique_checks(exclude=set())
    unique = bool(date_checks) or any(fields != (meta.pk.name,) for _m, fields in unique_checks)
    for index, obj in enumerate(objs):
        errors: dict = {}
        try:
            obj.clean_fields(exclude=skip)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in foreign:
            value = getattr(obj, field.attname)
            if value is None:
                if not field.null:
                    errors.setdefault(field.name, []).append(
                        ValidationError(field.error_messages["null"], code="null")
                    )
            elif value not in existing[field.name]:
                errors.setdefault(field.name, []).append(
                    ValidationError(
                        field.error_messages["invalid"],
                        code="invalid",
                        params={
                            "model": field.remote_field.model._meta.verbose_name,
                            "pk": value,
                            "field": field.remote_field.field_name,
                            "value": value,
                        },
                    )
                )
        try:
            obj.clean()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if not errors:
            if unique:
                try:
                    obj.validate_unique()
                except ValidationError as exc:
                    errors = exc.update_error_dict(errors)
            for constraint in checks:
                try:
                    if _holds(constraint.condition, obj) is False:
                        raise ValidationError(constraint.get_violation_error_message())
                except _Unknown:
                    try:
                        constraint.validate(model, obj)
                    except ValidationError as exc:
                        errors = exc.update_error_dict(errors)
                except ValidationError as exc:
                    errors = exc.update_error_dict(errors)
            for constraint in per_record:
                try:
                    constraint.validate(model, obj)
                except ValidationError as exc:
                    errors = exc.update_error_dict(errors)
        if errors:
            add(index, ValidationError(errors))
    # Approved periods: one check for the whole list, then per record only when refused.
    if isinstance(objs[0], AuditedModel) and model.lockable():
        from duan8.core import locks

        stored = model._base_manager.in_bulk([o.pk for o in objs if o.pk is not None])
        states = list(objs) + list(stored.values())
        if locks.refusal(states):
            for index, obj in enumerate(objs):
                try:
                    obj.check_locks(stored=stored.get(obj.pk))
                except ValidationError as exc:
                    add(index, exc)
    return problems


def _m2m_sets(field: models.ManyToManyField, owner_ids) -> dict[Any, list]:
    """The related ids (sorted) of each owner of a many-to-many field, read from its table."""
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    sets: dict[Any, list] = {pk: [] for pk in owner_ids}
    rows = through._base_manager.filter(**{f"{source}__in": list(sets)}).values_list(source, target)
    for owner, related in rows:
        sets[owner].append(related)
    return {pk: sorted(ids) for pk, ids in sets.items()}


def _m2m_changed(field: models.ManyToManyField):
    """A receiver recording each change of ``field``'s sets (add, remove, clear — and so
    ``set``), from either side, as an update of the owning record with before and after."""

    def receiver(sender, instance, action, reverse, pk_set, **kwargs):
        from duan8.core.models import AuditEvent

        step = action.split("_", 1)[1]
        pending = instance.__dict__.setdefault("_audit_m2m", {})
        if action.startswith("pre_"):
            if not reverse:
                owners = [instance.pk]
            elif pk_set is not None:
                owners = list(pk_set)
            else:  # cleared from the other side: every record that named it
                through = field.remote_field.through
                owners = list(
                    through._base_manager.filter(
                        **{field.m2m_reverse_field_name(): instance.pk}
                    ).values_list(field.m2m_field_name(), flat=True)
                )
            pending[(field.name, step)] = _m2m_sets(field, owners)
            return
        before = pending.pop((field.name, step), None)
        if not before:
            return
        after = _m2m_sets(field, list(before))
        if reverse:
            owners = field.model._base_manager.in_bulk(list(before)).values()
        else:
            owners = [instance]
        for owner in owners:
            if before[owner.pk] != after[owner.pk]:
                record(
                    owner,
                    AuditEvent.Action.UPDATE,
                    {field.name: before[owner.pk]},
                    {field.name: after[owner.pk]},
                )

    return receiver


def connect_m2m_auditing() -> None:
    """Record the many-to-many changes of every audited model (called once at start-up)."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed

    for model in apps.get_models():
        if not issubclass(model, AuditedModel):
            continue
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _m2m_changed(field),
                sender=field.remote_field.through,
                weak=False,
                dispatch_uid=f"duan8-audit-{model._meta.label_lower}-{field.name}",
            )
