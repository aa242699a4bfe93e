"""The ladder's table: which rule answers each command, and each timer when it comes due.

``decide(command, state, now=...) -> events``. The rules themselves are in ``rules/``, one
file each; nothing here reads a clock or does I/O: ``now`` is passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from services.escalation.config import LadderSettings
from services.escalation.ladder.calendar import BusinessCalendar
from services.escalation.ladder.commands import (
    AcknowledgeOrder,
    ApplyTierChange,
    AssignCase,
    BounceBack,
    Command,
    ConfirmBounceBack,
    DecideExtension,
    FireTimer,
    PauseClock,
    ReassignBounceBack,
    RecordAttempt,
    RecordFollowUp,
    RequestEarlyEscalation,
    RequestExtension,
    ResolveCase,
    ResumeClock,
)
from services.escalation.ladder.context import Context, Refused, timer_kind
from services.escalation.ladder.rules.acknowledgement import (
    acknowledge_order,
    acknowledgement_lapsed,
)
from services.escalation.ladder.rules.assignment import apply_tier_change, assign_case
from services.escalation.ladder.rules.attempts import record_attempt, request_early_escalation
from services.escalation.ladder.rules.bounce_back import (
    arbitration_lapsed,
    bounce_back,
    confirm_bounce_back,
    reassign_bounce_back,
)
from services.escalation.ladder.rules.chase import chase_idle_order
from services.escalation.ladder.rules.deadline import deadline_reached, supervision_due
from services.escalation.ladder.rules.extension import decide_extension, request_extension
from services.escalation.ladder.rules.pause import pause_clock, resume_clock
from services.escalation.ladder.rules.resolution import (
    follow_up_due,
    record_follow_up,
    resolve_case,
)
from services.escalation.ladder.rules.warning import warn_before_breach
from services.escalation.ladder.state import LadderState
from shared.events.payload import EventPayload

Rule = Callable[[Any, LadderState, Context], list[EventPayload]]

TIMERS: dict[str, Callable[[FireTimer, LadderState, Context], list[EventPayload]]] = {
    "deadline": deadline_reached,
    "supervision": supervision_due,
    "ack": acknowledgement_lapsed,
    "warning": warn_before_breach,
    "chase": chase_idle_order,
    "arbitration": arbitration_lapsed,
}
"""A live timer of the case's current assignment, by kind (the follow-up visit aside)."""


def fire_timer(command: FireTimer, state: LadderState, ctx: Context) -> list[EventPayload]:
    if state.folded_into is not None:
        return []  # a folded report runs no clock
    kind = timer_kind(command.timer_id)
    if kind == "follow_up":
        return follow_up_due(command, state, ctx)
    if state.closed or command.timer_id not in state.live_timers or state.level is None:
        return []  # stale: superseded by a pause, an escalation, an acknowledgement, ...
    return TIMERS.get(kind, deadline_reached)(command, state, ctx)


DECIDERS: dict[type[Any], Rule] = {
    AssignCase: assign_case,
    ApplyTierChange: apply_tier_change,
    FireTimer: fire_timer,
    RecordAttempt: record_attempt,
    RequestEarlyEscalation: request_early_escalation,
    PauseClock: pause_clock,
    ResumeClock: resume_clock,
    AcknowledgeOrder: acknowledge_order,
    ResolveCase: resolve_case,
    RecordFollowUp: record_follow_up,
    RequestExtension: request_extension,
    DecideExtension: decide_extension,
    BounceBack: bounce_back,
    ConfirmBounceBack: confirm_bounce_back,
    ReassignBounceBack: reassign_bounce_back,
}


QUIET_WHEN_FOLDED = (AssignCase, ApplyTierChange, FireTimer)
"""Commands a folded report answers with nothing; every other one is refused."""


def decide(
    command: Command,
    state: LadderState,
    *,
    now: datetime,
    settings: LadderSettings,
    calendar: BusinessCalendar,
) -> list[EventPayload]:
    if state.folded_into is not None and type(command) not in QUIET_WHEN_FOLDED:
        raise Refused(
            "folded",
            f"the report is folded into case {state.folded_into}: work that case, or unfold it",
        )
    return DECIDERS[type(command)](command, state, Context(now, settings, calendar))
