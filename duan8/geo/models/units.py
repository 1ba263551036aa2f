"""Administrative units as an effective-dated tree with materialised paths."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, F, Max, Q, Value, When
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext_lazy as _

from duan8.core.audit import AuditedModel
from duan8.geo import paths


class UnitKind(models.TextChoices):
    NATION = "nation", _("Nation")
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    VILLAGE = "village", _("Village")


KIND_DEPTH = {
    UnitKind.NATION: 0,
    UnitKind.PROVINCE: 1,
    UnitKind.DISTRICT: 2,
    UnitKind.COMMUNE: 3,
    UnitKind.VILLAGE: 4,
}

# Parents each kind may have. Since 1/7/2025 communes sit directly under provinces.
ALLOWED_PARENT_KINDS = {
    UnitKind.NATION: set(),
    UnitKind.PROVINCE: {UnitKind.NATION},
    UnitKind.DISTRICT: {UnitKind.PROVINCE},
    UnitKind.COMMUNE: {UnitKind.DISTRICT, UnitKind.PROVINCE},
    UnitKind.VILLAGE: {UnitKind.COMMUNE},
}


class AdminUnitQuerySet(models.QuerySet):
    def subtree(self, unit: AdminUnit, *, include_self: bool = True) -> AdminUnitQuerySet:
        qs = self.filter(paths.prefix_q("path", unit.path))
        return qs if include_self else qs.exclude(pk=unit.pk)

    def valid_on(self, day: datetime.date) -> AdminUnitQuerySet:
        """Units that existed on ``day`` (valid_from inclusive, valid_until exclusive)."""
        return self.filter(valid_from__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=day)
        )

    def current(self) -> AdminUnitQuerySet:
        return self.filter(valid_until__isnull=True)

    def search(self, text: str) -> AdminUnitQuerySet:
        """Units whose name contains ``text``, ignoring diacritics, case and type words.

        "sin ho", "Sìn Hồ" and "huyện Sìn Hồ" all find Sìn Hồ; an official code finds its
        unit. Exact names come first, then units of the kind the type word names, then
        units in force before those that ended.
        """
        from duan8.geo import matching

        text = text.strip()
        keys = matching.keys(text)
        hinted = matching.kind_hint(text)
        if not matching.key(text):  # only a type word ("xã"): the units of that kind
            return self.filter(kind=hinted) if hinted else self.filter(code=text)
        wanted = Q(code=text)
        for key in keys:
            wanted |= Q(search_key__contains=key)
        return self.filter(wanted).order_by(
            Case(When(search_key__in=keys, then=0), default=1),
            Case(When(kind=hinted, then=0), default=1) if hinted else Value(0),
            F("valid_until").desc(nulls_first=True),
            "depth",
            "short_name",
        )

    def in_tree_order(self) -> AdminUnitQuerySet:
        return self.order_by("depth", "short_name", "pk")


class AdminUnit(AuditedModel):
    """A nation, province, district, commune or village, valid over a span of dates.

    ``path`` lists the ids from the root to this unit (``/1/12/345/``) and makes subtree
    queries one indexed range or prefix scan on both databases. It is derived from ``parent``
    and kept up to date by ``save``; nobody edits it.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=UnitKind.choices)
    unit_type = models.CharField(
        _("type"),
        max_length=30,
        blank=True,
        help_text=_("The official type word: Xã, Phường, Thị trấn, Đặc khu, Huyện, Tỉnh, Bản…"),
    )
    code = models.CharField(
        _("official code"),
        max_length=16,
        blank=True,
        help_text=_("The code in the official list of administrative units; empty for villages."),
    )
    name = models.CharField(_("full name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("First day on which the unit no longer exists; empty while it exists."),
    )

    search_key = models.CharField(max_length=150, db_index=True, editable=False, default="")
    placeholder = models.BooleanField(
        _("placeholder name"),
        default=False,
        help_text=_("The name was generated and should be replaced by the real one."),
    )
    needs_review = models.BooleanField(
        _("to be confirmed"),
        default=False,
        help_text=_("Placed by the system after the 2025 reform; an administrator should confirm."),
    )

    objects = AdminUnitQuerySet.as_manager()
    audit_exclude = frozenset({"path", "depth", "search_key"})

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code", "valid_from"],
                condition=~Q(code=""),
                name="geo_unit_code_unique_per_kind_and_start",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="geo_unit_valid_until_after_valid_from",
            ),
        ]
        indexes = [models.Index(fields=["parent", "short_name"])]

    def __str__(self) -> str:
        return self.name

    def display_with_dates(self) -> str:
        if self.valid_until is None:
            return self.name
        last = self.valid_until - datetime.timedelta(days=1)
        return f"{self.name} ({self.valid_from:%d/%m/%Y}–{last:%d/%m/%Y})"

    def audit_unit(self) -> AdminUnit:
        return self

    def clean(self) -> None:
        errors = {}
        allowed = ALLOWED_PARENT_KINDS[UnitKind(self.kind)]
        if self.parent is None and allowed:
            errors["parent"] = _("This kind of unit needs a parent unit.")
        elif self.parent is not None and self.parent.kind not in allowed:
            errors["parent"] = _("A %(kind)s cannot be placed under a %(parent)s.") % {
                "kind": self.get_kind_display(),
                "parent": self.parent.get_kind_display(),
            }
        if self.valid_until and self.valid_from and self.valid_until <= self.valid_from:
            errors["valid_until"] = _("The end date must be after the start date.")
        errors.update(self._validity_errors())
        if self.parent is not None and self.pk and self.parent.path.startswith(self.path or "-"):
            errors["parent"] = _("A unit cannot be placed inside its own subtree.")
        if errors:
            raise ValidationError(errors)

    def _validity_errors(self) -> dict:
        """A unit exists only while its parent does, and its children only while it does."""
        if not self.valid_from:
            return {}
        errors = {}
        parent = self.parent
        if parent is not None and (
            self.valid_from < parent.valid_from
            or (
                parent.valid_until
                and (not self.valid_until or self.valid_until > parent.valid_until)
            )
        ):
            errors["valid_from"] = _("The unit must lie within the dates of its parent unit.")
        if self.pk:
            outside = self.children.filter(valid_from__lt=self.valid_from)
            if self.valid_until:
                outside = outside | self.children.filter(
                    Q(valid_until__isnull=True) | Q(valid_until__gt=self.valid_until)
                )
            if outside.exists():
                errors["valid_until"] = _(
                    "Units below this one exist outside these dates; change their dates first."
                )
        return errors

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)

    def reference_day(self) -> datetime.date:
        """Today if the unit exists today; else its last day (or its first, if not yet begun)."""
        from django.utils import timezone

        today = timezone.localdate()
        if self.valid_until is not None and today >= self.valid_until:
            return self.valid_until - datetime.timedelta(days=1)
        return max(today, self.valid_from)

    def last_day_with_children_before(self, day: datetime.date) -> datetime.date | None:
        """When no unit lies below this one on ``day``: the last earlier day one did.

        After the 2025 reform a former district has no communes today; its page then offers
        to show the tree as it stood on its last day instead of an empty list.
        """
        ended = self.children.filter(valid_until__lte=day).aggregate(last=Max("valid_until"))
        return ended["last"] - datetime.timedelta(days=1) if ended["last"] else None

    def province(self) -> AdminUnit | None:
        """The province this unit lies in (itself for a province); None above that level."""
        if self.kind == UnitKind.PROVINCE:
            return self
        return AdminUnit.objects.filter(pk__in=self.ancestor_ids(), kind=UnitKind.PROVINCE).first()

    def ancestor_ids(self) -> list[int]:
        return paths.ids_in(self.path)[:-1]

    def ancestors(self) -> list[AdminUnit]:
        """From the root down to the parent."""
        ids = self.ancestor_ids()
        by_id = AdminUnit.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    def is_within(self, other: AdminUnit) -> bool:
        return self.path.startswith(other.path)

    def write(self, *args, **kwargs) -> None:
        from duan8.geo import matching

        self.search_key = matching.name_key(self.short_name)
        with transaction.atomic():
            old_path = self.path
            super().write(*args, **kwargs)
            new_path = paths.child_path(self.parent.path if self.parent else "", self.pk)
            if new_path != old_path:
                self._move_subtree(old_path, new_path)

    @classmethod
    def before_bulk_insert(cls, units: list[AdminUnit]) -> None:
        """Derive path, depth and search key of units about to be bulk-created, their ids
        reserved (parents first)."""
        from duan8.geo import matching

        for unit in units:
            parent_path = unit.parent.path if unit.parent_id else ""
            unit.path = paths.child_path(parent_path, unit.pk)
            unit.depth = len(paths.ids_in(unit.path)) - 1
            unit.search_key = matching.name_key(unit.short_name)

    def _move_subtree(self, old_path: str, new_path: str) -> None:
        """Rewrite the derived path and depth of this unit and, after a move, its subtree."""
        depth = len(paths.ids_in(new_path)) - 1
        AdminUnit.objects.filter(pk=self.pk).update(path=new_path, depth=depth)
        if old_path:
            shift = depth - self.depth
            AdminUnit.objects.subtree(AdminUnit(path=old_path), include_self=False).update(
                path=Concat(Value(new_path), Substr("path", Length(Value(old_path)) + 1)),
                depth=F("depth") + shift,
            )
        self.path, self.depth = new_path, depth


class WithinUnitQuerySet(models.QuerySet):
    """For records that belong to a unit: ``within(unit)`` is the unit and its whole subtree;
    ``within(unit, on=day)`` adds the records of former (or later) units that count under it
    on the tree of ``day`` (the records behind a figure read on that tree)."""

    def within(self, unit: AdminUnit, on: datetime.date | None = None):
        if unit.parent_id is None and (on is None or unit.is_valid_on(on)):
            return self.all()  # the nation: every record of every unit
        if on is None:
            prefixes, singles = [unit.path], []
        else:
            from duan8.geo import treemap

            prefixes, singles = treemap.on(on).reach(unit.pk)
        # The units first (one indexed range each), then their records by unit: the database
        # never scans every record to test its unit's path.
        units = AdminUnit.objects.filter(paths.any_prefix_q("path", prefixes) | Q(pk__in=singles))
        return self.filter(unit_id__in=units.values("pk"))
