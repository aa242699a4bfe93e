"""Folding at triage time: the decision for a new report, its events, and the index kept.

A report folded by the rule gets ``ReportFolded`` before its ``CaseTriaged`` (so the ladder,
reading the report's stream up to its tier, never assigns it), and the incident's case gets
``DuplicateAttached`` naming the report and its 12345 work order, once this reactor meets the
``ReportFolded`` (the rule's or a supervisor's alike; ``ReportUnfolded`` detaches it). A
report graver than its incident raises the incident to the report's tier (``TierOverridden``
by the rule: a threat to life told by the fifth caller is not left at the grid). A doubtful
match gets ``DuplicateProposed``. Every append is keyed on the event it answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.triage.duplicates.decide import Decision, neighbourhood
from services.triage.duplicates.index import DuplicateIndex, Entry
from services.triage.duplicates.similarity import ReportSketch
from shared.api.masking import mask_free_text
from shared.cases.catalogue.duplicates import (
    RULE_ACTOR,
    DuplicateAttached,
    DuplicateDetached,
    DuplicateProposed,
    ReportFolded,
)
from shared.cases.catalogue.triage import TierOverridden
from shared.cases.party_keys import party_keys
from shared.events.envelope import EventEnvelope, new_event
from shared.events.payload import EventPayload
from shared.log.port import ANY_VERSION, EventLog
from shared.org.tree import OrgTree
from shared.times import as_utc
from shared.vocabulary import Tier

PRODUCER = "triage"
TIER_EVENTS = frozenset({"CaseTriaged", "TierOverridden"})
FINAL = frozenset({"CaseClosed", "CaseRejected"})
CLOSING = frozenset({"CaseResolved", "CaseClosed", "CaseRejected"})
TRACKED = CLOSING | {"CaseReopened", "ReportFolded", "ReportUnfolded", "DuplicateDismissed"}
"""Events that change whether a case is a candidate (an open incident) or a pending proposal."""


def report_text(payload: Mapping[str, Any]) -> str:
    """Title and description as reported, phone and ID numbers and party names masked."""
    names = [p.get("name", "") for p in payload.get("parties") or ()]
    return mask_free_text(f"{payload.get('title', '')}\n{payload.get('description', '')}", names)


def entry_of(
    reported: EventEnvelope, *, category: str | None, tree: OrgTree, secret: bytes
) -> Entry:
    """The report as the index keeps it, from its ``CaseReported`` and triaged category."""
    p = reported.payload
    unit = p.get("grid_unit_code") or p["unit_code"]
    return Entry(
        case_id=reported.case_id,
        case_number=p["number"],
        neighbourhood=neighbourhood(tree, unit),
        reported_at=as_utc(reported.occurred_at),
        sketch=ReportSketch(
            text=report_text(p),
            category=category,
            unit_code=unit,
            party_keys=party_keys(p.get("parties") or (), secret=secret),
        ),
    )


def decision_events(decision: Decision) -> list[EventPayload]:
    """What the report's own stream records of the decision (before its tier)."""
    if decision.case_id is None or decision.case_number is None or decision.score is None:
        return []
    if decision.kind == "fold":
        reason = f"the same incident as case {decision.case_number} (score {decision.score})"
        return [
            ReportFolded(
                into_case_id=decision.case_id,
                into_case_number=decision.case_number,
                score=decision.score,
                by=RULE_ACTOR,
                reason=reason,
            )
        ]
    if decision.kind == "propose":
        return [
            DuplicateProposed(
                candidate_case_id=decision.case_id,
                candidate_case_number=decision.case_number,
                score=decision.score,
            )
        ]
    return []


def attached(report: EventEnvelope, *, score: float | None, by: str) -> DuplicateAttached:
    """The incident's record of a report folded into it, from the report's ``CaseReported``."""
    p = report.payload
    return DuplicateAttached(
        report_case_id=report.case_id,
        report_case_number=p["number"],
        work_order_no=p.get("external_ref"),
        source=p.get("source", "rest"),
        score=score,
        by=by,
    )


def tier_of(stream: list[EventEnvelope]) -> Tier | None:
    """The case's tier now: its last triage or override."""
    tiers = [e.payload["tier"] for e in stream if e.event_type in TIER_EVENTS]
    return Tier(tiers[-1]) if tiers else None


def raised(report: list[EventEnvelope], incident: list[EventEnvelope]) -> TierOverridden | None:
    """The incident raised to its folded report's tier, if the report is graver (pure)."""
    mine, theirs = tier_of(report), tier_of(incident)
    if mine is None or theirs is None or mine.rank <= theirs.rank:
        return None
    if any(e.event_type in FINAL for e in incident):
        return None
    number = report[0].payload.get("number", report[0].case_id)
    return TierOverridden(
        tier=mine,
        previous_tier=theirs,
        reason=f"folded report {number} is {mine.value}",
        overridden_by=RULE_ACTOR,
    )


async def record_on(
    log: EventLog, case_id: str, payload: EventPayload, *, cause: EventEnvelope, key: str
) -> None:
    """Append one event to another case's stream, once per ``key``."""
    event = new_event(
        payload, case_id=case_id, producer=PRODUCER, causation=cause, idempotency_key=key
    )
    await log.append(case_id, [event], expected_version=ANY_VERSION, idempotency_key=key)


class IncidentNotTriaged(RuntimeError):
    """The incident's own tier is not recorded yet (triaged at the same instant elsewhere)."""


class Folding:
    def __init__(
        self, *, log: EventLog, index: DuplicateIndex, tree: OrgTree, secret: bytes
    ) -> None:
        self._log = log
        self._index = index
        self._tree = tree
        self._secret = secret  # the parties' keyed hashes (FQ_PARTY_KEY_SECRET)

    async def decide(self, reported: EventEnvelope, *, category: str | None) -> Decision:
        entry = entry_of(reported, category=category, tree=self._tree, secret=self._secret)
        return await self._index.decide(entry)

    async def track(self, event: EventEnvelope) -> None:
        """Keep the index's open incidents current as cases close, reopen, fold, unfold."""
        kind = event.event_type
        if kind in CLOSING:
            await self._index.mark(event.case_id, open=False)
        elif kind == "CaseReopened":
            await self._index.reopen(event.case_id)
        elif kind == "ReportFolded":
            await self._folded(event)
        elif kind == "DuplicateDismissed":
            await self._index.dismissed(event.case_id, event.payload["candidate_case_id"])
        elif kind == "ReportUnfolded":
            await self._index.mark(event.case_id, open=True, decision="unfolded")
            p = event.payload
            detached = DuplicateDetached(
                report_case_id=event.case_id, by=p["by"], reason=p["reason"]
            )
            key = f"unfold:{event.event_id}"
            await record_on(self._log, p["from_case_id"], detached, cause=event, key=key)

    async def _folded(self, event: EventEnvelope) -> None:
        """Mark the report folded and tell the incident's case (its caller is answered from
        there), whether the rule or a supervisor folded it."""
        p = event.payload
        await self._index.mark(
            event.case_id,
            open=False,
            decision="fold",
            decided_case_id=p["into_case_id"],
            decided_case_number=p["into_case_number"],
            score=p.get("score"),
        )
        # The whole stream: a report folded by the rule gets its tier after ReportFolded.
        stream = await self._log.read_stream(event.case_id)
        reported = next((e for e in stream if e.event_type == "CaseReported"), None)
        if reported is None:
            return
        payload = attached(reported, score=p.get("score"), by=p["by"])
        key = f"fold:{event.event_id}"
        await record_on(self._log, p["into_case_id"], payload, cause=event, key=key)
        incident = await self._log.read_stream(p["into_case_id"])
        if tier_of(incident) is None:
            raise IncidentNotTriaged(p["into_case_id"])  # retried: its tier is on its way
        graver = raised(stream, incident)
        if graver is not None:
            key = f"fold-tier:{event.event_id}"
            await record_on(self._log, p["into_case_id"], graver, cause=event, key=key)
