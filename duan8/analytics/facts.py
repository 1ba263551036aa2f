"""Facts per unit, kept live in the process and brought up to date from the audit trail.

A source's facts for a period (``{part: {unit_id: number}}`` for the whole country) cost one
grouped query over its records, which at national scale takes a second or two. They are read
once per process and period, then kept current: every audited write raises its model's change
counter and notes its audit event on it in the same transaction (``core.audit.bump``). When a
request finds a counter moved, it reads the audit events written since (a handful of rows,
by primary key), refetches the facts of just the units those events touched (an indexed query),
and patches the facts, noting each unit's change so that the totals derived from them can be
patched too (``rollup``). Counters follow commit order (writers of one model take turns on the
counter row), so no event is skipped; when the events do not account for the counter's move
(rows written around the audit path, a restored database), the facts are read afresh.

A source whose facts add up over time (``FactSource.stock``) never fetches a span of years
whole: its facts are composed from its years' (and the half, quarter or month ending it), which
the pages read anyway, and a patch of a year is carried into every span made of it. So the
phase to date of every year, the trend and the phase itself cost one fetch per year, once.
"""

from __future__ import annotations

import datetime
import itertools
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from duan8.framework.measures import FactSource
from duan8.framework.periods import Period

# Above this many units touched since the last read, reading afresh is cheaper than patching.
MAX_PATCHED_UNITS = 2000
# How many patches the facts remember for the totals derived from them.
KEPT_CHANGES = 64


# One cache for the process: LRU, with one computation per key at a time -----------------

# A national dashboard alone keeps some 500 entries (targets per indicator and period, totals
# per part, period and tree): the bound leaves room for every period and tree in use.
_MAX_ENTRIES = 4096
_cache: OrderedDict[Hashable, object] = OrderedDict()
_lock = threading.Lock()
_key_locks: dict[Hashable, threading.Lock] = {}


def peek(key: Hashable):
    with _lock:
        value = _cache.get(key)
        if value is not None:
            _cache.move_to_end(key)
        return value


def keep(key: Hashable, value) -> None:
    with _lock:
        _cache[key] = value
        _cache.move_to_end(key)
        while len(_cache) > _MAX_ENTRIES:
            old, _value = _cache.popitem(last=False)
            lock = _key_locks.get(old)
            if lock is not None and not lock.locked():
                del _key_locks[old]


def key_lock(key: Hashable) -> threading.Lock:
    """A lock per key: threads asking for the same figure wait for one computation."""
    with _lock:
        return _key_locks.setdefault(key, threading.Lock())


def cached(key: Hashable, compute: Callable[[], object]) -> object:
    found = peek(key)
    if found is not None:
        return found
    with key_lock(key):
        found = peek(key)
        if found is None:
            found = compute()
            keep(key, found)
    return found


def forget_key(key: Hashable) -> None:
    with _lock:
        _cache.pop(key, None)


def forget() -> None:
    with _lock:
        _cache.clear()
        _key_locks.clear()


# Generations are drawn from one counter for the process: facts read afresh never take the
# number of facts whose totals are still kept.
_generations = itertools.count(1)


# Facts --------------------------------------------------------------------------------------

Mark = tuple  # (token, value, last audit event id) of one model's change counter


@dataclass
class Facts:
    """A source's facts for one period, as of the change counters in ``marks``."""

    parts: dict[Hashable, dict[int, object]]
    marks: dict[str, Mark]
    generation: int = field(default_factory=lambda: next(_generations))
    # (generation before, generation after, {part: {unit_id: change}}) of the latest patches
    changes: deque = field(default_factory=lambda: deque(maxlen=KEPT_CHANGES))
    # for facts composed of pieces: the generations of the pieces' facts they hold
    made_of: tuple[int, ...] = ()

    def changes_since(self, generation: int) -> list[dict] | None:
        """The patches that lead from ``generation`` to these facts, or None when they are
        not all kept (or ``generation`` was never a step towards these facts)."""
        if generation == self.generation:
            return []
        steps = list(self.changes)
        for index, (before, _after, _change) in enumerate(steps):
            if before == generation:
                return [change for _b, _a, change in steps[index:]]
        return None

    def newer_than(self, wanted: dict[str, Mark]) -> bool:
        """These facts already hold every change ``wanted`` counts (read by a request that
        read its counters just before another request brought the facts further)."""
        for label, (token, value, _event, _stamp) in wanted.items():
            mine = self.marks.get(label)
            if mine is None or mine[0] != token or mine[1] < value:
                return False
            if mine[1] == value and mine != wanted[label]:
                return False
        return True


def marks_of(source: FactSource, counters: dict[str, tuple]) -> dict[str, Mark]:
    return {label: counters.get(label, ("", 0, 0, "")) for label in source.models}


def current(source: FactSource, period: Period, counters: dict[str, tuple]) -> Facts:
    """The source's facts for ``period`` as of ``counters`` (read with the request)."""
    if source.composed:
        pieces = period.pieces()
        if pieces is not None and len(pieces) > 1:
            return _composed(source, period, pieces, counters)
    key = ("facts", source.name, period)
    wanted = marks_of(source, counters)
    found = peek(key)
    if found is not None and found.newer_than(wanted):
        return found
    with key_lock(key):
        found = peek(key)
        if found is not None and found.newer_than(wanted):
            return found
        refreshed = _patched(source, period, found, wanted) if found is not None else None
        if refreshed is None:
            refreshed = Facts(source.fetch(period, None), wanted)
        keep(key, refreshed)
        return refreshed


def _patched(source: FactSource, period: Period, old: Facts, wanted: dict) -> Facts | None:
    found = _touched_units(old.marks, wanted, source.dated_by)
    if found is None:
        return None
    touched, earliest = found
    if len(touched) > MAX_PATCHED_UNITS:
        return None
    if earliest is not None and period.end <= earliest:
        touched = set()  # every record written is dated after the period: nothing moved
    fresh = source.fetch(period, sorted(touched)) if touched else {}
    parts = dict(old.parts)
    change: dict[Hashable, dict[int, object]] = {}
    for part in set(parts) | set(fresh):
        before = parts.get(part, {})
        after = fresh.get(part, {})
        delta = {}
        for unit_id in touched:
            was, now = before.get(unit_id, 0), after.get(unit_id, 0)
            if was != now:
                delta[unit_id] = now - was
        if not delta:
            continue
        updated = dict(before)
        for unit_id in delta:
            if after.get(unit_id):
                updated[unit_id] = after[unit_id]
            else:
                updated.pop(unit_id, None)
        parts[part] = updated
        change[part] = delta
    result = Facts(parts, wanted, changes=deque(old.changes, maxlen=KEPT_CHANGES))
    result.changes.append((old.generation, result.generation, change))
    return result


def _composed(source: FactSource, period: Period, pieces: list[Period], counters) -> Facts:
    """The span's facts from its pieces' facts: built once, then patched with the pieces'
    patches (a state part only with the last piece's)."""
    key = ("facts", source.name, period)
    components = [current(source, piece, counters) for piece in pieces]
    made_of = tuple(c.generation for c in components)
    found = peek(key)
    if found is not None and found.made_of == made_of:
        return found
    with key_lock(key):
        found = peek(key)
        if found is not None and found.made_of == made_of:
            return found
        marks = marks_of(source, counters)
        result = _recomposed(source, found, components, marks) if found is not None else None
        if result is None:
            result = Facts(_compose(source, components), marks, made_of=made_of)
        keep(key, result)
        return result


def _compose(source: FactSource, components: list[Facts]) -> dict:
    parts: dict[Hashable, dict[int, object]] = {}
    last = len(components) - 1
    for index, component in enumerate(components):
        for part, values in component.parts.items():
            if source.stock(part):
                if index == last:
                    parts[part] = dict(values)
                continue
            into = parts.setdefault(part, {})
            for unit_id, value in values.items():
                into[unit_id] = into.get(unit_id, 0) + value
    return parts


def _recomposed(source: FactSource, old: Facts, components: list[Facts], marks) -> Facts | None:
    """``old`` brought up to ``components`` by the patches each piece went through since; None
    when a piece was read afresh (its patches are not known)."""
    if len(old.made_of) != len(components):
        return None
    change: dict[Hashable, dict[int, object]] = {}
    last = len(components) - 1
    for index, component in enumerate(components):
        steps = component.changes_since(old.made_of[index])
        if steps is None:
            return None
        for step in steps:
            for part, delta in step.items():
                if source.stock(part) and index != last:
                    continue
                into = change.setdefault(part, {})
                for unit_id, value in delta.items():
                    into[unit_id] = into.get(unit_id, 0) + value
    parts = dict(old.parts)
    for part, delta in change.items():
        updated = dict(parts.get(part, {}))
        for unit_id, value in delta.items():
            total = updated.get(unit_id, 0) + value
            if total:
                updated[unit_id] = total
            else:
                updated.pop(unit_id, None)
        parts[part] = updated
    result = Facts(
        parts,
        marks,
        changes=deque(old.changes, maxlen=KEPT_CHANGES),
        made_of=tuple(c.generation for c in components),
    )
    result.changes.append((old.generation, result.generation, change))
    return result


def _touched_units(
    had: dict[str, Mark], wanted: dict[str, Mark], dated_by: dict[str, str]
) -> tuple[set[int], datetime.date | None] | None:
    """The units whose facts the audited writes between two sets of marks may have changed,
    and the earliest date those records bear before or after the writes (None when one of
    them has no such date in its events: an update that left the date alone). None when the
    writes cannot be accounted for by their audit events."""
    from django.contrib.contenttypes.models import ContentType

    from duan8.core.models import AuditEvent

    touched: set[int] = set()
    dates: list[datetime.date] = []
    undated = False
    for label, (token, value, last_event, stamp) in wanted.items():
        old_token, old_value, old_event, _old_stamp = had[label]
        if (token, value, last_event, stamp) == had[label]:
            continue
        # Another history: a new token (restored database), or counters gone back or moved
        # by another event than those seen (facts read inside a transaction rolled back).
        if token != old_token or value <= old_value or last_event <= old_event:
            return None

        def events(label=label, old_event=old_event, last_event=last_event):
            content_type = ContentType.objects.get_by_natural_key(*label.split("."))
            found = AuditEvent.objects.filter(
                content_type=content_type, pk__gt=old_event, pk__lte=last_event
            )
            return list(found.values_list("unit_id", "before", "after"))

        # Read once for all the periods whose facts the same writes moved.
        rows = cached(("events", label, token, old_event, last_event), events)
        if len(rows) != value - old_value:
            return None
        dated = dated_by.get(label)
        for unit_id, before, after in rows:
            touched.add(unit_id)
            for snapshot in (before, after):
                if snapshot and snapshot.get("unit"):
                    touched.add(snapshot["unit"])
            day = [_day(s.get(dated)) for s in (before, after) if s] if dated else [None]
            if None in day:
                undated = True
            else:
                dates.extend(day)
    touched.discard(None)
    return touched, (None if undated or not dates else min(dates))


def _day(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
