"""The fold decision for a new report (合并工单, RULES.md §2b): pure, deterministic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.triage.duplicates.decide import Candidate, decide, neighbourhood
from services.triage.duplicates.folding import raised
from services.triage.duplicates.similarity import ReportSketch
from services.triage.duplicates.view import check_fold, check_unfold, pending_proposals
from shared.api.problems import Problem
from shared.cases.catalogue.duplicates import (
    DuplicateDismissed,
    DuplicateProposed,
    ReportFolded,
    ReportUnfolded,
)
from shared.cases.catalogue.escalation import CaseClosed
from shared.cases.catalogue.triage import TierOverridden
from shared.events.envelope import EventEnvelope, new_event
from shared.events.payload import EventPayload
from shared.org.levels import Level
from shared.vocabulary import Tier
from tests.integration.test_intake_api import MY_GRID, TREE

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
DOG = "邻居家的狗每天晚上叫到深夜，吵得全家睡不着觉。"
BINS = "小区门口的垃圾桶三天没人清理，臭味很大，苍蝇乱飞。"


def sketch(text: str, unit: str = "330681106001001") -> ReportSketch:
    return ReportSketch(text=text, category="neighbour", unit_code=unit)


def candidate(case_id: str, text: str, *, hours: int = 0) -> Candidate:
    return Candidate(case_id, f"N-{case_id}", T0 + timedelta(hours=hours), sketch(text))


def test_the_same_account_folds_and_an_unrelated_one_is_a_case_of_its_own() -> None:
    folded = decide(
        sketch(DOG), [candidate("a", BINS), candidate("b", DOG)], fold_at=0.9, propose_at=0.5
    )
    alone = decide(sketch(DOG), [candidate("a", BINS)], fold_at=0.9, propose_at=0.5)
    nothing = decide(sketch(DOG), [], fold_at=0.9, propose_at=0.5)

    assert (folded.kind, folded.case_id, folded.case_number) == ("fold", "b", "N-b")
    assert folded.score is not None and folded.score >= 0.9
    assert alone.kind == "new" and alone.case_id is None
    assert nothing.kind == "new" and nothing.score is None


def test_between_the_thresholds_the_match_is_proposed_not_folded() -> None:
    proposed = decide(sketch(DOG), [candidate("b", DOG)], fold_at=1.5, propose_at=0.5)
    assert (proposed.kind, proposed.case_id) == ("propose", "b")


def test_equal_scores_go_to_the_earliest_report_in_any_order() -> None:
    first, second = candidate("z", DOG, hours=-5), candidate("a", DOG, hours=-1)
    one = decide(sketch(DOG), [first, second], fold_at=0.9, propose_at=0.5)
    other = decide(sketch(DOG), [second, first], fold_at=0.9, propose_at=0.5)
    assert one == other and one.case_id == "z"


def test_a_grids_neighbourhood_is_its_village_and_a_village_is_its_own() -> None:
    village = TREE.ancestor_at(MY_GRID.code, Level.VILLAGE)
    assert village is not None
    assert neighbourhood(TREE, MY_GRID.code) == village.code
    assert neighbourhood(TREE, village.code) == village.code


def stream(case_id: str, *payloads: EventPayload) -> list[EventEnvelope]:
    events = []
    for sequence, payload in enumerate(payloads, start=1):
        event = new_event(payload, case_id=case_id, producer="test")
        events.append(event.recorded(sequence=sequence, recorded_at=T0))
    return events


def test_fold_unfold_and_proposals_follow_the_stream() -> None:
    proposed = DuplicateProposed(candidate_case_id="b", candidate_case_number="N-b", score=0.6)
    dismissed = DuplicateDismissed(candidate_case_id="b", by="sup", reason="不同事件")
    folded = ReportFolded(into_case_id="b", into_case_number="N-b", by="sup", reason="同一事件")
    unfolded = ReportUnfolded(from_case_id="b", by="sup", reason="不同事件")
    incident = stream("b", proposed)

    assert pending_proposals(stream("a", proposed)) == [proposed.model_dump(mode="json")]
    assert pending_proposals(stream("a", proposed, dismissed)) == []
    with pytest.raises(Problem) as itself:
        check_fold(stream("a", proposed), stream("a", proposed))
    with pytest.raises(Problem) as twice:
        check_fold(stream("a", proposed, folded), incident)
    with pytest.raises(Problem) as not_folded:
        check_unfold(stream("a", proposed, folded, unfolded))
    assert (itself.value.slug, twice.value.slug, not_folded.value.slug) == (
        "same-case",
        "already-folded",
        "not-folded",
    )
    assert check_unfold(stream("a", folded))["into_case_id"] == "b"


def tiered(case_id: str, tier: Tier, *more: EventPayload) -> list[EventEnvelope]:
    override = TierOverridden(tier=tier, previous_tier=None, reason="分级", overridden_by="sup")
    return stream(case_id, override, *more)


def test_a_graver_folded_report_raises_its_incident_and_no_other_does() -> None:
    up = raised(tiered("r", Tier.RED), tiered("i", Tier.YELLOW))
    assert up is not None and (up.tier, up.previous_tier) == (Tier.RED, Tier.YELLOW)
    assert up.overridden_by == "rule"
    assert raised(tiered("r", Tier.YELLOW), tiered("i", Tier.YELLOW)) is None
    assert raised(tiered("r", Tier.BLUE), tiered("i", Tier.RED)) is None
    closed = CaseClosed(closed_at=T0)
    assert raised(tiered("r", Tier.RED), tiered("i", Tier.BLUE, closed)) is None
