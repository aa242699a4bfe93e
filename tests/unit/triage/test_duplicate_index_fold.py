"""The candidate index's row from a report's events: what the reactor wrote when it decided
(the decision of the triage append, at that append's time), then closing, reopening,
folding, unfolding and dismissal as the reactor tracks them, in their order."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from services.triage.duplicates.index_fold import Pending, State, evolve
from shared.cases.party_keys import party_keys
from shared.config import CommonSettings
from shared.events.envelope import EventEnvelope
from shared.org.loader import load_org_tree

SECRET = b"index-fold-test-secret-0123456789ab"
TREE = load_org_tree(CommonSettings().org_file)
AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
PARTY = {"name": "张三", "phone": "13812345678", "id_number": "330681199001011234"}
REPORTED = {
    "number": "330681-2026-000002",
    "unit_code": "330681001001001001",
    "grid_unit_code": "330681001001001",
    "title": "张三家的狗夜里叫",
    "description": "打电话13812345678没人接",
    "parties": [PARTY],
}
TRIAGE_KEY = "triage:report"
FOLDED = {"into_case_id": "c0", "into_case_number": "N-0", "score": 0.91, "by": "rule"}
PROPOSED = {"candidate_case_id": "c0", "candidate_case_number": "N-0", "score": 0.7}


def event(seq: int, kind: str, payload: dict[str, Any], **fields: Any) -> EventEnvelope:
    return EventEnvelope(
        event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"e{seq}"),
        event_type=kind,
        schema_version=1,
        case_id="c1",
        sequence=seq,
        occurred_at=fields.pop("occurred_at", AT + timedelta(minutes=seq)),
        correlation_id=uuid.uuid5(uuid.NAMESPACE_URL, "corr"),
        producer="test",
        payload=payload,
        **fields,
    )


REPORT = event(1, "CaseReported", REPORTED)
DECIDED_AT = AT + timedelta(minutes=10)


def decided(seq: int, kind: str, payload: dict[str, Any]) -> EventEnvelope:
    """An event of the triage append (caused by the report, keyed on it)."""
    return event(
        seq,
        kind,
        payload,
        occurred_at=DECIDED_AT,
        causation_id=REPORT.event_id,
        idempotency_key=TRIAGE_KEY,
    )


def triaged(seq: int) -> EventEnvelope:
    return decided(seq, "CaseTriaged", {"category": "neighbour", "tier": "grid"})


def folded(events: list[EventEnvelope]) -> State | None:
    state: State | None = None
    for item in events:
        state = evolve(state, item, tree=TREE, secret=SECRET)
    return state


def test_a_new_incident_is_an_open_candidate_with_masked_text_and_keyed_parties() -> None:
    row = folded([REPORT, triaged(2)])

    assert isinstance(row, dict)
    assert (row["decision"], row["open"], row["decided_case_id"], row["score"]) == (
        "new",
        True,
        None,
        None,
    )
    assert row["decided_at"] == DECIDED_AT and row["reported_at"] == REPORT.occurred_at
    assert row["category"] == "neighbour" and row["unit_code"] == "330681001001001"
    assert row["party_keys"] == sorted(party_keys([PARTY], secret=SECRET))
    assert "13812345678" not in str(row) and "330681199001011234" not in str(row)


def test_a_report_waits_for_its_triage_and_a_later_triage_changes_nothing() -> None:
    assert isinstance(folded([REPORT]), Pending)
    first = folded([REPORT, triaged(2)])
    again = folded([REPORT, triaged(2), event(3, "CaseTriaged", {"category": "labour"})])
    assert again == first


def test_the_rule_folds_and_proposes_in_the_triage_append() -> None:
    row = folded([REPORT, decided(2, "ReportFolded", FOLDED), triaged(3)])
    proposed = folded([REPORT, decided(2, "DuplicateProposed", PROPOSED), triaged(3)])

    assert isinstance(row, dict) and isinstance(proposed, dict)
    assert (row["decision"], row["open"], row["decided_case_id"], row["score"]) == (
        "fold",
        False,
        "c0",
        0.91,
    )
    assert (proposed["decision"], proposed["open"], proposed["score"]) == ("propose", True, 0.7)


def test_dismissal_unfolding_closing_and_reopening_as_the_reactor_tracks_them() -> None:
    proposed = [REPORT, decided(2, "DuplicateProposed", PROPOSED), triaged(3)]
    other = event(4, "DuplicateDismissed", {"candidate_case_id": "c9"})
    dismissed = event(5, "DuplicateDismissed", {"candidate_case_id": "c0"})
    by_hand = event(4, "ReportFolded", {**FOLDED, "by": "supervisor-1", "score": 0.7})
    unfolded = event(5, "ReportUnfolded", {"from_case_id": "c0", "by": "s", "reason": "r"})
    closed, reopened = event(6, "CaseClosed", {}), event(7, "CaseReopened", {})

    assert folded([*proposed, other])["decision"] == "propose"  # type: ignore[index]
    assert folded([*proposed, other, dismissed])["decision"] == "dismissed"  # type: ignore[index]
    reopened_fold = folded([*proposed, by_hand, event(5, "CaseReopened", {})])
    assert isinstance(reopened_fold, dict) and not reopened_fold["open"]
    back = folded([*proposed, by_hand, unfolded])
    assert isinstance(back, dict) and (back["decision"], back["open"]) == ("unfolded", True)
    shut = folded([*proposed, by_hand, unfolded, closed])
    assert isinstance(shut, dict) and not shut["open"]
    again = folded([*proposed, by_hand, unfolded, closed, reopened])
    assert isinstance(again, dict) and again["open"]
    assert again["decided_at"] == DECIDED_AT, "the decision's time stays the triage append's"


def test_what_happened_before_the_triage_append_is_applied_once_the_row_is_born() -> None:
    rejected = event(2, "CaseRejected", {})
    row = folded([REPORT, rejected, triaged(3)])
    assert isinstance(row, dict) and (row["decision"], row["open"]) == ("new", False)
