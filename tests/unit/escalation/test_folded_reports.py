"""A report folded into another case (合并工单, RULES.md §2b) runs no clock and gets no order;
unfolded, it is assigned as a fresh case with its own clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.escalation.ladder.calendar import SHANGHAI
from services.escalation.ladder.commands import AssignCase, FireTimer, RecordAttempt
from services.escalation.ladder.context import Refused
from services.escalation.ladder.evolve import evolve
from shared.cases.catalogue.duplicates import ReportFolded, ReportUnfolded
from shared.vocabulary import Tier
from tests.unit.escalation.ladder_harness import PATH, Ladder

T0 = datetime(2025, 9, 22, 10, 0, tzinfo=SHANGHAI)
FOLDED = ReportFolded(into_case_id="case-0", into_case_number="N-0", by="rule", reason="同一事件")


def test_a_folded_report_is_never_assigned() -> None:
    ladder = Ladder()
    ladder.state = evolve(ladder.state, FOLDED)

    assert ladder.do(AssignCase(tier=Tier.RED, unit_path=PATH), at=T0) == []
    assert not ladder.state.assigned and ladder.state.live_timers == frozenset()


def test_folding_an_assigned_report_stops_its_clock_and_refuses_work_on_it() -> None:
    ladder = Ladder()
    ladder.do(AssignCase(tier=Tier.BLUE, unit_path=PATH), at=T0)
    deadline = ladder.due("deadline")
    ladder.state = evolve(ladder.state, FOLDED)

    fired = ladder.do(FireTimer(timer_id=deadline.timer_id, unit_path=PATH), at=deadline.due_at)
    with pytest.raises(Refused) as refused:
        ladder.do(RecordAttempt(result="failed", note="未到场", by="handler"), at=T0)

    assert fired == []
    assert refused.value.code == "folded"


def test_an_unfolded_report_is_assigned_afresh_with_its_own_clock() -> None:
    ladder = Ladder()
    ladder.do(AssignCase(tier=Tier.BLUE, unit_path=PATH), at=T0)
    ladder.state = evolve(ladder.state, FOLDED)
    later = T0 + timedelta(days=2)
    ladder.state = evolve(
        ladder.state, ReportUnfolded(from_case_id="case-0", by="supervisor", reason="不同事件")
    )

    assigned = ladder.do(AssignCase(tier=Tier.BLUE, unit_path=PATH), at=later)

    assert ladder.types(assigned) == ["CaseAssigned"]
    assert assigned[0].order_id == "case-1.2"  # type: ignore[attr-defined]
    assert ladder.state.deadline_at == later + timedelta(days=1)
