"""The one way from what officers write to a unit: every import and the match endpoint.

What a cell may hold, and how it is read:

- an official code ("03562"): always works; the record's date picks between the units that
  carried it at different times;
- the official full name with its diacritics ("Xã Nậm Chà") or the short name ("Nậm Chà"):
  the exact written form wins over look-alikes ("Xã Nậm Cha" is another commune), and the type
  word breaks ties ("Thị trấn Mường Tè" is not "Xã Mường Tè");
- a name without or with wrong diacritics ("xa mu sang"): accepted when one unit of the day
  has that name once the marks are dropped, refused as ambiguous otherwise;
- context after commas or in optional columns ("xa mu sang, h. phong tho"; the commune,
  district, province columns): keeps only the units whose ancestors carry those names.

The record's date picks the tree: a unit is found only among those in force on that day. A
name that ended before it is answered with its successor, never with a look-alike elsewhere;
similar names are offered as candidates, never picked.
"""

from __future__ import annotations

import datetime
import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duan8.geo import matching, paths, timeline
from duan8.geo.models import AdminUnit

# How well a name was written, best first.
WRITTEN_AS_NAMED = 3  # the full name as it stands, or the short name without a type word
OTHER_TYPE_WORD = 2  # the short name exactly, after another type word ("Thị trấn" for "Xã")
SAME_LETTERS = 1  # the same name once diacritics, case and y/i are set aside
SIMILAR = 0.8  # difflib's ratio above which a name is offered as a candidate

CODE_CHARS = set("0123456789")


@dataclass
class Resolution:
    """``status``: exact (a unit, written as named or by code), spelling (a unit, written
    without or with other marks), ended (the unit named no longer existed on the day: the
    message names its successor), ambiguous, similar (candidates offered) or none."""

    text: str
    status: str
    unit: AdminUnit | None = None
    candidates: list[AdminUnit] = field(default_factory=list)
    message: str | None = None

    @property
    def found(self) -> bool:
        return self.unit is not None


def _lower(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def _named(unit: AdminUnit) -> str:
    """A unit with its parent and code, to tell look-alikes apart in a message."""
    parent = unit.parent.short_name if unit.parent_id and unit.parent else ""
    inside = f"{parent}, " if parent else ""
    return f"{unit.name} ({inside}{unit.code})" if unit.code else f"{unit.name} ({parent})"


def split_context(text: str) -> tuple[str, list[str]]:
    """ "xa mu sang, h. phong tho" → ("xa mu sang", ["h. phong tho"])."""
    parts = [part.strip() for part in unicodedata.normalize("NFC", text).split(",")]
    parts = [part for part in parts if part]
    return (parts[0] if parts else ""), parts[1:]


class Resolver:
    """Resolves names among ``units`` (a queryset or list of the kinds a column holds, of every
    date), one instance per import, answers remembered. ``for_scope`` builds the usual pool."""

    def __init__(self, units, *, within: AdminUnit | None = None) -> None:
        self._queryset = units
        # Units found outside this one's subtree are named, never accepted (the former units
        # of a new province: to say what a name became, not to record on them from here).
        self.within = within
        self._loaded = False
        self._memo: dict[tuple, Resolution] = {}
        self._ranks: dict[tuple, dict[AdminUnit, int]] = {}

    # The index ---------------------------------------------------------------------------

    def _load(self) -> None:
        if self._loaded:
            return
        found = self._queryset
        if hasattr(found, "select_related"):
            found = found.select_related("parent")
        self.units: list[AdminUnit] = list(found)
        self.by_code: dict[str, list[AdminUnit]] = {}
        self.by_name: dict[str, list[AdminUnit]] = {}
        self.by_key: dict[str, list[AdminUnit]] = {}
        for unit in self.units:
            if unit.code:
                self.by_code.setdefault(unit.code, []).append(unit)
            for written in {_lower(unit.name), _lower(unit.short_name)}:
                self.by_name.setdefault(written, []).append(unit)
            for key in {unit.search_key or matching.name_key(unit.short_name)}:
                self.by_key.setdefault(key, []).append(unit)
        # Ancestors' names, for context ("h. phong tho"): every unit above those indexed.
        above = {pk for unit in self.units for pk in paths.ids_in(unit.path)[:-1]}
        self.ancestors = {
            pk: (kind, key)
            for pk, kind, key, short in AdminUnit.objects.filter(pk__in=above).values_list(
                "pk", "kind", "search_key", "short_name"
            )
            for key in [key or matching.name_key(short)]
        }
        self._loaded = True

    # Reading a cell -----------------------------------------------------------------------

    def resolve(
        self, text: str, day: datetime.date | None = None, context: Iterable[str] = ()
    ) -> Resolution:
        """The unit ``text`` names on ``day`` (None: any date), narrowed by ``context``
        (names of units above it, from other columns)."""
        context = tuple(context)
        key = (text, day, context)
        found = self._memo.get(key)
        if found is not None:
            return found
        if day is not None:
            # Every unit the text may name exists on the day: the answer is the same for any
            # such day (a file's rows carry many dates for the same commune).
            self._load()
            written, more = split_context(text or "")
            named = self._ranked(written, [c for c in (*more, *context) if c and c.strip()])
            if named and all(unit.is_valid_on(day) for unit in named):
                steady = (text, "every day its units exist", context)
                found = self._memo.get(steady)
                if found is None:
                    found = self._memo[steady] = self._resolve(text, day, list(context))
                return found
        found = self._memo[key] = self._resolve(text, day, list(context))
        return found

    def _resolve(self, text: str, day, context: list[str]) -> Resolution:
        self._load()
        written, more = split_context(text or "")
        context = [c for c in (*more, *context) if c and c.strip()]
        if not written:
            return Resolution(text, "none", message=_("the unit is empty."))
        ranked = self._ranked(written, context)
        if ranked:
            # The best-written names decide; a unit named so that no longer existed on the
            # day is answered with what stood for it, never with a look-alike in force.
            best = max(ranked.values())
            named = [u for u, rank in ranked.items() if rank == best]
            in_force = {u: best for u in named if day is None or u.is_valid_on(day)}
            if in_force and (len(in_force) == len(named) or best > SAME_LETTERS):
                return self._pick(text, written, in_force)
            if in_force:  # spelled like a unit of the day and like one that had ended
                ended = [u for u in named if u not in in_force]
                successors = {s.pk for u in ended for s in timeline.counterparts_on(u, day)}
                if all(u.pk in successors for u in in_force):  # a name carried by its successor
                    return self._pick(text, written, in_force)
                return self._ambiguous(text, sorted(named, key=lambda u: (u.path, u.pk)))
            named.sort(key=lambda u: (u.valid_from, u.pk))
            reasons = dict.fromkeys(timeline.validity_error(u, day) for u in named)
            return Resolution(
                text, "ended", candidates=named, message=" ".join(r for r in reasons if r)
            )
        similar = self._similar(written, context, day)
        if similar:
            return Resolution(
                text,
                "similar",
                candidates=similar,
                message=_("no unit is named “%(name)s”; did you mean %(names)s?")
                % {"name": text, "names": ", ".join(_named(u) for u in similar[:4])},
            )
        where = f" ({', '.join(context)})" if context else ""
        return Resolution(
            text,
            "none",
            message=_("no unit named “%(name)s”%(where)s here.")
            % {"name": written, "where": where},
        )

    def _ranked(self, written: str, context: list[str]) -> dict[AdminUnit, int]:
        """Every unit the text may name, with how well it was written, in context: the same
        for every date, so worked out once per name and context (a file's rows carry many
        dates for the same commune)."""
        key = (written, tuple(context))
        if key not in self._ranks:
            self._ranks[key] = self._rank(written, context)
        return self._ranks[key]

    def _rank(self, written: str, context: list[str]) -> dict[AdminUnit, int]:
        ranked: dict[AdminUnit, int] = {}
        if set(written) <= CODE_CHARS:
            found = self.by_code.get(written, [])
            if not found:  # a code Excel stored as a number lost its leading zeros ("3562")
                padded = [self.by_code.get(written.zfill(n), []) for n in (2, 3, 5)]
                found = [u for units in padded for u in units if len(written) < len(u.code)]
            for unit in found:
                ranked[unit] = WRITTEN_AS_NAMED
        lowered = _lower(written)
        _hint, rest = matching.split_type(matching.fold(written))
        bare = " ".join(lowered.split()[len(lowered.split()) - len(rest.split()) :]) if rest else ""
        for unit in self.by_name.get(lowered, []):
            ranked[unit] = WRITTEN_AS_NAMED  # the full name, or the short name, as it stands
        if bare and bare != lowered:
            for unit in self.by_name.get(bare, []):
                if bare == _lower(unit.short_name):
                    ranked.setdefault(unit, OTHER_TYPE_WORD)
        for key in matching.keys(written):
            for unit in self.by_key.get(key, []):
                ranked.setdefault(unit, SAME_LETTERS)
        if context:
            ranked = {u: r for u, r in ranked.items() if self._within(u, context)}
        return ranked

    def _within(self, unit: AdminUnit, context: list[str]) -> bool:
        """Each context name is the name of one of the unit's ancestors (of the kind its type
        word says, if it has one)."""
        above = [self.ancestors.get(pk) for pk in paths.ids_in(unit.path)[:-1]]
        for text in context:
            kind = matching.kind_hint(text)
            keys = set(matching.keys(text))
            if not any(
                a is not None and a[1] in keys and (kind is None or a[0] == kind) for a in above
            ):
                return False
        return True

    def _pick(self, text: str, written: str, ranked: dict[AdminUnit, int]) -> Resolution:
        best = max(ranked.values())
        top = [u for u, rank in ranked.items() if rank == best]
        if len(top) > 1:
            hint = matching.kind_hint(written)
            hinted = [u for u in top if hint is not None and u.kind == hint]
            if len(hinted) == 1:
                top = hinted
        top.sort(key=lambda u: (u.path, u.pk))
        if len(top) > 1:
            return self._ambiguous(text, top)
        unit = top[0]
        if self.within is not None and not unit.path.startswith(self.within.path):
            return Resolution(
                text,
                "outside",
                candidates=top,
                message=_("%(unit)s is not under %(scope)s, where this import records.")
                % {"unit": _named(unit), "scope": self.within.name},
            )
        return Resolution(text, "exact" if best >= OTHER_TYPE_WORD else "spelling", unit, top)

    def _ambiguous(self, text: str, units: list[AdminUnit]) -> Resolution:
        return Resolution(
            text,
            "ambiguous",
            candidates=units,
            message=_(
                "“%(name)s” could be several units: %(names)s. Write the official code, or the "
                "commune and district after a comma."
            )
            % {"name": text, "names": "; ".join(_named(u) for u in units[:4])},
        )

    def _similar(self, written: str, context: list[str], day) -> list[AdminUnit]:
        """Units of the day whose names are close to the text: offered, never picked."""
        wanted = matching.keys(written)
        if not wanted:
            return []
        words = {w for variant in wanted for w in variant.split() if len(w) >= 2}
        scored = []
        for key, units in self.by_key.items():
            if words and not words & set(key.split()):
                continue
            ratio = max(difflib.SequenceMatcher(None, w, key).ratio() for w in wanted)
            if ratio >= SIMILAR:
                for unit in units:
                    if (day is None or unit.is_valid_on(day)) and (
                        not context or self._within(unit, context)
                    ):
                        scored.append((-ratio, unit.path, unit))
        scored.sort(key=lambda item: item[:2])
        return [unit for *_rest, unit in scored[:10]]


def ever_under(scope: AdminUnit, field: str = "path"):
    """A filter on a unit path ``field`` for the units ever under ``scope``: its subtree, and
    the former units whose records count under it today."""
    from django.db.models import Q
    from django.utils import timezone

    from duan8.geo import treemap

    prefixes, singles = [scope.path], []
    tree = treemap.on(timezone.localdate())
    if tree.exists(scope.pk):
        former, singles = tree.reach(scope.pk, former_only=True)
        prefixes += former
    pk_field = "pk" if field == "path" else field.replace("path", "id")
    return paths.any_prefix_q(field, prefixes) | Q(**{f"{pk_field}__in": singles})


def for_scope(scope: AdminUnit, kinds: Iterable[str]) -> Resolver:
    """A resolver for an import recorded under ``scope``: the units of ``kinds`` ever under it,
    accepting only those of its own subtree (a former unit is named, to say why not)."""
    units = AdminUnit.objects.filter(ever_under(scope), kind__in=list(kinds))
    return Resolver(units, within=scope)


def context_columns():
    """Optional columns an import may add to narrow its unit column: the names of the units
    above it (a village's commune, a commune's district and province)."""
    from duan8.core import sheets

    return [
        sheets.Column(
            "in_commune",
            "Thuộc xã",
            required=False,
            aliases=("In commune",),
            help=gettext_lazy("Optional: the commune above the unit, when villages share a name."),
        ),
        sheets.Column(
            "in_district",
            "Thuộc huyện",
            required=False,
            aliases=("In district",),
            help=gettext_lazy("Optional: the district above the unit (until 1/7/2025)."),
        ),
        sheets.Column(
            "in_province",
            "Thuộc tỉnh",
            required=False,
            aliases=("In province",),
            help=gettext_lazy("Optional: the province above the unit."),
        ),
    ]


def names_for_lists(scope: AdminUnit, kinds, day: datetime.date, limit: int = 20_000) -> list:
    """The names of the units of ``kinds`` under ``scope`` on ``day``, for a template's
    drop-down list, each written so that the import reads it back as that unit: a name that
    two units share is followed by the name above it ("Xã Tân Lập, Huyện Sông Mã")."""
    units = list(
        AdminUnit.objects.subtree(scope)
        .valid_on(day)
        .filter(kind__in=kinds)
        .select_related("parent")
        .order_by("path")[:limit]
    )
    seen: dict[str, int] = {}
    for unit in units:
        seen[unit.name] = seen.get(unit.name, 0) + 1
    return [
        f"{u.name}, {u.parent.name}" if seen[u.name] > 1 and u.parent_id else u.name for u in units
    ]


def context_names(unit: AdminUnit) -> list[str]:
    """The names a unit's context columns carry ([commune, district, province], "" where
    there is none above it): what an export writes so that the file imports back."""
    above: dict[str, str] = {}
    parent = unit.parent
    while parent is not None and parent.kind != "nation":
        above.setdefault(parent.kind, parent.name)
        if parent.kind == "province":  # nothing above it but the nation: not read
            break
        parent = parent.parent
    return [above.get(kind, "") for kind in ("commune", "district", "province")]


def context_table(unit_ids) -> dict[int, tuple[str, list[str]]]:
    """``context_names`` for many units at once (an export of a national list): each unit's
    name and the names above it, in two queries per 5.000 units."""
    table: dict[int, tuple[str, list[str]]] = {}
    ids = sorted(set(unit_ids))
    for start in range(0, len(ids), 5000):
        units = list(
            AdminUnit.objects.filter(pk__in=ids[start : start + 5000]).values_list(
                "pk", "name", "path"
            )
        )
        above_ids = {pk for _pk, _name, path in units for pk in paths.ids_in(path)[:-1]}
        above = {
            pk: (kind, name)
            for pk, kind, name in AdminUnit.objects.filter(pk__in=above_ids).values_list(
                "pk", "kind", "name"
            )
        }
        for pk, name, path in units:
            found: dict[str, str] = {}
            for parent in reversed(paths.ids_in(path)[:-1]):  # nearest first
                kind, parent_name = above.get(parent, ("", ""))
                if kind == "nation":
                    break
                found.setdefault(kind, parent_name)
                if kind == "province":
                    break
            table[pk] = (name, [found.get(k, "") for k in ("commune", "district", "province")])
    return table


def context_of(row) -> list[str]:
    """The context a row's optional columns give (``context_columns``)."""
    return [row.text(key) for key in ("in_commune", "in_district", "in_province") if row.text(key)]
