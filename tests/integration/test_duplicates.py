"""Duplicate reports of one incident folded into one case (合并工单, RULES.md §2b).

Five callers about one barking dog: one case assigned, one dispatch order, five 12345 work
orders answered; a folded report unfolded is a case of its own again, with its own clock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.all_in_one import SERVICES
from services.intake.runtime import IntakeRuntime
from services.sandbox.receiver import Receiver
from shared.config import CommonSettings, PartySettings
from tests.integration.api_client import embedded_settings, running_app
from tests.integration.notify_support import point_notify_at, with_org
from tests.integration.test_hotline import feedback, work_order
from tests.integration.test_intake_api import MY_GRID, TREE

pytestmark = pytest.mark.folding

NEIGHBOUR_GRID = next(g for g in TREE.children(MY_GRID.parent_code or "") if g.code != MY_GRID.code)
ACCOUNTS = (
    "邻居家的狗每天晚上叫到深夜，吵得全家睡不着觉。",
    "邻居家的狗每天晚上叫到深夜，吵得全家都睡不着觉。",
    "邻居家的狗每天晚上都叫到深夜，吵得全家睡不着觉。",
    "邻居家的狗每天晚上叫到深夜，吵得我们全家睡不着觉。",
    "隔壁邻居家的狗每天晚上叫到深夜，吵得全家睡不着觉。",
)
NUMBERS = tuple(f"GD20260302100{n}" for n in range(1, 6))


async def streams(api: httpx.AsyncClient, ids: list[str]) -> dict[str, list[str]]:
    log = api.app.state.context.log  # type: ignore[attr-defined]
    return {i: [e.event_type for e in await log.read_stream(i)] for i in ids}


async def dispatch_orders(api: httpx.AsyncClient, ids: list[str]) -> list[str]:
    """The dispatch orders (派单) issued for any of the cases: their cases' ids."""
    log = api.app.state.context.log  # type: ignore[attr-defined]
    return [
        i
        for i in ids
        for e in await log.read_stream(i)
        if e.event_type == "DispatchOrderIssued" and e.payload["purpose"] == "order"
    ]


async def until(api: httpx.AsyncClient, check: Callable[[], Awaitable[bool]]) -> None:
    """Re-check after every batch the case projection commits (and every second), 60 s at most."""
    progress = api.app.state.context.runtimes.require(IntakeRuntime).cases  # type: ignore[attr-defined]
    await progress.wait_until(check, within=60)


async def report_five(api: httpx.AsyncClient) -> list[str]:
    ids = []
    for n, (number, account) in enumerate(zip(NUMBERS, ACCOUNTS, strict=True)):
        grid = NEIGHBOUR_GRID if n == 3 else MY_GRID  # one caller lives in the next grid
        body = work_order(number, content=account, area_code=grid.code, phone=f"0575-8765432{n}")
        answer = await api.post("/v1/hotline/work-orders", json=body)
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["case_id"])
    return ids


async def folded_apart_from_one(api: httpx.AsyncClient, ids: list[str]) -> str:
    """The incident's case, once the other four are folded into it and it is assigned."""
    incident: list[str] = []

    async def settled() -> bool:
        seen = await streams(api, ids)
        assigned = [i for i, types in seen.items() if "CaseAssigned" in types]
        folded = [i for i, types in seen.items() if "ReportFolded" in types]
        incident[:] = assigned
        return (
            len(assigned) == 1
            and len(folded) == 4
            and seen[assigned[0]].count("DuplicateAttached") == 4
        )

    await until(api, settled)
    return incident[0]


def of(history: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in history if e["type"] == kind]


async def test_five_callers_about_one_incident_are_one_case_and_each_is_answered(
    settings_for: CommonSettings,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    point_notify_at(monkeypatch, receiver)
    async with running_app(with_org(settings_for, receiver, tmp_path), SERVICES) as api:
        ids = await report_five(api)
        incident = await folded_apart_from_one(api, ids)
        history = (await api.get(f"/v1/cases/{incident}/events")).json()
        order_id = of(history, "CaseAssigned")[0]["payload"]["order_id"]
        acknowledged = await api.post(f"/v1/dispatch-orders/{order_id}/ack")
        assert acknowledged.status_code == 201, acknowledged.text
        resolved = await api.post(
            f"/v1/cases/{incident}/resolution",
            json={"outcome": "mediated", "result_text": "狗主人同意夜间把狗关进室内"},
        )
        assert resolved.status_code == 201, resolved.text
        await receiver.wait_for(
            lambda r: (
                {f["work_order_no"] for f in feedback(r) if f["status"] == "办结"} == set(NUMBERS)
            )
        )

        async def counted() -> bool:
            total = (await api.get("/v1/stats")).json()["total"]
            return bool(total["reports"] == 5 and total["resolved"] == 1)

        await until(api, counted)
        measures = (await api.get("/v1/stats")).json()["total"]
        seen = await streams(api, ids)
        orders = await dispatch_orders(api, ids)
        duplicates = (await api.get(f"/v1/cases/{incident}/duplicates")).json()

    assert [i for i, types in seen.items() if "CaseAssigned" in types] == [incident]
    assert orders == [incident], "one dispatch order, for the incident; none for the reports"
    assert (measures["cases"], measures["reports"], measures["assignments"]) == (1, 5, 1)
    done = [f for f in feedback(receiver) if f["status"] == "办结"]
    assert sorted(f["work_order_no"] for f in done) == sorted(NUMBERS)
    assert {f["case_number"] for f in done} == {history[0]["payload"]["number"]}
    signed = {f["work_order_no"] for f in feedback(receiver) if f["status"] == "签收"}
    assert signed == set(NUMBERS), "each caller heard the order was taken"
    assert sorted(r["report_case_id"] for r in duplicates["reports"]) == sorted(
        i for i in ids if i != incident
    )
    assert all(r["by"] == "rule" and r["score"] >= 0.5 for r in duplicates["reports"])


async def test_an_unfolded_report_is_a_case_of_its_own_with_its_own_clock(
    tmp_path: Path,
) -> None:
    async with running_app(embedded_settings(tmp_path), SERVICES) as api:
        ids = await report_five(api)
        incident = await folded_apart_from_one(api, ids)
        report = next(i for i in ids if i != incident)
        refused = await api.post(f"/v1/cases/{report}/unfold", json={"reason": "x"})
        unfolded = await api.post(
            f"/v1/cases/{report}/unfold", json={"reason": "不是同一只狗，是另一户人家"}
        )
        again = await api.post(f"/v1/cases/{report}/unfold", json={"reason": "再次拆分"})

        async def assigned_and_detached() -> bool:
            seen = await streams(api, [report, incident])
            return "CaseAssigned" in seen[report] and "DuplicateDetached" in seen[incident]

        await until(api, assigned_and_detached)
        own = (await api.get(f"/v1/cases/{report}/events")).json()
        page = (await api.get(f"/v1/cases/{report}")).json()
        of_incident = (await api.get(f"/v1/cases/{incident}/duplicates")).json()
        of_report = (await api.get(f"/v1/cases/{report}/duplicates")).json()

    assert refused.status_code == 422, "a reason of one character is refused"
    assert unfolded.status_code == 201, unfolded.text
    assert again.status_code == 409
    assert again.json()["type"].endswith("not-folded")
    assigned = of(own, "CaseAssigned")
    assert len(assigned) == 1 and assigned[0]["payload"]["order_id"] == f"{report}.1"
    timers = {t["kind"] for t in assigned[0]["payload"]["timers"]}
    assert {"deadline", "ack"} <= timers, "its own clock runs"
    assert page["order_id"] == f"{report}.1" and page["deadline_at"] is not None
    assert report not in {r["report_case_id"] for r in of_incident["reports"]}
    assert len(of_incident["reports"]) == 3
    assert of_report["folded_into"] is None and page["folded_into"] is None
    assert incident in {c["case_id"] for c in of_report["candidates"]}


async def test_no_phone_or_id_in_clear_in_index_or_events_and_a_redelivery_adds_nothing(
    tmp_path: Path,
) -> None:
    from sqlalchemy import select

    from services.triage.duplicates.folding import Folding
    from services.triage.duplicates.index import DuplicateIndex
    from services.triage.handlers import TriageReactor
    from services.triage.ruleset import load_ruleset
    from shared.db.schema import duplicate_index
    from tests.conftest import PII_IN_LOGS
    from tests.integration.test_intake_api import report

    said = "楼上住户连续一周夜间装修，噪音很大。我的电话17012345678，身份证330681199001011234。"
    async with running_app(embedded_settings(tmp_path), SERVICES) as api:
        ids = []
        for _ in range(2):
            answer = await api.post("/v1/cases", json=report(description=said))
            ids.append(answer.json()["id"])

        async def folded() -> bool:  # triage may take either report first
            seen = await streams(api, ids)
            if "ReportFolded" in seen[ids[0]]:
                ids.reverse()
            return "ReportFolded" in seen[ids[1]] and "DuplicateAttached" in seen[ids[0]]

        await until(api, folded)
        context = api.app.state.context  # type: ignore[attr-defined]
        ruleset, matcher = load_ruleset("v3")
        index = context.runtimes.require(DuplicateIndex)
        secret = PartySettings().secret
        folding = Folding(log=context.log, index=index, tree=context.tree, secret=secret)
        reactor = TriageReactor(log=context.log, ruleset=ruleset, matcher=matcher, folding=folding)
        for event in await context.log.read_stream(ids[1]):
            if event.event_type in ("CaseReported", "ReportFolded"):
                await reactor.react(event)  # delivered again
        async with context.engine.connect() as conn:
            rows = (await conn.execute(select(duplicate_index))).mappings().all()
        events = [e for i in ids for e in await context.log.read_stream(i)]
        seen = await streams(api, ids)

    assert len(rows) == 2
    assert not PII_IN_LOGS.findall(repr([dict(r) for r in rows])), "the index holds none"
    new = [e.payload for e in events if e.event_type.startswith(("Report", "Duplicate"))]
    assert new and not PII_IN_LOGS.findall(repr(new)), "the new events carry none"
    assert seen[ids[1]].count("ReportFolded") == 1 and seen[ids[1]].count("CaseTriaged") == 1
    assert seen[ids[0]].count("DuplicateAttached") == 1


async def test_a_proposed_duplicate_is_folded_by_a_supervisor_and_its_clock_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FQ_DUPLICATES_FOLD_THRESHOLD", "1.0")  # nothing folds by the rule
    monkeypatch.setenv("FQ_DUPLICATES_PROPOSE_THRESHOLD", "0.3")
    async with running_app(embedded_settings(tmp_path), SERVICES) as api:
        ids = []
        for n, account in enumerate(ACCOUNTS[:3]):
            body = work_order(NUMBERS[n], content=f"{account}已经一个月了", area_code=MY_GRID.code)
            ids.append((await api.post("/v1/hotline/work-orders", json=body)).json()["case_id"])
        order: list[str] = []

        async def proposed_and_assigned() -> bool:
            """Triage takes the reports in any order: the one it took first has no
            candidate and proposes nothing; the other two are proposed against it."""
            seen = await streams(api, ids)
            alone = [i for i in ids if "DuplicateProposed" not in seen[i]]
            order[:] = alone + [i for i in ids if i not in alone]
            assigned = all("CaseAssigned" in types for types in seen.values())
            return assigned and len(alone) == 1

        await until(api, proposed_and_assigned)
        target, second, third = order  # target: open, and folded into nothing
        doubt = (await api.get(f"/v1/cases/{third}/duplicates")).json()["proposals"][0]
        folded = await api.post(
            f"/v1/cases/{second}/fold", json={"into_case_id": target, "reason": "同一只狗"}
        )
        into_folded = await api.post(
            f"/v1/cases/{third}/fold", json={"into_case_id": second, "reason": "同一只狗"}
        )
        dismissed = await api.post(
            f"/v1/cases/{third}/duplicates/dismiss",
            json={
                "candidate_case_id": doubt["candidate_case_id"],
                "reason": "另一户",
            },
        )
        attempt = await api.post(
            f"/v1/cases/{second}/attempts", json={"result": "failed", "note": "未到场"}
        )

        async def attached() -> bool:
            page = (await api.get(f"/v1/cases/{second}")).json()
            stream = (await streams(api, [target]))[target]
            queue = (await api.get(f"/v1/units/{MY_GRID.code}/queue")).json()
            return (
                "DuplicateAttached" in stream
                and page["folded_into"] == target
                and second not in str(queue)
            )

        await until(api, attached)
        of_second = (await api.get(f"/v1/cases/{second}/duplicates")).json()
        of_third = (await api.get(f"/v1/cases/{third}/duplicates")).json()
        of_target = (await api.get(f"/v1/cases/{target}/duplicates")).json()
        page = (await api.get(f"/v1/cases/{second}")).json()

    assert folded.status_code == 201, folded.text
    assert of_second["folded_into"]["by"] == "development" and of_second["proposals"] == []
    assert into_folded.status_code == 409 and into_folded.json()["type"].endswith("folded-target")
    assert attempt.status_code == 409 and attempt.json()["type"].endswith("folded")
    assert page["deadline_at"] is None and page["order_id"] is None, "no clock, no order"
    assert [r["report_case_id"] for r in of_target["reports"]] == [second]
    assert of_target["reports"][0]["work_order_no"] == NUMBERS[ids.index(second)]
    assert dismissed.status_code == 201 and of_third["proposals"] == []
