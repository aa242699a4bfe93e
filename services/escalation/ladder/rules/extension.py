"""Extension (延期): asked before the level's deadline, approved or refused by the level
above (RULES.md §3b); an approval moves the deadline and re-plans the warning (预警).

At most ``extensions_per_level`` approved extensions per level; a request after the deadline,
while another is pending, not later than the current deadline, or further than
``extension_max_factor`` time limits past it is refused.
"""

from __future__ import annotations

from services.escalation.ladder.commands import DecideExtension, RequestExtension
from services.escalation.ladder.context import (
    Context,
    Refused,
    check_assigned,
    serial,
    timer_id,
    unit_above,
)
from services.escalation.ladder.rules.warning import warning_timers
from services.escalation.ladder.state import LadderState, PendingExtension
from shared.cases.catalogue.escalation import TimerRequest
from shared.cases.catalogue.escalation_requests import (
    ExtensionApproved,
    ExtensionRefused,
    ExtensionRequested,
)
from shared.events.payload import EventPayload
from shared.org.levels import Level


def check_extension_allowed(state: LadderState, command: RequestExtension, ctx: Context) -> None:
    level = check_assigned(state)
    if state.paused or state.deadline_at is None:
        raise Refused("clock-paused", "the clock is paused: resume it before asking for time")
    if state.bounce_back is not None:
        raise Refused(
            "bounce-back-pending", "the order is bounced back (退单), awaiting arbitration"
        )
    if ctx.now >= state.deadline_at:
        raise Refused("deadline-passed", "an extension (延期) must be asked before the deadline")
    if state.pending_extension is not None:
        raise Refused("extension-pending", "an extension request is already awaiting a decision")
    if state.extensions_approved >= ctx.settings.extensions_per_level:
        raise Refused(
            "extension-limit",
            f"at most {ctx.settings.extensions_per_level} approved extension(s) per level; "
            f"the {level} level has had {state.extensions_approved}",
        )
    if not command.reason.strip():
        raise Refused("reason-required", "an extension needs a reason")
    if command.deadline_at <= state.deadline_at:
        raise Refused("not-later", "the requested deadline is not later than the current one")
    days = ctx.settings.limit_days[level] * ctx.settings.extension_max_factor
    furthest = ctx.calendar.add_days(state.deadline_at, days)
    if command.deadline_at > furthest:
        raise Refused(
            "extension-too-long",
            f"an extension at the {level} level may move the deadline to {furthest.isoformat()} "
            "at the latest",
        )


def request_extension(
    command: RequestExtension, state: LadderState, ctx: Context
) -> list[EventPayload]:
    check_extension_allowed(state, command, ctx)
    assert state.level is not None and state.deadline_at is not None
    approver = unit_above(state.level, command.unit_path) or state.unit_code or ""
    return [
        ExtensionRequested(
            request_id=f"{state.case_id}.{state.assignment}.ext{state.extension_requests + 1}",
            level=state.level,
            unit_code=state.unit_code or "",
            approver_unit_code=approver,
            reason=command.reason,
            current_deadline_at=state.deadline_at,
            requested_deadline_at=command.deadline_at,
            requested_at=ctx.now,
            by=command.by,
        )
    ]


def _pending(state: LadderState, request_id: str) -> tuple[Level, PendingExtension]:
    level = check_assigned(state)
    pending = state.pending_extension
    if pending is None or pending.request_id != request_id:
        raise Refused("no-such-request", "no extension request with this id awaits a decision")
    return level, pending


def decide_extension(
    command: DecideExtension, state: LadderState, ctx: Context
) -> list[EventPayload]:
    level, pending = _pending(state, command.request_id)
    if not command.approve:
        if not command.reason.strip():
            raise Refused("reason-required", "a refusal needs a reason")
        return [
            ExtensionRefused(
                request_id=pending.request_id,
                level=level,
                unit_code=state.unit_code or "",
                reason=command.reason,
                refused_at=ctx.now,
                by=command.by,
            )
        ]
    return [_approved(state, level, pending, command, ctx)]


def _approved(
    state: LadderState,
    level: Level,
    pending: PendingExtension,
    command: DecideExtension,
    ctx: Context,
) -> ExtensionApproved:
    deadline = pending.requested_deadline_at
    kind = "supervision" if state.supervision_count else "deadline"
    number = serial(state)
    timers = [
        TimerRequest(
            timer_id=timer_id(state.case_id, kind, state.assignment, number),
            kind=kind,
            due_at=deadline,
        )
    ]
    if not state.warned:
        timers.extend(
            warning_timers(state.case_id, state.assignment, number + 1, ctx.now, deadline, ctx)
        )
    return ExtensionApproved(
        request_id=pending.request_id,
        level=level,
        unit_code=state.unit_code or "",
        previous_deadline_at=state.deadline_at or deadline,
        deadline_at=deadline,
        approved_at=ctx.now,
        by=command.by,
        ladder_version=ctx.settings.version,
        timers=tuple(timers),
    )
