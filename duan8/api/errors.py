"""The API's error answers, in the client's language: Vietnamese, or English when the request
asks for it (``Accept-Language: en``; Django's ``LocaleMiddleware`` picks the language for the
API as for the pages).

Every error answers ``{"detail": "..."}``. Input the API cannot take (422) adds ``errors``: one
entry per problem with its place (``loc``: where, then the field's path), the reason in words
(``msg``, ours rather than pydantic's English) and its kind (``type``, pydantic's code, which
clients may test). A record the rules refuse (422 too) names its fields in ``errors`` instead.

Operations document what their own code answers (``answers(UnitOut, 403, 404)``); what Ninja
itself answers for every operation (401 without a token, 422 for input it cannot read, 400 for
a body that is not JSON) is added to the OpenAPI description by ``describe``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema

from duan8.api.schemas import Message
from duan8.core.formatting import format_amount


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class Invalid(Schema):
    """Input refused: ``errors`` is a list of fields (the request could not be read) or, for a
    record the rules refuse, the messages of each field by name."""

    detail: str
    errors: list[FieldError] | dict[str, list[str]] | None = None


ERROR_SCHEMAS: dict[int, type[Schema]] = {
    400: Message,
    401: Message,
    403: Message,
    404: Message,
    409: Message,
    412: Message,
    422: Invalid,
    428: Message,
}


def answers(ok: Any, *errors: int) -> dict[int, Any]:
    """An operation's ``response=``: its answer (a schema for 200, or a mapping of success
    statuses) and the error statuses its own code gives, each with its body."""
    found = dict(ok) if isinstance(ok, dict) else {200: ok}
    for status in errors:
        found.setdefault(status, ERROR_SCHEMAS[status])
    return found


# Why a value is refused, by pydantic's error type; %(name)s are taken from the error's context.
_REASONS = {
    "missing": gettext_lazy("This field is required."),
    "extra_forbidden": gettext_lazy("This field is not expected."),
    "json_invalid": gettext_lazy("This is not valid JSON."),
    "model_type": gettext_lazy("Send a JSON object."),
    "model_attributes_type": gettext_lazy("Send a JSON object."),
    "dict_type": gettext_lazy("Send a JSON object."),
    "list_type": gettext_lazy("Send a list."),
    "tuple_type": gettext_lazy("Send a list."),
    "set_type": gettext_lazy("Send a list."),
    "iterable_type": gettext_lazy("Send a list."),
    "string_type": gettext_lazy("Send text."),
    "string_unicode": gettext_lazy("Send text."),
    "string_too_short": gettext_lazy("Too short: write at least %(min_length)s characters."),
    "string_too_long": gettext_lazy("Too long: write at most %(max_length)s characters."),
    "string_pattern_mismatch": gettext_lazy("This value is not written the expected way."),
    "too_short": gettext_lazy("Too few items: send at least %(min_length)s."),
    "too_long": gettext_lazy("Too many items: send at most %(max_length)s."),
    "int_type": gettext_lazy("Enter a whole number."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "int_parsing_size": gettext_lazy("The number is too large."),
    "float_type": gettext_lazy("Enter a number."),
    "float_parsing": gettext_lazy("Enter a number."),
    "decimal_type": gettext_lazy("Enter a number."),
    "decimal_parsing": gettext_lazy("Enter a number."),
    "finite_number": gettext_lazy("Enter a number."),
    "decimal_max_digits": gettext_lazy("Write at most %(max_digits)s digits."),
    "decimal_max_places": gettext_lazy("Write at most %(decimal_places)s decimal places."),
    "decimal_whole_digits": gettext_lazy(
        "Write at most %(whole_digits)s digits before the decimal point."
    ),
    "greater_than": gettext_lazy("Must be greater than %(gt)s."),
    "greater_than_equal": gettext_lazy("Must be %(ge)s or more."),
    "less_than": gettext_lazy("Must be less than %(lt)s."),
    "less_than_equal": gettext_lazy("Must be %(le)s or less."),
    "multiple_of": gettext_lazy("Must be a multiple of %(multiple_of)s."),
    "bool_type": gettext_lazy("Enter true or false."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "enum": gettext_lazy("Choose one of: %(expected)s."),
    "literal_error": gettext_lazy("Choose one of: %(expected)s."),
    "date_type": gettext_lazy("Enter a date as yyyy-mm-dd."),
    "date_parsing": gettext_lazy("Enter a date as yyyy-mm-dd."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date as yyyy-mm-dd."),
    "date_from_datetime_inexact": gettext_lazy("Enter a date as yyyy-mm-dd."),
    "datetime_type": gettext_lazy("Enter a date and time as yyyy-mm-ddThh:mm."),
    "datetime_parsing": gettext_lazy("Enter a date and time as yyyy-mm-ddThh:mm."),
    "datetime_from_date_parsing": gettext_lazy("Enter a date and time as yyyy-mm-ddThh:mm."),
    "none_required": gettext_lazy("Leave this field empty."),
}
_NOT_VALID = gettext_lazy("This value is not valid.")
# Fields whose written form has a name, said instead of their pattern.
_FORMS = {
    "period": gettext_lazy("Not a period: write 2024, 2024-H1, 2024-Q3, 2024-05 or 2021-2025."),
}
_CHOICES = re.compile(r"^\^\(([\w|-]+)\)\$$")  # a pattern that lists its words: ^(a|b|c)$
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def _figure(value: Any) -> Any:
    """Numbers of a limit written the Vietnamese way (1.000; 0,5); other values as they are."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return value
    return format_amount(value)


def reason(error: dict) -> str:
    """Why pydantic refused a value, in the active language."""
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and context.get("error"):
        return str(context["error"])  # our own validators' messages, already translated
    field = str((error.get("loc") or ("",))[-1])
    if kind == "string_pattern_mismatch":
        if field in _FORMS:
            return str(_FORMS[field])
        words = _CHOICES.match(str(context.get("pattern", "")))
        if words:
            return _("Choose one of: %(expected)s.") % {
                "expected": ", ".join(words.group(1).split("|"))
            }
    if kind in ("enum", "literal_error"):
        choices = _QUOTED.findall(str(context.get("expected", "")))
        context = {**context, "expected": ", ".join(choices) or context.get("expected", "")}
    template = _REASONS.get(kind)
    if template is None:
        return str(_NOT_VALID)
    try:
        return str(template) % {name: _figure(value) for name, value in context.items()}
    except (KeyError, TypeError, ValueError):
        return str(_NOT_VALID)


def explain(errors: list[dict]) -> list[dict]:
    """Ninja's list of refused values with each reason said in the active language (pydantic's
    own English words in ``ctx.error`` left out)."""
    explained = []
    for error in errors:
        item = {**error, "msg": reason(error)}
        context = {k: v for k, v in (error.get("ctx") or {}).items() if k != "error"}
        item.pop("ctx", None)
        if context:
            item["ctx"] = context
        explained.append(item)
    return explained


def _where(loc: list | tuple) -> str:
    """A field's name for a sentence: its path without the place and the handler's argument
    ("name" for ["body", "payload", "name"], "cells.0.value" for a value in a list, "body"
    for the whole body)."""
    if not loc:
        return ""
    parts = [str(part) for part in loc[1:]]
    if loc[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or str(loc[0])


def invalid_input(errors: list[dict]) -> dict:
    """The 422 answer to input the API cannot read: a sentence, and every field's reason."""
    explained = explain(errors)
    reasons = "; ".join(f"{_where(e.get('loc', ()))}: {e['msg']}" for e in explained[:5])
    detail = _("The request is not valid: %(reasons)s") % {"reasons": reasons}
    return {"detail": detail, "errors": explained}


# Ninja's own English answers, said in the active language.
_NINJA = {
    "Cannot parse request body": gettext_lazy("The request body is not valid JSON."),
    "Unauthorized": gettext_lazy("A valid API token is required."),
    "Forbidden": gettext_lazy("You may not do this here."),
}


def http_error_detail(message: str) -> str:
    """The detail of an ``HttpError``: Ninja's English replaced, ours (translated) kept."""
    known = _NINJA.get(message.split(" (")[0])
    return str(known) if known is not None else message


class DescribedNinjaAPI(NinjaAPI):
    """Ninja's API whose OpenAPI description lists the errors Ninja itself answers, and shows
    an example of each request body (``duan8.api.examples``)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        from duan8.api import examples

        found = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return examples.add(describe(found), self)


def describe(schema: dict) -> dict:
    """Add to every operation of an OpenAPI description the answers Ninja gives for it
    whatever its code does: 401 when it needs a token, 400 when it reads a JSON body, 422 when
    it takes any input."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (Message, Invalid):
        _add_component(components, model)
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = []
            if operation.get("security"):
                statuses.append(401)
            body = operation.get("requestBody", {}).get("content", {})
            if "application/json" in body:
                statuses.append(400)
            if operation.get("parameters") or body:
                statuses.append(422)
            responses = operation["responses"]
            for status in statuses:
                if status in responses or str(status) in responses:
                    continue
                model = ERROR_SCHEMAS[status]
                responses[status] = {
                    "description": _STATUS_TEXT[status],
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{model.__name__}"}
                        }
                    },
                }
    return schema


_STATUS_TEXT = {400: "Bad Request", 401: "Unauthorized", 422: "Unprocessable Content"}


def _add_component(components: dict, model: type[Schema]) -> None:
    found = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in found.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components.setdefault(model.__name__, found)
