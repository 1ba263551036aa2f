"""Materialised paths: ``/<id>/<id>/.../`` from the root to a unit, and fast subtree filters.

A subtree is every path that starts with the root's path. PostgreSQL answers ``LIKE 'p%'``
from the ``varchar_pattern_ops`` index Django adds to an indexed CharField. SQLite's LIKE is
case-insensitive and skips the index, so there the same set is read as the binary range
``p <= path < p'`` where ``p'`` is ``p`` with its final "/" replaced by "0", the next
character in byte order. Both give the same rows; each uses its index.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

SEPARATOR = "/"


def child_path(parent_path: str, pk: int) -> str:
    return f"{parent_path or SEPARATOR}{pk}{SEPARATOR}"


def ids_in(path: str) -> list[int]:
    return [int(part) for part in path.strip(SEPARATOR).split(SEPARATOR) if part]


def upper_bound(prefix: str) -> str:
    if not prefix.endswith(SEPARATOR):
        raise ValueError(f"a unit path ends with {SEPARATOR!r}: {prefix!r}")
    return prefix[:-1] + chr(ord(SEPARATOR) + 1)


def prefix_q(field: str, prefix: str) -> Q:
    """Rows whose ``field`` (a materialised path) lies in the subtree rooted at ``prefix``."""
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper_bound(prefix)})
    return Q(**{f"{field}__startswith": prefix})


def any_prefix_q(field: str, prefixes: list[str]) -> Q:
    """Rows in any of the given subtrees; an empty list matches nothing."""
    query = Q(pk__in=[])
    for prefix in collapse(prefixes):
        query |= prefix_q(field, prefix)
    return query


def collapse(prefixes: list[str]) -> list[str]:
    """Drop paths that lie inside another path of the list."""
    kept: list[str] = []
    for prefix in sorted(set(prefixes), key=len):
        if not any(prefix.startswith(outer) for outer in kept):
            kept.append(prefix)
    return kept
