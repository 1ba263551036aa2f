import datetime

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field, model_validator

from duan8.api.common import VERSION_HELP


class Message(Schema):
    detail: str


class MembershipOut(Schema):
    unit_id: int
    unit_name: str
    role: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    is_national_admin: bool
    memberships: list[MembershipOut]


class UnitOut(Schema):
    id: int
    kind: str
    code: str
    name: str
    short_name: str
    parent_id: int | None
    depth: int
    valid_from: datetime.date
    valid_until: datetime.date | None


class UnitVersionedOut(UnitOut):
    """A unit with its version (the unit's own endpoints, where a PATCH may follow)."""

    version: int = Field(description=VERSION_HELP)

    @staticmethod
    def resolve_version(obj) -> int:
        from duan8.core import versions

        return versions.of_listed(obj)


class InputSchema(Schema):
    """Request bodies: a JSON object, nothing else (Ninja would read attributes off a list)."""

    @model_validator(mode="before")
    @classmethod
    def _must_be_an_object(cls, data):
        if not isinstance(getattr(data, "_obj", data), dict):
            raise ValueError(_("The request body must be a JSON object."))
        return data


class UnitPatch(InputSchema):
    version: int | None = Field(None, ge=0, le=2**62, description=VERSION_HELP)
    code: str | None = Field(None, max_length=16)
    name: str | None = Field(None, min_length=1, max_length=200)
    short_name: str | None = Field(None, min_length=1, max_length=120)
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None


class AuditEventOut(Schema):
    id: int
    at: datetime.datetime
    actor: str
    source: str
    ip: str | None
    action: str
    object_type: str
    object_id: str
    object_repr: str
    unit_id: int | None
    before: dict | None
    after: dict | None

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor_label

    @staticmethod
    def resolve_object_type(obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"
