"""The ladder state of one case, folded from its events (``evolve``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.org.levels import Level
from shared.vocabulary import Tier


@dataclass(frozen=True)
class PendingExtension:
    request_id: str
    requested_deadline_at: datetime


@dataclass(frozen=True)
class PendingBounceBack:
    order_id: str
    bounced_at: datetime
    arbitration_due_at: datetime


@dataclass(frozen=True)
class LadderState:
    case_id: str
    tier: Tier | None = None
    level: Level | None = None
    unit_code: str | None = None
    assignment: int = 0
    order_id: str | None = None
    deadline_at: datetime | None = None
    ack_due_at: datetime | None = None
    acknowledged: bool = False
    live_timers: frozenset[str] = frozenset()
    paused_at: datetime | None = None
    remaining_seconds: float | None = None
    paused_seconds: float = 0.0
    resumes: int = 0
    failed_attempts: int = 0
    overdue_levels: tuple[Level, ...] = ()
    supervision_count: int = 0
    closed: bool = False
    """The ladder has stopped: resolved, closed or rejected."""
    resolved_level: Level | None = None
    follow_up_due_at: datetime | None = None
    follow_up_overdue: bool = False
    finished: bool = False
    """Closed (结案) or rejected: nothing more can happen to the case."""
    assigned_at: datetime | None = None
    ladder_version: str = ""
    ruleset_version: str | None = None
    """The triage rule set that produced the current tier (None: set by a person)."""
    planned: int = 0
    """Timers planned at the current assignment: the serial of the next one."""
    warning_due_at: datetime | None = None
    warned: bool = False
    last_progress_at: datetime | None = None
    extension_requests: int = 0
    extensions_approved: int = 0
    pending_extension: PendingExtension | None = None
    bounce_back: PendingBounceBack | None = None
    folded_into: str | None = None
    """Folded into another case of the same incident (合并工单): no clock, no order."""

    @property
    def assigned(self) -> bool:
        return self.level is not None

    @property
    def paused(self) -> bool:
        return self.paused_at is not None
