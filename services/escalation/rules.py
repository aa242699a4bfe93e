"""The ladder's invariants and shared rules: refusals, timer ids, levels, assignments.

Invariants are ``check_*`` functions raising ``Refused`` with a reason a handler can read.
Nothing here reads a clock or does I/O: ``now`` is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.escalation.calendar import BusinessCalendar
from services.escalation.commands import UnitPath
from services.escalation.config import LadderSettings
from services.escalation.state import LadderState
from shared.cases.catalogue.escalation import CaseAssigned, SupervisionRaised, TimerRequest
from shared.org.levels import Level
from shared.vocabulary import Tier


class Refused(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Context:
    now: datetime
    settings: LadderSettings
    calendar: BusinessCalendar


def timer_id(case_id: str, kind: str, assignment: int, serial: int = 0) -> str:
    return f"{case_id}|{kind}|{assignment}|{serial}"


def case_of_order(order_id: str) -> str:
    """Dispatch order ids are ``<case id>.<assignment number>``."""
    return order_id.rpartition(".")[0]


def timer_kind(timer: str) -> str:
    return timer.split("|")[1]


# -- invariants ----------------------------------------------------------------------------


def check_assigned(state: LadderState) -> Level:
    if state.resolved_level is not None and not state.finished:
        raise Refused("resolved", "the case is resolved; its follow-up visit (回访) comes next")
    if state.closed:
        raise Refused("closed", "the case is closed")
    if state.level is None:
        raise Refused("not-assigned", "the case is not assigned to a level yet")
    return state.level


def check_below_county(level: Level) -> Level:
    parent = level.parent_level
    if parent is None:
        raise Refused("county-is-last", "the county never escalates further (县级兜底)")
    return parent


def check_failed_attempts(state: LadderState, needed: int) -> None:
    if state.failed_attempts < needed:
        raise Refused(
            "not-enough-attempts",
            f"early escalation needs {needed} failed mediation attempts at the "
            f"{state.level} level (三三调处); {state.failed_attempts} recorded",
        )


# -- helpers -------------------------------------------------------------------------------


def start_level(tier: Tier, path: UnitPath, settings: LadderSettings) -> Level:
    """The tier's starting level, or the nearest level above it the case has a unit at."""
    level: Level | None = settings.start_level[tier]
    while level is not None and level not in path:
        level = level.parent_level
    if level is None:
        raise Refused("no-unit", "the case has no unit at or above its starting level")
    return level


def next_level(level: Level, path: UnitPath) -> Level:
    parent: Level | None = check_below_county(level)
    while parent is not None and parent not in path:
        parent = parent.parent_level
    if parent is None:
        raise Refused("no-unit", f"the case has no unit above the {level} level")
    return parent


def assign(
    state: LadderState,
    *,
    level: Level,
    path: UnitPath,
    tier: Tier,
    cause: str,
    at: datetime,
    ctx: Context,
) -> CaseAssigned:
    number = state.assignment + 1
    deadline = ctx.calendar.add_days(at, ctx.settings.limit_days[level])
    ack_due = at + timedelta(hours=ctx.settings.ack_hours[tier])
    return CaseAssigned(
        level=level,
        unit_code=path[level],
        tier=tier,
        assignment=number,
        order_id=f"{state.case_id}.{number}",
        assigned_at=at,
        deadline_at=deadline,
        ack_due_at=ack_due,
        ladder_version=ctx.settings.version,
        ruleset_version=state.ruleset_version,
        cause=cause,
        timers=(
            TimerRequest(
                timer_id=timer_id(state.case_id, "deadline", number),
                kind="deadline",
                due_at=deadline,
            ),
            TimerRequest(
                timer_id=timer_id(state.case_id, "ack", number), kind="ack", due_at=ack_due
            ),
            *warning_timers(state.case_id, number, 0, at, deadline, ctx),
        ),
    )


def warning_timers(
    case_id: str, assignment: int, serial: int, start: datetime, deadline: datetime, ctx: Context
) -> tuple[TimerRequest, ...]:
    """The pre-breach warning (预警) timer: ``warning_fraction`` of the countable time from
    ``start`` to ``deadline`` (none when disabled)."""
    fraction = ctx.settings.warning_fraction
    if fraction <= 0:
        return ()
    due = ctx.calendar.add(start, fraction * ctx.calendar.between(start, deadline))
    return (
        TimerRequest(
            timer_id=timer_id(case_id, "warning", assignment, serial), kind="warning", due_at=due
        ),
    )


def supervision(
    state: LadderState, *, count: int, due: datetime, ctx: Context
) -> SupervisionRaised:
    next_due = ctx.calendar.add_days(due, ctx.settings.limit_days[Level.COUNTY])
    timer = TimerRequest(
        timer_id=timer_id(state.case_id, "supervision", state.assignment, count),
        kind="supervision",
        due_at=next_due,
    )
    return SupervisionRaised(
        count=count, unit_code=state.unit_code or "", next_due_at=next_due, timers=(timer,)
    )
