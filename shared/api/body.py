"""Request bodies that refuse unknown members, cheaply even when there are very many.

Pydantic's ``extra="forbid"`` makes one error per unknown member; a body at the size limit
can carry tens of thousands of them, and building those errors held the event loop for a
third of a second. A body with more unknown members than a 422 lists is refused with one
error that counts them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from shared.api.problems import MAX_LISTED_ERRORS


class ClosedBody(BaseModel):
    """A request body (or a part of one) that admits only its declared members."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _few_unknown_members(cls, data: Any) -> Any:
        if isinstance(data, dict) and len(data) > len(cls.model_fields) + MAX_LISTED_ERRORS:
            known = set(cls.model_fields) | {
                f.alias for f in cls.model_fields.values() if f.alias is not None
            }
            unknown = sum(1 for name in data if name not in known)
            if unknown > MAX_LISTED_ERRORS:
                raise PydanticCustomError(
                    "extra_forbidden",
                    "{count} members are not allowed here",
                    {"count": unknown},
                )
        return data
