"""Triage as a reactor: each report or amendment of facts gets a ``CaseTriaged`` event.

The event's idempotency key derives from the event it answers, so a redelivered report
produces nothing new. A new report is first looked up among the open incidents near it
(docs/duplicates.md): folded by the rule, proposed to a person, or a case of its own. The
facts carry the earlier cases the history read model holds of the same parties or grid
(``history``), for the ``repeat`` rule.
"""

from __future__ import annotations

from services.triage.domain import classify
from services.triage.duplicates.folding import TRACKED, Folding, decision_events
from services.triage.facts import facts_until, tier_before
from services.triage.history.queries import HistoryLookup
from services.triage.matcher import Matcher
from services.triage.ruleset import RuleSet
from shared.cases.catalogue.triage import CaseTriaged
from shared.events.envelope import EventEnvelope, new_events
from shared.log.port import EventLog

PRODUCER = "triage"
TRIGGERS = frozenset({"CaseReported", "CaseFactsAmended"})


class TriageReactor:
    group = "triage"

    def __init__(
        self,
        *,
        log: EventLog,
        ruleset: RuleSet,
        matcher: Matcher,
        history: HistoryLookup | None = None,
        folding: Folding | None = None,
    ) -> None:
        self._log = log
        self._ruleset = ruleset
        self._matcher = matcher
        self._history = history
        self._folding = folding

    def wants(self, event: EventEnvelope) -> bool:
        kind = event.event_type
        return kind in TRIGGERS or (self._folding is not None and kind in TRACKED)

    async def react(self, event: EventEnvelope) -> None:
        if self._folding is not None and event.event_type in TRACKED:
            await self._folding.track(event)
            return
        if event.event_type not in TRIGGERS:
            return
        stream = await self._log.read_stream_until(event.case_id, until=event.sequence)
        facts = facts_until(stream, sequence=event.sequence)
        if facts is None:
            return
        if self._history is not None:
            facts = facts.model_copy(update={"earlier": await self._history.earlier(stream)})
        result = classify(facts, ruleset=self._ruleset, matcher=self._matcher)
        payload = CaseTriaged(
            tier=result.tier,
            category=result.category,
            category_triggers=result.category_triggers,
            rules=result.rules,
            ruleset_version=result.ruleset_version,
            previous_tier=tier_before(stream, sequence=event.sequence),
            explanation=result.explanation,
        )
        decision = None
        if self._folding is not None and event.event_type == "CaseReported":
            decision = await self._folding.decide(event, category=result.category.value)
        folded = decision_events(decision) if decision is not None else []
        key = f"triage:{event.event_id}"
        events = new_events(
            [*folded, payload],
            case_id=event.case_id,
            producer=PRODUCER,
            causation=event,
            idempotency_key=key,
            occurred_at=decision.decided_at if decision is not None else None,
        )
        await self._log.append(event.case_id, events, idempotency_key=key)
