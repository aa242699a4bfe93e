"""Response bodies of the measures read models: measures and work queues."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class Durations(BaseModel):
    count: int
    p50_seconds: float | None
    p90_seconds: float | None


class PracticeMeasures(BaseModel):
    warnings: int = Field(description="Pre-breach warnings (预警) issued")
    extensions_requested: int = Field(description="延期 requested")
    extensions_approved: int
    extensions_refused: int
    bounce_backs: int = Field(description="退单 by a unit")
    bounce_backs_confirmed: int = Field(description="The centre kept the case at the unit")
    bounce_backs_reassigned: int = Field(description="The centre moved the case")
    bounce_backs_lapsed: int = Field(description="Not decided within the arbitration window")
    bounce_back_lost_seconds: float = Field(
        description="Time from bounce-back to a confirming decision, counted against the unit"
    )
    chase_notices: int = Field(description="催办 issued")


class Measures(BaseModel):
    cases: int = Field(
        description="Incidents reported in the window: a report folded into another case "
        "(合并工单) is not counted again (rejected ones excluded)"
    )
    reports: int = Field(
        default=0, description="Reports in the window, each folded report counted too"
    )
    resolved: int = Field(description="Of them, resolved or closed now")
    closed: int
    reopened: int = Field(description="Cases reopened at least once")
    resolved_by_level: dict[str, int]
    resolved_share_by_level: dict[str, float | None]
    within_village_rate: float | None = Field(description="小事不出村: at grid or village")
    within_township_rate: float | None = Field(
        description="大事不出镇: resolved at or below township"
    )
    mediation_success_rate: float | None = Field(description="调解成功 / resolved, not withdrawn")
    assignments: int = Field(description="Dispatch orders (one per assignment to a level)")
    overdue_assignments: int
    overdue_rate: float | None
    overdue_rate_by_level: dict[str, float | None]
    time_to_acknowledge: Durations
    time_to_resolve: Durations
    follow_ups: int
    satisfied_follow_ups: int
    satisfaction_rate: float | None
    follow_ups_overdue: int = Field(description="Cases whose follow-up visit became overdue")
    supervisions: int = Field(description="督办 raised")
    supervised_cases: int
    practice: PracticeMeasures = Field(
        description="RULES.md §3b per dispatch order, counted at the order's level and unit"
    )


class GroupMeasures(Measures):
    key: str | None


class StatsOut(BaseModel):
    reported_from: datetime | None
    reported_to: datetime | None
    unit: str | None
    group_by: str | None
    total: Measures
    groups: list[GroupMeasures]


class QueueItemOut(BaseModel):
    case_id: str
    number: str
    status: str
    step: str = Field(description="acknowledge, mediate or follow_up (回访)")
    bucket: str = Field(description="overdue, due_soon or open")
    tier: str | None
    level: str | None
    category: str | None = Field(default=None, description="The case's category, once triaged")
    due_at: datetime | None
    deadline_at: datetime | None
    ack_due_at: datetime | None
    acknowledged: bool
    paused: bool
    follow_up_due_at: datetime | None


class QueueCounts(BaseModel):
    open: int
    due_soon: int
    overdue: int


class QueueOut(BaseModel):
    unit_code: str
    now: datetime
    due_soon_hours: float
    counts: QueueCounts = Field(description="Over the unit's whole queue")
    total: int = Field(description="Items matching the filters, over every page")
    limit: int
    offset: int
    items: list[QueueItemOut] = Field(description="One page, soonest due first")
