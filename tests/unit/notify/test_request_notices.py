"""Who is told about warnings, extensions, bounce-backs and chase notices (RULES.md §3b)."""

from __future__ import annotations

from datetime import timedelta

from services.notify.feedback import plan_feedback
from services.notify.planners import plan_orders
from shared.cases.catalogue.escalation_requests import (
    BounceBackArbitrationLapsed,
    BounceBackReassigned,
    ChaseNoticeIssued,
    ExtensionApproved,
    ExtensionRequested,
    OrderBouncedBack,
    PreBreachWarningIssued,
)
from shared.events.envelope import EventEnvelope
from shared.events.payload import EventPayload
from shared.org.levels import Level
from tests.unit.notify.test_planning import (
    AT,
    GRID,
    TREE,
    VILLAGE,
    assigned,
    envelope,
    reported,
    situation,
)

LATER = AT + timedelta(days=2)
APPROVED = ExtensionApproved(
    request_id="c1.1.ext1",
    level=Level.GRID,
    unit_code=GRID.code,
    previous_deadline_at=AT,
    deadline_at=LATER,
    approved_at=AT,
    by="v",
    ladder_version="v",
    timers=(),
)


def event(payload: EventPayload) -> EventEnvelope:
    return envelope(3, payload.event_type, payload.model_dump(mode="json"))


def notices(payload: EventPayload, source: str = "rest") -> list[tuple[str, str, str]]:
    planned = plan_orders(situation([reported(source), assigned(), event(payload)]))
    return [(n.purpose, n.unit_code, n.recipient) for n in planned]  # type: ignore[attr-defined]


def test_a_pre_breach_warning_reaches_the_holder_and_the_level_above() -> None:
    warning = PreBreachWarningIssued(
        level=Level.GRID,
        unit_code=GRID.code,
        warn_unit_code=VILLAGE.code,
        deadline_at=LATER,
        timer_id="t",
        ladder_version="v",
    )
    assert notices(warning) == [
        ("pre_breach_warning", GRID.code, "primary"),
        ("pre_breach_warning", VILLAGE.code, "primary"),
    ]


def test_an_extension_request_reaches_the_approver_and_the_decision_the_holder() -> None:
    asked = ExtensionRequested(
        request_id="c1.1.ext1",
        level=Level.GRID,
        unit_code=GRID.code,
        approver_unit_code=VILLAGE.code,
        reason="r",
        current_deadline_at=AT,
        requested_deadline_at=LATER,
        requested_at=AT,
        by="g",
    )
    assert notices(asked) == [("extension_request", VILLAGE.code, "primary")]
    assert notices(APPROVED) == [("extension_decision", GRID.code, "primary")]


def test_the_hotline_is_told_of_an_approved_extension_with_the_new_deadline() -> None:
    history = [reported("hotline_12345"), assigned(), event(APPROVED)]
    (feedback,) = plan_feedback(situation(history), earlier_types=set())
    assert feedback.status == "延期"  # type: ignore[attr-defined]
    assert feedback.deadline_at == LATER  # type: ignore[attr-defined]


def test_bounce_backs_go_to_the_county_centre_and_its_decision_to_the_unit() -> None:
    bounced = OrderBouncedBack(
        order_id="c1.1",
        level=Level.GRID,
        unit_code=GRID.code,
        reason="r",
        bounced_at=AT,
        arbitration_due_at=LATER,
        by="g",
        timers=(),
    )
    county = TREE.county.code
    assert notices(bounced) == [("bounce_back", county, "primary")]
    lapsed = BounceBackArbitrationLapsed(
        order_id="c1.1", level=Level.GRID, unit_code=GRID.code, due_at=LATER, timer_id="t"
    )
    assert notices(lapsed) == [("arbitration_lapsed", county, "primary")]
    other = next(g for g in TREE.units(level=Level.GRID) if g.code != GRID.code)
    moved = BounceBackReassigned(
        order_id="c1.1",
        level=Level.GRID,
        from_unit_code=GRID.code,
        to_unit_code=other.code,
        note="",
        decided_at=AT,
        by="c",
    )
    assert notices(moved) == [("bounce_back_decision", GRID.code, "primary")]


def test_a_chase_notice_reaches_the_holder() -> None:
    chase = ChaseNoticeIssued(
        order_id="c1.1", level=Level.GRID, unit_code=GRID.code, idle_since=AT, timer_id="t"
    )
    assert notices(chase) == [("chase", GRID.code, "primary")]
