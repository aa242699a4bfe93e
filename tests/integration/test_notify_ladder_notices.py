"""Notices around the ladder reach their units: the pre-breach warning (预警) the grid and
the village, extension (延期), bounce-back (退单) and chase (催办) notices their deciders."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from services.all_in_one import SERVICES
from services.sandbox.receiver import Receiver
from shared.config import CommonSettings
from tests.integration.api_client import running_app
from tests.integration.conftest import START
from tests.integration.notify_support import (
    all_delivered,
    delivered,
    events_when,
    of_type,
    point_notify_at,
    warned_and_delivered,
    with_org,
)
from tests.integration.test_intake_api import MY_GRID, TREE, report

VILLAGE = TREE.ancestors(MY_GRID.code)[0]


async def test_a_pre_breach_warning_reaches_the_grid_and_the_village(
    settings_for: CommonSettings,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    point_notify_at(monkeypatch, receiver)
    async with running_app(with_org(settings_for, receiver, tmp_path), SERVICES) as api:
        case_id = (await api.post("/v1/cases", json=report())).json()["id"]
        await api.post(f"/v1/cases/{case_id}/acknowledgement")
        await events_when(api, case_id, lambda h: delivered(h, 2))
        # A blue case at the grid (1 day): 80% of it has passed after 19.2 hours.
        warned_at = START + timedelta(hours=19, minutes=13)
        await api.post("/v1/admin/clock", json={"now": warned_at.isoformat()})
        history = await events_when(api, case_id, warned_and_delivered)
    warnings = [
        e["payload"]
        for e in of_type(history, "DispatchOrderIssued")
        if e["payload"]["purpose"] == "pre_breach_warning"
    ]
    assert sorted(w["unit_code"] for w in warnings) == sorted([MY_GRID.code, VILLAGE.code])
    hooks = [
        r for r in receiver.unique("/hooks/").values() if r.body["purpose"] == "pre_breach_warning"
    ]
    assert {r.path for r in hooks} == {f"/hooks/{MY_GRID.code}", f"/hooks/{VILLAGE.code}"}


async def test_extension_bounce_back_and_chase_notices_reach_their_units(
    settings_for: CommonSettings,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    point_notify_at(monkeypatch, receiver)
    monkeypatch.setenv("FQ_LADDER_WARNING_FRACTION", "0")  # warnings: the test above
    async with running_app(with_org(settings_for, receiver, tmp_path), SERVICES) as api:
        case_id = (await api.post("/v1/cases", json=report())).json()["id"]
        base = f"/v1/cases/{case_id}"
        await events_when(api, case_id, lambda h: delivered(h, 2))
        later = (START + timedelta(days=2)).isoformat()
        steps: list[tuple[str, dict[str, Any]]] = [
            ("acknowledgement", {}),
            ("extension-requests", {"reason": "等待鉴定", "deadline_at": later}),
        ]
        answers = [await api.post(f"{base}/{path}", json=body) for path, body in steps]
        request_id = answers[-1].json()[0]["payload"]["request_id"]
        steps = [
            (f"extension-requests/{request_id}/approve", {}),
            ("bounce-back", {"reason": "不属本网格"}),
            ("bounce-back/confirm", {"note": "属本网格"}),
        ]
        answers += [await api.post(f"{base}/{path}", json=body) for path, body in steps]
        assert [a.status_code for a in answers] == [201] * 5, [a.text for a in answers]
        chased_at = START + timedelta(hours=12, minutes=1)  # half the grid's day, idle
        await api.post("/v1/admin/clock", json={"now": chased_at.isoformat()})
        history = await events_when(api, case_id, lambda h: all_delivered(h, "chase"))
    purposes = {
        (e["payload"]["purpose"], e["payload"]["unit_code"])
        for e in of_type(history, "DispatchOrderIssued")
    }
    county = TREE.county.code
    assert purposes == {
        ("order", MY_GRID.code),
        ("extension_request", VILLAGE.code),
        ("extension_decision", MY_GRID.code),
        ("bounce_back", county),
        ("bounce_back_decision", MY_GRID.code),
        ("chase", MY_GRID.code),
    }
    hooks = {(r.body["purpose"], r.path) for r in receiver.unique("/hooks/").values()}
    assert ("extension_request", f"/hooks/{VILLAGE.code}") in hooks
    assert ("chase", f"/hooks/{MY_GRID.code}") in hooks
