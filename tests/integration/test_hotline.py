"""A 12345 work order's round trip: in as a case, and every status back to the hotline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from services.all_in_one import SERVICES
from services.sandbox.receiver import Receiver
from shared.config import CommonSettings
from tests.integration.api_client import embedded_settings, running_app
from tests.integration.conftest import START
from tests.integration.notify_support import (
    events_when,
    of_type,
    point_notify_at,
    with_org,
)
from tests.integration.test_intake_api import MY_GRID, TREE

VILLAGE = TREE.ancestors(MY_GRID.code)[0]
TOWNSHIP = TREE.ancestors(MY_GRID.code)[1]


def work_order(number: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "work_order_no": number,
        "caller": "王五",
        "phone": "0575-87654321",
        "content": "邻居家狗每晚叫到深夜，多次沟通无果。",
        "area_code": MY_GRID.code,
        "appeal_type": "投诉",
        "time_limit": "2026-03-05T17:00:00+08:00",
    }
    body.update(overrides)
    return body


def feedback(receiver: Receiver) -> list[dict[str, Any]]:
    return [r.body for r in receiver.unique("/hotline/feedback").values()]


async def test_a_work_order_round_trip_tells_the_hotline_each_status(
    settings_for: CommonSettings,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    point_notify_at(monkeypatch, receiver)
    async with running_app(with_org(settings_for, receiver, tmp_path), SERVICES) as api:
        first = await api.post("/v1/hotline/work-orders", json=work_order("GD2026030200001"))
        assert first.status_code == 201, first.text
        again = await api.post("/v1/hotline/work-orders", json=work_order("GD2026030200001"))
        assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
        case_id = first.json()["case_id"]
        assert again.json()["case_id"] == case_id, "a work order posted twice is one case"
        changed = await api.post(
            "/v1/hotline/work-orders", json=work_order("GD2026030200001", content="别的内容")
        )
        assert changed.status_code == 409

        history = await events_when(api, case_id, lambda h: bool(of_type(h, "CaseAssigned")))
        order_id = of_type(history, "CaseAssigned")[0]["payload"]["order_id"]
        steps = [
            ("post", f"/v1/dispatch-orders/{order_id}/ack", None),
            ("post", f"/v1/cases/{case_id}/attempts", {"result": "failed", "note": "双方未到场"}),
            (
                "post",
                f"/v1/cases/{case_id}/resolution",
                {"outcome": "mediated", "result_text": "双方达成协议，狗夜间关进室内"},
            ),
            ("post", f"/v1/cases/{case_id}/follow-up", {"satisfied": True, "note": "满意"}),
        ]
        for expected, (_method, path, body) in enumerate(steps, start=1):
            answer = await api.post(path, json=body) if body else await api.post(path)
            assert answer.status_code == 201, answer.text
            await receiver.wait_for(lambda r, n=expected: len(feedback(r)) == n)
        case = (await api.get(f"/v1/cases/{case_id}")).json()

    statuses = [(f["status"], f["work_order_no"]) for f in feedback(receiver)]
    assert statuses == [
        ("签收", "GD2026030200001"),
        ("办理中", "GD2026030200001"),
        ("办结", "GD2026030200001"),
        ("回访", "GD2026030200001"),
    ]
    done, visit = feedback(receiver)[2], feedback(receiver)[3]
    assert done["outcome"] == "mediated" and done["result_text"].startswith("双方达成协议")
    assert feedback(receiver)[1]["level"] == "grid"
    assert visit["satisfied"] is True
    assert case["status"] == "closed" and case["source"] == "hotline_12345"
    assert all(r.signature_ok for r in receiver.unique("/hotline/feedback").values())


async def test_a_work_order_outside_the_county_is_rejected_and_the_hotline_told_why(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    point_notify_at(monkeypatch, receiver)
    settings = embedded_settings(tmp_path, clock="simulated", clock_start=START)
    async with running_app(with_org(settings, receiver, tmp_path), SERVICES) as api:
        answer = await api.post(
            "/v1/hotline/work-orders", json=work_order("GD-OUT-1", area_code="330102001001")
        )
        assert answer.status_code == 422
        assert answer.headers["content-type"].startswith("application/problem+json")
        await receiver.wait_for(lambda r: len(feedback(r)) == 1)
    (told,) = feedback(receiver)
    assert told["status"] == "退单" and "outside the jurisdiction" in told["reason"]


async def test_an_address_is_placed_on_the_tree_or_goes_to_the_county_centre(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    point_notify_at(monkeypatch, receiver)
    settings = embedded_settings(tmp_path, clock="simulated", clock_start=START)
    address = f"{TOWNSHIP.name}{VILLAGE.name}12号"
    async with running_app(with_org(settings, receiver, tmp_path), SERVICES) as api:
        placed = await api.post(
            "/v1/hotline/work-orders",
            json=work_order("GD-ADDR-1", area_code=None, address=address),
        )
        nowhere = await api.post(
            "/v1/hotline/work-orders",
            json=work_order("GD-ADDR-2", area_code=None, address="不知道在哪里"),
        )
        neither = await api.post(
            "/v1/hotline/work-orders", json=work_order("GD-ADDR-3", area_code=None)
        )
    assert placed.json()["unit_code"] == VILLAGE.code
    assert placed.json()["located_by"] == "address"
    assert nowhere.json()["unit_code"] == TREE.county.code
    assert nowhere.json()["located_by"] == "county_centre"
    assert neither.status_code == 422
