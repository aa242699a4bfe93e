"""The audit answer for a window: missed timers first, then the rest in due order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from pydantic import BaseModel

from services.escalation.audit.classify import Outcome, TimerRecord
from shared.percentiles import nearest_rank

ORDER: dict[Outcome, int] = {"missed": 0, "pending": 1, "fired": 2, "cancelled": 3}


class AuditedTimer(BaseModel):
    timer_id: str
    case_id: str
    kind: str
    due_at: datetime
    fired_at: datetime | None
    late_seconds: float | None
    outcome: Outcome
    ended_at: datetime | None
    """When the case moved on without this timer firing."""


class AuditSummary(BaseModel):
    due: int
    fired: int
    cancelled: int
    missed: int
    pending: int
    late_p50_seconds: float | None
    late_p99_seconds: float | None
    late_max_seconds: float | None


class TimerAudit(BaseModel):
    window_from: datetime
    window_to: datetime
    as_of: datetime
    summary: AuditSummary
    timers: list[AuditedTimer]
    truncated: bool
    """More timers were due than ``limit``: the summary counts them all, the list does not."""


def build_audit(
    records: Iterable[TimerRecord],
    *,
    window: tuple[datetime, datetime],
    now: datetime,
    grace: timedelta,
    limit: int,
) -> TimerAudit:
    start, end = window
    due = [r for r in records if start <= r.due_at < end]
    rows = [
        AuditedTimer(
            timer_id=r.timer_id,
            case_id=r.case_id,
            kind=r.kind,
            due_at=r.due_at,
            fired_at=r.fired_at,
            late_seconds=r.late_seconds,
            outcome=r.outcome(now, grace),
            ended_at=r.ended_at,
        )
        for r in due
    ]
    rows.sort(key=lambda t: (ORDER[t.outcome], t.due_at, t.timer_id))
    counts = Counter(t.outcome for t in rows)
    late = [t.late_seconds for t in rows if t.late_seconds is not None]
    summary = AuditSummary(
        due=len(rows),
        fired=counts["fired"],
        cancelled=counts["cancelled"],
        missed=counts["missed"],
        pending=counts["pending"],
        late_p50_seconds=nearest_rank(late, 50),
        late_p99_seconds=nearest_rank(late, 99),
        late_max_seconds=max(late) if late else None,
    )
    return TimerAudit(
        window_from=start,
        window_to=end,
        as_of=now,
        summary=summary,
        timers=rows[:limit],
        truncated=len(rows) > limit,
    )
