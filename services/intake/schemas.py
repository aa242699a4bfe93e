"""Request and response bodies of the intake API (v1)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.intake.events import Party, Source
from shared.api.body import ClosedBody
from shared.vocabulary import Category

EXAMPLE_REPORT: dict[str, Any] = {
    "title": "邻居装修噪音纠纷",
    "description": "楼上住户连续一周夜间装修，噪音很大，双方多次争吵。",
    "unit_code": "330681106001001",
    "parties": [{"name": "张三", "phone": "0575-87012345", "role": "applicant"}],  # example
    "parties_count": 2,
    "source": "rest",
}


class CaseReportIn(ClosedBody):
    """A dispute or complaint as reported by a client system."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_REPORT]})

    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=10_000)
    unit_code: str = Field(
        pattern=r"^[0-9]{6}([0-9]{6}([0-9]{3}([0-9]{3})?)?)?$",
        description="Where it happened: a unit code (grid, village, ...; micro-grids fold in)",
    )
    category: Category | None = None
    parties: list[Party] = Field(default_factory=list, max_length=200)
    parties_count: int | None = Field(default=None, ge=1, le=100_000)
    amount_cny: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    prior_reports: int | None = Field(default=None, ge=0, le=1000)
    source: Source = Source.REST
    external_ref: str | None = Field(default=None, max_length=100)


class PartyOut(BaseModel):
    name: str
    phone: str | None = None
    id_number: str | None = None
    role: str


class CaseOut(BaseModel):
    id: str
    number: str
    status: str
    title: str
    description: str
    tier: str | None
    category: str | None
    level: str | None
    unit_code: str
    holder_unit_code: str | None
    deadline_at: datetime | None
    source: str
    external_ref: str | None
    parties: list[PartyOut]
    parties_count: int | None
    amount_cny: Decimal | None
    prior_reports: int | None
    reported_at: datetime
    updated_at: datetime
    version: int
    rejection_reason: str | None = None
    order_id: str | None = None
    acknowledged: bool | None = None
    paused: bool = False
    paused_seconds: float = 0
    overdue_levels: list[str] = Field(default_factory=list)
    supervision_count: int = 0
    ladder_version: str | None = None
    """The ladder configuration that produced ``deadline_at``."""
    ruleset_version: str | None = None
    """The triage rule set that produced ``tier`` at this assignment (None: set by a person)."""
    warned: bool = False
    """A pre-breach warning (预警) was issued at this level."""
    chase_notices: int = 0
    extension_pending: dict[str, Any] | None = None
    extensions_approved: int = 0
    bounce_back: dict[str, Any] | None = None
    """A bounce-back (退单) awaiting the county centre's decision."""
    resolution: dict[str, Any] | None = None
    follow_up_due_at: datetime | None = None
    follow_up_overdue: bool = False
    reopened: int = 0


class CasePage(BaseModel):
    items: list[CaseOut]
    next_cursor: str | None


class EventOut(BaseModel):
    event_id: str
    type: str
    version: int
    sequence: int
    occurred_at: datetime
    recorded_at: datetime | None
    causation_id: str | None
    correlation_id: str
    producer: str
    payload: dict[str, Any]


class FactsAmendmentIn(ClosedBody):
    """New facts about a reported case; triage runs again on them."""

    description_addition: str | None = Field(default=None, min_length=1, max_length=10_000)
    category: Category | None = None
    parties_count: int | None = Field(default=None, ge=1, le=100_000)
    amount_cny: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    prior_reports: int | None = Field(default=None, ge=0, le=1000)
