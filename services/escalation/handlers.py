"""Escalation as a reactor: a tier (from triage or a person) assigns the case or moves it up;
a report unfolded from another case is assigned as a case of its own, with its own clock."""

from __future__ import annotations

from services.escalation.ladder.commands import ApplyTierChange, AssignCase, Command, UnitPath
from services.escalation.ladder.state import LadderState
from services.escalation.service import Ladder, run_command
from shared.events.envelope import EventEnvelope
from shared.vocabulary import Tier

TIER_EVENTS = frozenset({"CaseTriaged", "TierOverridden"})
TRIGGERS = TIER_EVENTS | {"ReportUnfolded"}


class EscalationReactor:
    group = "escalation"

    def __init__(self, *, ladder: Ladder) -> None:
        self._ladder = ladder

    def wants(self, event: EventEnvelope) -> bool:
        return event.event_type in TRIGGERS

    async def react(self, event: EventEnvelope) -> None:
        if event.event_type not in TRIGGERS:
            return
        given = event.payload.get("tier")

        def command(state: LadderState, path: UnitPath) -> Command | None:
            tier = Tier(given) if given is not None else state.tier
            if tier is None:
                return None  # unfolded before its tier was known: the tier will assign it
            if state.assigned:
                return ApplyTierChange(tier=tier, unit_path=path)
            return AssignCase(tier=tier, unit_path=path)

        await run_command(
            self._ladder,
            case_id=event.case_id,
            make=command,
            idempotency_key=f"escalation:{event.event_id}",
            causation=event,
        )
