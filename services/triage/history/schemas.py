"""What the party routes answer and take (``services/triage/parties_api.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from pydantic import BaseModel, Field, model_validator

from shared.api.body import ClosedBody
from shared.vocabulary import Category


class PartyCaseOut(BaseModel):
    case_id: str
    number: str
    unit_code: str
    category: Category | None
    reported_at: datetime


class PartyCasesOut(BaseModel):
    ref: str
    items: list[PartyCaseOut]
    next_cursor: str | None = None


class PartyRefsIn(ClosedBody):
    """A phone or ID number (or both) of one person, as a report would give them."""

    phone: str | None = Field(default=None, pattern=r"^\+?[0-9-]{5,20}$")
    id_number: str | None = Field(default=None, pattern=r"^[0-9]{15}([0-9]{2}[0-9Xx])?$")

    @model_validator(mode="after")
    def _one_at_least(self) -> Self:
        if not (self.phone or self.id_number):
            raise ValueError("give a phone or an ID number")
        return self


class PartyRefsOut(BaseModel):
    refs: list[str] = Field(description="One reference per number given: phone:… and id:…")
