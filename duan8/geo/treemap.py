"""Where every unit's facts go on the tree of a given day, held in memory.

Facts stay on the unit they were recorded for; the reform is applied when reading. For a tree
date, a unit that exists that day stands for itself. A unit that ended before it is followed
forward through its successions (every successor by its share when all shares are known,
else the default successor); a unit that began after it is followed back to the units whose
default successor it is (of its own kind where there are any, shared equally). A unit with no
succession (a village) goes where its parent goes. Its facts then count under the unit(s)
reached and every ancestor of those on that day's tree.

The whole tree (about 64.000 units at national scale with villages) is read once per version
of the geography and kept in the process; the map of one day is derived lazily, unit by unit,
and kept per stretch of days on which no unit begins or ends. Nothing is written.
"""

from __future__ import annotations

import bisect
import datetime
import threading
from collections import defaultdict
from decimal import Decimal

from duan8.geo import paths

MAX_STEPS = 12  # successions and parents followed from one unit, at most
ONE = 1  # weights are 1 (an int, cheap to add) unless a share or a split says otherwise
Weight = int | Decimal


class Units:
    """Every unit and succession of one version of the geography."""

    def __init__(self) -> None:
        from duan8.geo.models import AdminUnit, Succession

        self.parent: dict[int, int | None] = {}
        self.depth: dict[int, int] = {}
        self.path: dict[int, str] = {}
        self.kind: dict[int, str] = {}
        self.span: dict[int, tuple[datetime.date, datetime.date | None]] = {}
        dates: set[datetime.date] = set()
        rows = AdminUnit.objects.values_list(
            "pk", "parent_id", "path", "kind", "valid_from", "valid_until"
        )
        for pk, parent, path, kind, start, end in rows.iterator(chunk_size=10000):
            self.parent[pk], self.path[pk], self.kind[pk] = parent, path, kind
            self.depth[pk] = path.count("/") - 2
            self.span[pk] = (start, end)
            dates.add(start)
            if end is not None:
                dates.add(end)
        self.boundaries = sorted(dates)
        self.forward: dict[int, list[tuple[int, bool, Decimal | None]]] = defaultdict(list)
        self.backward: dict[int, list[int]] = defaultdict(list)
        links = Succession.objects.values_list(
            "predecessor_id", "successor_id", "is_default", "share"
        )
        for before, after, is_default, share in links:
            self.forward[before].append((after, is_default, share))
            if is_default:
                self.backward[after].append(before)
        self._days: dict[int, TreeMap] = {}
        self._sizes: dict[int, int] | None = None
        self._chains: dict[int, tuple[int, ...]] | None = None
        self._lock = threading.Lock()

    def epoch(self, day: datetime.date) -> int:
        """Days with the same epoch see the same units: none begins or ends between them."""
        return bisect.bisect_right(self.boundaries, day)

    def on(self, day: datetime.date) -> TreeMap:
        key = self.epoch(day)
        tree = self._days.get(key)
        if tree is None:
            with self._lock:
                tree = self._days.setdefault(key, TreeMap(self, day))
        return tree

    def chains(self) -> dict[int, tuple[int, ...]]:
        """Every unit's path as ids, from the root down to the unit itself: built once from
        the parent links (each chain is its parent's plus one id), not parsed path by path."""
        if self._chains is None:
            with self._lock:
                if self._chains is None:
                    chains: dict[int, tuple[int, ...]] = {}
                    for pk in sorted(self.depth, key=self.depth.__getitem__):
                        parent = self.parent[pk]
                        above = chains.get(parent) if parent is not None else None
                        chains[pk] = (
                            (*above, pk)
                            if above is not None
                            else tuple(paths.ids_in(self.path[pk]))
                        )
                    self._chains = chains
        return self._chains

    def subtree_sizes(self) -> dict[int, int]:
        """How many units each unit's subtree holds, itself included."""
        if self._sizes is None:
            sizes: dict[int, int] = defaultdict(int)
            for chain in self.chains().values():
                for ancestor in chain:
                    sizes[ancestor] += 1
            self._sizes = sizes
        return self._sizes

    def exists_on(self, pk: int, day: datetime.date) -> bool:
        start, end = self.span[pk]
        return start <= day and (end is None or day < end)


class TreeMap:
    """The tree of one day: for any unit, the units of that day its facts count under."""

    def __init__(self, units: Units, day: datetime.date) -> None:
        self.units = units
        self.day = day
        self._targets: dict[int, tuple[tuple[int, Weight], ...]] = {}
        self._carry: dict[int, tuple[tuple[int, Weight], ...]] = {}
        self._sources: dict[int, list[int]] | None = None
        self._single: dict[int, int] | None = None
        self._reach: dict[tuple[int, bool], tuple[list[str], list[int]]] = {}
        self._kind_counts: dict[int, dict[str, int]] | None = None
        self._lock = threading.Lock()

    def exists(self, pk: int) -> bool:
        return pk in self.units.span and self.units.exists_on(pk, self.day)

    def kind_counts(self, pk: int) -> dict[str, int]:
        """How many units of each kind of this day lie below ``pk`` (on their paths)."""
        if self._kind_counts is None:
            with self._lock:
                if self._kind_counts is None:
                    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
                    units = self.units
                    for unit, chain in units.chains().items():
                        if not units.exists_on(unit, self.day):
                            continue
                        kind = units.kind[unit]
                        for above in chain[:-1]:
                            counts[above][kind] += 1
                    self._kind_counts = counts
        return dict(self._kind_counts.get(pk, {}))

    def targets(self, pk: int, _depth: int = 0) -> tuple[tuple[int, Weight], ...]:
        """The units of this day that stand for ``pk``, with weights adding up to 1."""
        found = self._targets.get(pk)
        if found is not None:
            return found
        units = self.units
        if _depth > MAX_STEPS:
            return ()  # a loop in the successions: not remembered, so no answer is cut short
        if pk not in units.span:
            found = ()
        elif units.exists_on(pk, self.day):
            found = ((pk, ONE),)
        else:
            found = _merge(
                (target, weight * inner)
                for step, weight in self._steps(pk)
                for target, inner in self.targets(step, _depth + 1)
            )
        self._targets[pk] = found
        return found

    def _steps(self, pk: int) -> list[tuple[int, Weight]]:
        units = self.units
        end = units.span[pk][1]
        if end is not None and end <= self.day:
            outgoing = units.forward.get(pk, [])
            if outgoing and all(share is not None for _s, _d, share in outgoing):
                # Shares are read as parts of their sum, so a split never loses or adds a part.
                whole = sum(Decimal(share) for _a, _d, share in outgoing)
                return [(after, Decimal(share) / whole) for after, _d, share in outgoing]
            if outgoing:
                default = next((o for o in outgoing if o[1]), outgoing[0])
                return [(default[0], ONE)]
        else:
            incoming = units.backward.get(pk, [])
            same = [before for before in incoming if units.kind[before] == units.kind[pk]]
            chosen = same or incoming
            if chosen:
                share = ONE if len(chosen) == 1 else Decimal(1) / len(chosen)
                return [(before, share) for before in chosen]
        parent = units.parent.get(pk)
        return [(parent, ONE)] if parent is not None else []

    def single_targets(self) -> dict[int, int]:
        """For every unit that one unit of this day stands for wholly (nearly all of them),
        that unit: the fast path of a roll-up."""
        if self._single is None:
            single = {}
            for pk in self.units.span:
                found = self.targets(pk)
                if len(found) == 1 and found[0][1] == 1:
                    single[pk] = found[0][0]
            self._single = single
        return self._single

    def carry(self, pk: int) -> tuple[tuple[int, Weight], ...]:
        """The units of this day a fact on ``pk`` counts under: the units standing for it and
        all their ancestors, each with the part of the fact it receives."""
        found = self._carry.get(pk)
        if found is None:
            chains = self.units.chains()
            targets = self.targets(pk)
            if len(targets) == 1 and targets[0][1] == ONE:  # nearly every unit: no merge
                found = tuple((ancestor, ONE) for ancestor in chains[targets[0][0]])
            else:
                found = _merge(
                    (ancestor, weight) for target, weight in targets for ancestor in chains[target]
                )
            self._carry[pk] = found
        return found

    def sources(self, pk: int) -> list[int]:
        """Units that do not exist this day whose facts count under ``pk``."""
        if self._sources is None:
            with self._lock:
                if self._sources is None:
                    index: dict[int, list[int]] = defaultdict(list)
                    units, chains = self.units, self.units.chains()
                    for other in units.span:
                        if units.exists_on(other, self.day):
                            continue
                        targets = self.targets(other)
                        if len(targets) == 1:
                            above = chains[targets[0][0]]
                        else:
                            above = dict.fromkeys(a for t, _w in targets for a in chains[t])
                        for ancestor in above:
                            index[ancestor].append(other)
                    self._sources = index
        return self._sources.get(pk, [])

    def warm(self) -> None:
        """Build now what the first list of a day's records would otherwise build: the index
        of carried units and the subtree sizes (a second or so at national scale)."""
        self.sources(0)
        self.units.subtree_sizes()

    def reach(self, pk: int, *, former_only: bool = False) -> tuple[list[str], list[int]]:
        """Where the records counted under ``pk`` on this day lie: subtree paths (the unit's
        own, and those of other units wholly carried into it) and single units whose subtree
        is carried only in part. ``former_only`` leaves out units that began after this day
        (a 2026 commune read on the 2024 tree), for what a viewer may read of the past."""
        key = (pk, former_only)
        found = self._reach.get(key)
        if found is None:
            found = self._reach[key] = self._find_reach(pk, former_only)
        return found

    def _find_reach(self, pk: int, former_only: bool) -> tuple[list[str], list[int]]:
        units = self.units
        sources = set(self.sources(pk))
        if former_only:
            sources = {s for s in sources if units.span[s][1] is not None}
        chains = units.chains()
        inside: dict[int, int] = defaultdict(int)
        for source in sources:
            for ancestor in chains[source]:
                if ancestor in sources:
                    inside[ancestor] += 1
        sizes = self.units.subtree_sizes()
        prefixes, singles = [units.path[pk]], []
        for source in sorted(sources, key=lambda s: len(units.path[s])):
            path = units.path[source]
            if any(path.startswith(p) for p in prefixes):
                continue
            if inside[source] == sizes[source]:
                prefixes.append(path)
            else:
                singles.append(source)
        return prefixes, singles


def _merge(parts) -> tuple[tuple[int, Weight], ...]:
    merged: dict[int, Weight] = {}
    for pk, weight in parts:
        merged[pk] = merged[pk] + weight if pk in merged else weight
    return tuple(merged.items())


_current: tuple[tuple, Units] | None = None
_current_lock = threading.Lock()


def units(version: tuple) -> Units:
    """The geography of ``version`` (the change counters of units and successions)."""
    global _current
    held = _current
    if held is not None and held[0] == version:
        return held[1]
    with _current_lock:
        if _current is None or _current[0] != version:
            _current = (version, Units())
        return _current[1]


def on(day: datetime.date, version: tuple | None = None) -> TreeMap:
    """The tree of ``day`` for the geography as it is stored now."""
    if version is None:
        version = geo_version()
    return units(version).on(day)


def geo_version(counters: dict[str, int] | None = None) -> tuple:
    if counters is None:
        from duan8.core import audit

        counters = audit.counters()
    return (counters.get("geo.adminunit", 0), counters.get("geo.succession", 0))


def forget() -> None:
    """Drop the geography held in memory (tests; a database restored under a running
    process)."""
    global _current
    with _current_lock:
        _current = None
