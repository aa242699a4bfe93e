"""Triage as a reactor: each report or amendment of facts gets a ``CaseTriaged`` event.

The event's idempotency key derives from the event it answers, so a redelivered report
produces nothing new. The facts carry the earlier cases the history read model holds of the
same parties or grid (``history``), for the ``repeat`` rule.
"""

from __future__ import annotations

from services.triage.domain import classify
from services.triage.facts import facts_until, tier_before
from services.triage.history.queries import HistoryLookup
from services.triage.matcher import Matcher
from services.triage.ruleset import RuleSet
from shared.cases.catalogue.triage import CaseTriaged
from shared.events.envelope import EventEnvelope, new_event
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
    ) -> None:
        self._log = log
        self._ruleset = ruleset
        self._matcher = matcher
        self._history = history

    def wants(self, event: EventEnvelope) -> bool:
        return event.event_type in TRIGGERS

    async def react(self, event: EventEnvelope) -> None:
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
        key = f"triage:{event.event_id}"
        triaged = new_event(
            payload, case_id=event.case_id, producer=PRODUCER, causation=event, idempotency_key=key
        )
        await self._log.append(event.case_id, [triaged], idempotency_key=key)
