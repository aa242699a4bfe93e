"""A proposed duplicate (疑似重复) asks the report's township to decide it on the 待合并
page: one notice, both case numbers and the score, no parties, the same deliveries however
often it is planned (no I/O)."""

from __future__ import annotations

from typing import Any

from services.notify.config import NotifySettings
from services.notify.message import compose
from services.notify.planners import plan_orders
from tests.unit.notify.test_planning import TOWNSHIP, TREE, assigned, envelope, reported, situation


def proposed(seq: int = 2) -> Any:
    return envelope(
        seq,
        "DuplicateProposed",
        {
            "candidate_case_id": "c0",
            "candidate_case_number": "330681-2026-000000",
            "score": 0.7234,
        },
    )


def test_the_township_is_asked_to_decide_a_proposal_once() -> None:
    history = [reported(), proposed(), assigned(3)]
    (notice,) = plan_orders(situation(history[:2]))
    assert notice.purpose == "duplicate_proposal"
    assert notice.unit_code == TOWNSHIP.code and notice.order_id is None
    assert not notice.show_parties
    assert "330681-2026-000001" in notice.summary and "330681-2026-000000" in notice.summary
    assert "0.72" in notice.summary and "待合并" in notice.summary
    (again,) = plan_orders(situation(history[:2]))
    assert again.deliveries == notice.deliveries and notice.deliveries


def test_the_notice_carries_no_party() -> None:
    history = [reported(), proposed()]
    (notice,) = plan_orders(situation(history))
    dumped = notice.model_dump(mode="json")
    message = compose(
        dumped,
        delivery=dumped["deliveries"][0],
        case=situation(history).case,
        tree=TREE,
        settings=NotifySettings(),
    )
    assert message.body["parties"] == [] and message.body["purpose"] == "duplicate_proposal"
    assert "张三" not in str(message.body) and "1234567" not in str(message.body)


def test_a_report_at_the_county_centre_asks_the_county_centre() -> None:
    at_county = reported()
    at_county.payload["unit_code"] = TREE.county.code
    (notice,) = plan_orders(situation([at_county, proposed()]))
    assert notice.unit_code == TREE.county.code
