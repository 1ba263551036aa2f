"""Paging of the API's lists: by offset (``?limit=&offset=``, with ``count``) and by cursor
(``?cursor=``, answered with ``next_cursor``).

A cursor is the position after the last item of a page, written as the values of the list's
ordering key (its ``order_by``, ended by the primary key so that no two items share a place),
signed so that it cannot be forged. The next page is read from the position on ("keyset"
paging): ``WHERE (ordering key) > (position) ORDER BY … LIMIT n`` walks an index from the
position, so a page deep in a national list costs what the first one does, where an offset
makes the database read and drop every row before it. Items added or removed meanwhile never
shift a page: each item is seen once.

Every list answers ``next_cursor`` (null on the last page), also when paged by offset, so a
client may begin with an offset and go on by cursor. A page asked by cursor leaves ``count``
out (null): counting a national list costs as much as reading it, and would be paid on every
page. A list that the database cannot page by a key (one built in Python, or ordered by an
expression) answers ``next_cursor`` null and refuses a cursor (422).
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.core import signing
from django.db import models
from django.db.models import F, Q, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.pagination import PaginationBase

SALT = "duan8.api.cursor"
MAX_LIMIT = 1000

CURSOR_HELP = (
    "Page by cursor: send the `next_cursor` of the page before (empty for the first page). "
    "Stable and as fast deep in a list as at its start; `count` is then left out. "
    "Do not combine with `offset`."
)


class Key:
    """One part of a list's ordering key: a field path, its direction, and whether it may be
    empty (empty values are placed as the smallest: first going up, last going down)."""

    def __init__(self, path: str, descending: bool, field: models.Field, nullable: bool):
        self.path = path
        self.descending = descending
        self.field = field
        self.nullable = nullable

    @property
    def order(self):
        if not self.nullable:
            return f"-{self.path}" if self.descending else self.path
        if self.descending:
            return F(self.path).desc(nulls_last=True)
        return F(self.path).asc(nulls_first=True)

    def value_of(self, item) -> Any:
        if isinstance(item, dict):  # a list of ``values()``
            return item.get(self.path, item.get("id") if self.path == "pk" else None)
        value = item
        for name in self.path.split(LOOKUP_SEP):
            if value is None:
                return None
            value = value.pk if name == "pk" else getattr(value, name)
        return value

    def after(self, value) -> Q | None:
        """Items placed after ``value`` on this part (None: no item is)."""
        if value is None:
            return None if self.descending else Q(**{f"{self.path}__isnull": False})
        beyond = Q(**{f"{self.path}__{'lt' if self.descending else 'gt'}": value})
        if self.descending and self.nullable:
            beyond |= Q(**{f"{self.path}__isnull": True})
        return beyond

    def same(self, value) -> Q:
        if value is None:
            return Q(**{f"{self.path}__isnull": True})
        return Q(**{self.path: value})


def _field_of(model, path: str) -> tuple[models.Field, bool] | None:
    """The concrete field a path ends on, and whether any step of it may be empty; None for a
    path through a relation ordered by its model's own ordering, or an unknown name."""
    nullable = False
    field = None
    for position, name in enumerate(path.split(LOOKUP_SEP)):
        if field is not None:
            if not field.is_relation:
                return None
            model = field.related_model
        try:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - an annotation or a reverse name: not a key
            return None
        if not getattr(field, "concrete", False) or field.many_to_many or field.one_to_many:
            return None
        nullable = nullable or field.null
        last = position == len(path.split(LOOKUP_SEP)) - 1
        if last and field.is_relation and name != field.attname:
            return None  # "unit" orders by the unit's own ordering: not a plain value
    return (field, nullable) if field is not None else None


def keys_of(queryset: QuerySet) -> list[Key] | None:
    """The ordering key of a list, ended by its primary key; None when it has none that the
    database can page by."""
    query = queryset.query
    if query.distinct_fields or query.combinator:
        return None
    order = list(query.order_by)
    if not order and query.default_ordering:
        order = list(queryset.model._meta.ordering)
    keys: list[Key] = []
    for entry in order:
        if isinstance(entry, OrderBy) and isinstance(entry.expression, F):
            path, descending = entry.expression.name, entry.descending
        elif isinstance(entry, str) and entry != "?":
            path, descending = entry.removeprefix("-"), entry.startswith("-")
        else:
            return None
        found = _field_of(queryset.model, path)
        if found is None:
            return None
        field, nullable = found
        keys.append(Key(path, descending, field, nullable))
        if field.primary_key and path.count(LOOKUP_SEP) == 0 or path == "pk":
            return keys  # unique from here: what follows never decides
    pk = queryset.model._meta.pk
    keys.append(Key("pk", bool(keys) and keys[-1].descending, pk, False))
    return keys


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def encode(keys: list[Key], item) -> str:
    return signing.dumps(
        {"k": [k.path for k in keys], "v": [_plain(k.value_of(item)) for k in keys]},
        salt=SALT,
        compress=True,
    )


def _refused() -> HttpError:
    return HttpError(
        422,
        _("This cursor is not valid for this list: send the next_cursor of its last page."),
    )


def decode(keys: list[Key], cursor: str) -> list[Any]:
    try:
        found = signing.loads(cursor, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise _refused() from None
    if not isinstance(found, dict) or found.get("k") != [k.path for k in keys]:
        raise _refused()
    values = found.get("v")
    if not isinstance(values, list) or len(values) != len(keys):
        raise _refused()
    try:
        return [
            None if v is None else k.field.to_python(v) for k, v in zip(keys, values, strict=True)
        ]
    except Exception:  # noqa: BLE001 - a signed cursor of another version of the list
        raise _refused() from None


def after(keys: list[Key], values: list[Any]) -> Q:
    """Items after the position ``values`` in the order of ``keys``: the first part beyond
    its value, or equal and the next part beyond, and so on; led by a bound on the first
    part alone, so that the database seeks into its index instead of testing every row."""
    found: Q | None = None
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        beyond = key.after(value)
        if beyond is not None:
            found = equal & beyond if found is None else found | (equal & beyond)
        equal &= key.same(value)
    if found is None:
        return Q(pk__in=[])
    first, value = keys[0], values[0]
    if value is not None and not first.nullable:
        bound = Q(**{f"{first.path}__{'lte' if first.descending else 'gte'}": value})
        return bound & found
    return found


class Pagination(PaginationBase):
    """``?limit=`` (1–1000, default 100) with ``?offset=`` (from 0) or ``?cursor=``."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT, description="Items per page (1–1000).")
        offset: int = Field(
            0, ge=0, le=2**31, description="Items to skip (paging by offset; from 0)."
        )
        cursor: str | None = Field(None, max_length=2000, description=CURSOR_HELP)

    class Output(Schema):
        items: list[Any]
        count: int | None = Field(
            None, description="All items of the list (left out when paged by cursor)."
        )
        next_cursor: str | None = Field(
            None,
            description="The cursor of the next page; null on the last page.",
            examples=["eyJrIjpbInBrIl0sInYiOlsxMDBdfQ:1tXy…"],
        )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset, pagination: Input, request, **params) -> dict:
        limit = min(pagination.limit, MAX_LIMIT)
        keys = keys_of(queryset) if isinstance(queryset, QuerySet) else None
        if keys is not None:
            queryset = queryset.order_by(*[k.order for k in keys])
        if pagination.cursor is None:
            return self._by_offset(queryset, keys, pagination.offset, limit)
        if pagination.offset:
            raise HttpError(422, _("Page by offset or by cursor, not both."))
        if keys is None:
            raise HttpError(422, _("This list pages by offset only."))
        if pagination.cursor:
            queryset = queryset.filter(after(keys, decode(keys, pagination.cursor)))
        items = list(queryset[: limit + 1])
        more = len(items) > limit
        items = items[:limit]
        return {
            "items": items,
            "count": None,
            "next_cursor": encode(keys, items[-1]) if more and items else None,
        }

    def _by_offset(self, queryset, keys, offset: int, limit: int) -> dict:
        items = list(queryset[offset : offset + limit])
        count = self._items_count(queryset)
        more = offset + len(items) < count
        return {
            "items": items,
            "count": count,
            "next_cursor": encode(keys, items[-1]) if keys and more and items else None,
        }
