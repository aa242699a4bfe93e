"""Run a ladder command against a case: read its stream, decide, append (optimistically)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.escalation.config import LadderSettings
from services.escalation.ladder.calendar import BusinessCalendar
from services.escalation.ladder.commands import Command, UnitPath
from services.escalation.ladder.decide import decide
from services.escalation.ladder.evolve import fold
from services.escalation.ladder.state import LadderState
from shared.cases.access import reported_unit
from shared.events.envelope import EventEnvelope, new_events
from shared.log.port import EventLog, VersionConflict
from shared.org.levels import Level
from shared.org.tree import OrgTree
from shared.runtime.clock import Clock

PRODUCER = "escalation"
CommandFactory = Callable[[LadderState, UnitPath], Command | None]


class CaseNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Ladder:
    """What running a command needs besides the case: log, tree, clock, rules."""

    log: EventLog
    tree: OrgTree
    clock: Clock
    settings: LadderSettings
    calendar: BusinessCalendar


def unit_path(stream: list[EventEnvelope], tree: OrgTree) -> tuple[str, dict[Level, str]]:
    """The case's unit and the units above it: where it was reported, or where the county
    centre last reassigned it after a bounce-back (退单)."""
    code = reported_unit(stream)
    if code is None:
        raise CaseNotFound(stream[0].case_id if stream else "?")
    moved = [e for e in stream if e.event_type == "BounceBackReassigned"]
    if moved:
        code = moved[-1].payload["to_unit_code"]
    return code, path_of(code, tree)


def path_of(code: str, tree: OrgTree) -> dict[Level, str]:
    return {level: unit.code for level, unit in tree.path(code).items()}


async def run_command(
    ladder: Ladder,
    *,
    case_id: str,
    make: CommandFactory,
    idempotency_key: str | None = None,
    causation: EventEnvelope | None = None,
    retries: int = 3,
) -> list[EventEnvelope]:
    """Decide on the latest state; a concurrent writer makes it re-read and decide again.

    With a cause from the case itself, the first decision is on the stream up to that cause
    (which the log may hold in memory): a later event refuses the append, and the next
    attempt reads the whole stream.
    """
    for attempt in range(retries + 1):
        stream = await _read_for(ladder.log, case_id, causation=causation, attempt=attempt)
        if not stream:
            raise CaseNotFound(case_id)
        _, path = unit_path(stream, ladder.tree)
        state = fold(case_id, stream)
        command = make(state, path)
        if command is None:
            return []
        payloads = decide(
            command,
            state,
            now=ladder.clock.now(),
            settings=ladder.settings,
            calendar=ladder.calendar,
        )
        if not payloads:
            return []
        cause = causation or stream[-1]
        events = new_events(
            payloads,
            case_id=case_id,
            producer=PRODUCER,
            causation=cause,
            idempotency_key=idempotency_key,
        )
        try:
            result = await ladder.log.append(
                case_id,
                events,
                expected_version=stream[-1].sequence,
                idempotency_key=idempotency_key,
            )
        except VersionConflict:
            if attempt == retries:
                raise
            continue
        return list(result.events)
    return []


async def _read_for(
    log: EventLog, case_id: str, *, causation: EventEnvelope | None, attempt: int
) -> list[EventEnvelope]:
    if attempt == 0 and causation is not None and causation.case_id == case_id:
        return await log.read_stream_until(case_id, until=causation.sequence)
    return await log.read_stream(case_id)
