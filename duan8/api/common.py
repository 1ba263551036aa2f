"""Types shared by the API's routers."""

from typing import Annotated

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from duan8.core.access import MAX_ID

# Ids and offsets beyond what the databases store are refused as bad input, not overflowed.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Pagination(LimitOffsetPagination):
    """?limit= (1–1000, default 100) and ?offset= (from 0)."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000)
        offset: int = Field(0, ge=0, le=2**31)

    def __init__(self, **kwargs):
        super().__init__(max_limit=1000, **kwargs)
