"""The visibility rule on a case's stream: the reporting unit and the holding unit, which
each assignment (escalation, reassignment after a bounce-back) moves."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.api.auth import Principal
from shared.api.problems import Problem
from shared.cases.access import holding_unit, may_report_at, reported_unit, sees_case
from shared.events.envelope import EventEnvelope

GRID_A, VILLAGE_A, TOWNSHIP_A = "330681001001001", "330681001001", "330681001000"
GRID_B = "330681002001001"
COUNTY = "330681"


def event(event_type: str, **payload: Any) -> EventEnvelope:
    return EventEnvelope(
        event_id=uuid.uuid4(),
        event_type=event_type,
        schema_version=1,
        case_id="c-1",
        occurred_at=datetime(2026, 3, 2, tzinfo=UTC),
        correlation_id=uuid.uuid4(),
        producer="test",
        payload=payload,
    )


REPORTED = event("CaseReported", unit_code=VILLAGE_A, grid_unit_code=GRID_A)


def key(*regions: str, roles: tuple[str, ...] = ("reader",)) -> Principal:
    return Principal(client="k", regions=regions, roles=frozenset(roles))


def test_the_holder_is_the_reporting_unit_until_the_first_assignment() -> None:
    assert reported_unit([REPORTED]) == holding_unit([REPORTED]) == GRID_A
    assert holding_unit([]) is None


def test_escalations_and_reassignments_move_the_holder() -> None:
    climbed = [REPORTED, event("CaseAssigned", unit_code=GRID_A)]
    climbed.append(event("CaseAssigned", unit_code=TOWNSHIP_A))
    assert holding_unit(climbed) == TOWNSHIP_A
    moved = [
        REPORTED,
        event("CaseAssigned", unit_code=GRID_A),
        event("BounceBackReassigned", from_unit_code=GRID_A, to_unit_code=GRID_B),
    ]
    assert holding_unit(moved) == GRID_B
    assert holding_unit([*moved, event("CaseAssigned", unit_code=GRID_B)]) == GRID_B
    assert reported_unit(moved) == GRID_A


def test_a_key_sees_a_case_reported_or_held_in_its_regions() -> None:
    township_a, township_b = key(TOWNSHIP_A[:9]), key(GRID_B[:9])
    assert sees_case(township_a, GRID_A, GRID_B) and sees_case(township_b, GRID_A, GRID_B)
    assert not sees_case(township_b, GRID_A, TOWNSHIP_A)
    assert not sees_case(township_b, None, None)
    assert sees_case(key(""), GRID_A, None)


def test_only_a_report_anywhere_key_reports_outside_its_regions() -> None:
    may_report_at(key(TOWNSHIP_A[:9]), GRID_A, field="unit_code", county=COUNTY)
    anywhere = key(TOWNSHIP_A[:9], roles=("report-anywhere",))
    may_report_at(anywhere, GRID_B, field="unit_code", county=COUNTY)
    # Outside the county the report goes on, to be rejected (退单) with its reason.
    may_report_at(key(TOWNSHIP_A[:9]), "110101001001", field="unit_code", county=COUNTY)
    for refused in (key(TOWNSHIP_A[:9]), key(TOWNSHIP_A[:9], roles=("admin",))):
        with pytest.raises(Problem) as problem:
            may_report_at(refused, GRID_B, field="area_code", county=COUNTY)
        assert problem.value.status == 403
