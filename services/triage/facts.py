"""The facts triage reads, folded from a case's events up to a point in its history."""

from __future__ import annotations

from collections.abc import Iterable

from services.triage.models import CaseFacts
from shared.events.envelope import EventEnvelope
from shared.vocabulary import Tier

LOOKED_UP = frozenset({"reported_at", "earlier"})
"""Facts that are not fields of the report's payload."""


def facts_until(events: Iterable[EventEnvelope], *, sequence: int) -> CaseFacts | None:
    """The report's facts with every amendment up to ``sequence``; None if never reported."""
    facts: dict[str, object] | None = None
    for event in events:
        if event.sequence > sequence:
            break
        p = event.payload
        if event.event_type == "CaseReported":
            facts = {key: p.get(key) for key in CaseFacts.model_fields if key not in LOOKED_UP}
            facts["reported_at"] = event.occurred_at
        elif event.event_type == "CaseFactsAmended" and facts is not None:
            if p.get("description_addition"):
                facts["description"] = f"{facts['description']}\n{p['description_addition']}"
            for key in ("category", "parties_count", "amount_cny", "prior_reports"):
                if p.get(key) is not None:
                    facts[key] = p[key]
    return CaseFacts.model_validate(facts) if facts is not None else None


def tier_before(events: Iterable[EventEnvelope], *, sequence: int) -> Tier | None:
    tier: Tier | None = None
    for event in events:
        if event.sequence >= sequence:
            break
        if event.event_type in ("CaseTriaged", "TierOverridden"):
            tier = Tier(event.payload["tier"])
    return tier
