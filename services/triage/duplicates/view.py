"""Whether a fold, unfold or dismissal may go ahead, from the cases' streams: pure.

A proposal to fold is pending until it is dismissed or the report is folded; nothing folds
into, or out of, a case that is resolved, closed or rejected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.api.problems import Problem
from shared.cases.folded import folded_into, folded_reports
from shared.events.envelope import EventEnvelope

__all__ = [
    "check_dismiss",
    "check_fold",
    "check_unfold",
    "folded_into",
    "folded_reports",
    "pending_proposals",
]

ENDED = frozenset({"CaseResolved", "CaseClosed", "CaseRejected"})
"""After these (and no reopening) a case is not worked any more: nothing folds into it."""


def pending_proposals(stream: Sequence[EventEnvelope]) -> list[dict[str, Any]]:
    if folded_into(stream) is not None:
        return []
    proposals: dict[str, dict[str, Any]] = {}
    for event in stream:
        if event.event_type == "DuplicateProposed":
            proposals[event.payload["candidate_case_id"]] = event.payload
        elif event.event_type == "DuplicateDismissed":
            proposals.pop(event.payload["candidate_case_id"], None)
    return list(proposals.values())


def has_ended(stream: Sequence[EventEnvelope]) -> bool:
    ended = False
    for event in stream:
        if event.event_type in ENDED:
            ended = True
        elif event.event_type == "CaseReopened":
            ended = False
    return ended


def _refuse(slug: str, detail: str) -> Problem:
    return Problem(status=409, slug=slug, title="Refused", detail=detail)


def check_fold(report: Sequence[EventEnvelope], incident: Sequence[EventEnvelope]) -> None:
    """Refuse (409) a fold the two cases' state does not allow."""
    report_id, incident_id = report[0].case_id, incident[0].case_id
    if report_id == incident_id:
        raise _refuse("same-case", "a case cannot be folded into itself")
    if folded_into(report) is not None:
        raise _refuse("already-folded", f"case {report_id} is folded already: unfold it first")
    if folded_reports(report):
        raise _refuse(
            "has-duplicates", f"reports are folded into case {report_id}: unfold them first"
        )
    if has_ended(report):
        raise _refuse("ended", f"case {report_id} is resolved, closed or rejected")
    if folded_into(incident) is not None:
        raise _refuse("folded-target", f"case {incident_id} is itself a folded report")
    if has_ended(incident):
        raise _refuse("ended", f"case {incident_id} is resolved, closed or rejected")


def check_unfold(report: Sequence[EventEnvelope]) -> dict[str, Any]:
    """The fold being undone, or 409 when the case is not folded."""
    current = folded_into(report)
    if current is None:
        raise _refuse("not-folded", f"case {report[0].case_id} is not folded into another")
    return current


def check_dismiss(report: Sequence[EventEnvelope], candidate_case_id: str) -> None:
    if not any(p["candidate_case_id"] == candidate_case_id for p in pending_proposals(report)):
        raise _refuse("no-proposal", f"no pending proposal to fold into {candidate_case_id}")
