"""The history read model's rows and window: keys instead of numbers, the grid a
micro-grid belongs to, triage's last category, and calendar months back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.triage.history.fold import categories, folds, party_rows, reported_row
from services.triage.history.queries import months_before
from shared.cases.party_keys import party_keys
from shared.events.envelope import EventEnvelope
from tests.unit.notify.test_planning import envelope as event_of_c1

SECRET = b"history-test-secret-0123456789abcdef"


def envelope(seq: int, kind: str, payload: dict[str, Any], case_id: str = "c1") -> EventEnvelope:
    return event_of_c1(seq, kind, payload).model_copy(update={"case_id": case_id})


PARTY = {"name": "张三", "phone": "13812345678", "id_number": "330681199001011234"}
REPORTED = {
    "number": "330681-2026-000001",
    "unit_code": "330681001001001001",
    "grid_unit_code": "330681001001001",
    "category": None,
    "parties": [PARTY, {"name": "王五", "phone": None}],
}


def test_a_report_gives_its_grid_and_a_row_per_key_never_the_numbers() -> None:
    event = envelope(1, "CaseReported", REPORTED)
    row = reported_row(event)
    assert (row["unit_code"], row["number"], row["version"]) == (
        "330681001001001",
        REPORTED["number"],
        1,
    )
    parties = party_rows(event, secret=SECRET)
    assert {p["party_key"] for p in parties} == party_keys([PARTY], secret=SECRET)
    assert "13812345678" not in str(parties) and "330681199001011234" not in str(parties)


def test_the_last_category_triage_gave_each_case_wins() -> None:
    events = [
        envelope(4, "CaseTriaged", {"category": "labour"}),
        envelope(2, "CaseTriaged", {"category": "neighbour"}),
        envelope(3, "CaseAssigned", {}),
        envelope(2, "CaseTriaged", {"category": "consumer"}, case_id="c2"),
    ]
    assert categories(events) == {"c1": (4, "labour"), "c2": (2, "consumer")}


@pytest.mark.parametrize(
    ("when", "months", "back"),
    [
        (datetime(2026, 3, 2, 1, tzinfo=UTC), 12, datetime(2025, 3, 2, 1, tzinfo=UTC)),
        (datetime(2026, 3, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2024, 2, 29, tzinfo=UTC), 12, datetime(2023, 2, 28, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 13, datetime(2024, 12, 15, tzinfo=UTC)),
    ],
)
def test_months_back_are_calendar_months(when: datetime, months: int, back: datetime) -> None:
    assert months_before(when, months) == back


def test_a_fold_marks_the_report_until_it_is_unfolded() -> None:
    events = [
        envelope(5, "ReportUnfolded", {"from_case_id": "c9"}),
        envelope(3, "ReportFolded", {"into_case_id": "c9"}),
        envelope(3, "ReportFolded", {"into_case_id": "c9"}, case_id="c2"),
    ]
    assert folds(events) == {"c1": None, "c2": "c9"}
