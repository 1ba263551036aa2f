"""Personal data of the people in the registry (Decree 13/2023/NĐ-CP): masking for pages and
the API, and the log of each view and export of a personal list.

Who sees what is decided in ``duan8.core.access`` (``sees_personal_data``,
``may_export_personal_data``); this module applies it and keeps the log.
"""

from __future__ import annotations

from typing import Any

from duan8.core import audit

MASK = "•"
SHOWN_DIGITS = 3


def _mask(value: str, shown: int = SHOWN_DIGITS) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) <= shown:
        return MASK * len(value)
    return MASK * (len(value) - shown) + value[-shown:]


def mask_citizen_id(value: str | None) -> str:
    """A CCCD with all but its last three digits hidden: ``•••••••••789``."""
    return _mask(value or "")


def mask_phone(value: str | None) -> str:
    """A phone number with all but its last three digits hidden: ``•••••••678``."""
    return _mask(value or "")


def shown_citizen_id(value: str | None, clear: bool) -> str:
    return (value or "") if clear else mask_citizen_id(value)


def shown_phone(value: str | None, clear: bool) -> str:
    return (value or "") if clear else mask_phone(value)


def record_access(
    user: Any, unit: Any, what: str, purpose: str = "", count: int = 0, source: str = ""
):
    """Log that ``user`` viewed or exported ``count`` persons of ``unit`` (``what``: list,
    detail, export or api) for ``purpose``. ``source`` defaults to the entry point of the
    current request (web, api, cli)."""
    from duan8.maternal.models import PersonalDataAccess

    ctx = audit.current()
    actor = user if getattr(user, "is_authenticated", False) else None
    label = actor.get_username() if actor is not None else (ctx.label or ctx.source)
    return PersonalDataAccess.objects.create(
        user=actor,
        user_label=label[:150],
        unit=unit,
        unit_path=getattr(unit, "path", "") or "",
        what=what,
        purpose=(purpose or "").strip()[:300],
        count=max(int(count or 0), 0),
        source=(source or ctx.source)[:10],
        ip=ctx.ip,
    )
