"""A case and an event as every service serves them (v1 response bodies)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field


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
    folded_into: str | None = None
    """The case this report is folded into (合并工单): it runs no clock of its own."""
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
