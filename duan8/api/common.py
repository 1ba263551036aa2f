"""Types shared by the API's routers."""

import re
from typing import Annotated

from ninja import Field

from duan8.api import paging
from duan8.core.access import MAX_ID
from duan8.framework import periods

# A period code: 2024, 2024-H1, 2024-Q3, 2024-05 or 2021-2025.
PERIOD_PATTERN = r"^\d{4}(-H[12]|-Q[1-4]|-\d{2}|-\d{4}(-H1)?)?$"

# Ids and offsets beyond what the databases store are refused as bad input, not overflowed.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


# Every list pages by ?limit= with ?offset= or ?cursor= (see ``paging``).
Pagination = paging.Pagination


def parse_period(code: str) -> periods.Period:
    """A period from its code, or a 422 answer that says how to write one."""
    from django.utils.translation import gettext as _
    from ninja.errors import HttpError

    try:
        return periods.parse(code)
    except ValueError:
        raise HttpError(
            422, _("Not a period: write 2024, 2024-H1, 2024-Q3, 2024-05 or 2021-2025.")
        ) from None


VERSION_HELP = (
    "The record's version: the number of its latest change. A PATCH sends the version it read "
    "(here or in an If-Match header); a record changed since answers 409 with both values."
)


def expect_version(request, record, payload) -> dict:
    """The fields a PATCH sends, with the version it started from set on ``record``: the
    ``If-Match`` header or the body's ``version``; 428 when neither is sent."""
    from django.utils.translation import gettext as _
    from ninja.errors import HttpError

    sent = payload.dict(exclude_unset=True)
    version = sent.pop("version", None)
    header = request.headers.get("If-Match", "").strip()
    if version is None and header:
        text = header.removeprefix("W/").strip('"')
        if not re.fullmatch(r"[0-9]{1,18}", text):
            raise HttpError(412, _("If-Match must be the record's version, a whole number."))
        version = int(text)
    if version is None:
        raise HttpError(
            428,
            _(
                'Send the version of the record you read ("version" in the body or an '
                "If-Match header): a change made since then would otherwise be lost."
            ),
        )
    record.expected_version = version
    request.sent_values = sent
    return sent
