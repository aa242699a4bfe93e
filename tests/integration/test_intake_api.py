"""The intake API as a client sees it, on the embedded log (and on Kafka + PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.intake.cases.queries import CaseQueries
from services.intake.main import SERVICE as INTAKE
from services.intake.runtime import IntakeRuntime
from shared.config import CommonSettings
from shared.consumers.progress import Progress
from shared.org.levels import Level
from shared.org.loader import load_org_tree
from shared.org.tree import OrgTree
from tests.conftest import fresh_pg_database, integration_available
from tests.integration.api_client import (
    NO_PII_KEY,
    TOWNSHIP_CLIENT_KEY,
    api_keys_for_tests,
    embedded_settings,
    kafka_settings,
    running_app,
)

TREE: OrgTree = load_org_tree(CommonSettings().org_file)
TOWNSHIPS = TREE.units(level=Level.TOWNSHIP)
MY_TOWNSHIP, OTHER_TOWNSHIP = TOWNSHIPS[0], TOWNSHIPS[1]
MY_GRID = next(g for g in TREE.units(level=Level.GRID) if g.code.startswith(MY_TOWNSHIP.code[:9]))
OTHER_GRID = next(
    g for g in TREE.units(level=Level.GRID) if g.code.startswith(OTHER_TOWNSHIP.code[:9])
)


def report(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "邻居装修噪音纠纷",
        "description": "楼上住户连续一周夜间装修，噪音很大，双方多次争吵。",
        "unit_code": MY_GRID.code,
        "parties": [
            {"name": "张三", "phone": "17012345678", "id_number": "330681199001011234"},
            {"name": "李四", "role": "respondent"},
        ],
        "parties_count": 2,
    }
    body.update(overrides)
    return body


@pytest.fixture(params=["embedded", "kafka"])
async def api(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    keys = api_keys_for_tests(township_region=MY_TOWNSHIP.code[:9])
    if request.param == "kafka":
        if not integration_available():
            pytest.skip("needs the real broker and PostgreSQL (see .ci/run)")
        async with fresh_pg_database() as database_url:
            settings = kafka_settings(database_url, api_keys=keys)
            async with running_app(settings, [INTAKE]) as client:
                yield client
    else:
        settings = embedded_settings(tmp_path, api_keys=keys)
        async with running_app(settings, [INTAKE]) as client:
            yield client


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"].endswith(slug)
    assert body["status"] == status and body["title"] and body["detail"]
    return body


async def test_reported_case_gets_a_number_and_its_history(api: httpx.AsyncClient) -> None:
    created = await api.post("/v1/cases", json=report())
    assert created.status_code == 201, created.text
    case = created.json()
    assert case["status"] == "reported"
    assert case["number"].startswith(f"{TREE.county.code}-")
    assert created.headers["Location"] == f"/v1/cases/{case['id']}"

    fetched = (await api.get(f"/v1/cases/{case['id']}")).json()
    assert fetched["id"] == case["id"] and fetched["unit_code"] == MY_GRID.code
    assert fetched["tier"] is None and fetched["level"] is None

    history = (await api.get(f"/v1/cases/{case['id']}/events")).json()
    assert [e["type"] for e in history] == ["CaseReported"]
    assert history[0]["version"] == 1 and history[0]["payload"]["number"] == case["number"]


async def test_a_retry_with_the_same_key_is_the_same_case(api: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "hotline-0001"}
    first = await api.post("/v1/cases", json=report(), headers=headers)
    again = await api.post("/v1/cases", json=report(), headers=headers)
    other_body = await api.post("/v1/cases", json=report(title="另一件事"), headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["number"] == first.json()["number"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert_problem(other_body, 409, "idempotency-key-reused")
    history = (await api.get(f"/v1/cases/{first.json()['id']}/events")).json()
    assert len(history) == 1


async def test_concurrent_retries_with_one_key_make_one_case(api: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "burst-7"}
    answers = await asyncio.gather(
        *(api.post("/v1/cases", json=report(), headers=headers) for _ in range(8))
    )
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1


async def test_a_case_outside_the_county_is_rejected_with_a_reason(api: httpx.AsyncClient) -> None:
    outside = await api.post("/v1/cases", json=report(unit_code="110105001001001"))

    body = assert_problem(outside, 422, "outside-jurisdiction")
    assert "110105001001001" in body["detail"]
    history = (await api.get(f"/v1/cases/{body['case_id']}/events")).json()
    assert [e["type"] for e in history] == ["CaseRejected"]
    assert history[0]["payload"]["reason_code"] == "outside-jurisdiction"


async def test_invalid_reports_list_the_fields(api: httpx.AsyncClient) -> None:
    bad = await api.post("/v1/cases", json=report(title="", unit_code="12ab", amount_cny=-5))
    body = assert_problem(bad, 422, "validation")
    assert {e["field"] for e in body["errors"]} == {"title", "unit_code", "amount_cny"}

    unknown = await api.post("/v1/cases", json=report(unit_code=TREE.county.code + "999999999"))
    assert_problem(unknown, 422, "unknown-unit")


async def test_keys_and_regions_decide_what_a_client_sees(api: httpx.AsyncClient) -> None:
    mine = (await api.post("/v1/cases", json=report())).json()
    theirs = (await api.post("/v1/cases", json=report(unit_code=OTHER_GRID.code))).json()
    township = {"Authorization": f"Bearer {TOWNSHIP_CLIENT_KEY}"}

    assert_problem(await api.get("/v1/cases", headers={"Authorization": ""}), 401, "unauthorized")
    assert_problem(
        await api.get("/v1/cases", headers={"Authorization": "Bearer nope"}), 401, "unauthorized"
    )
    assert (await api.get(f"/v1/cases/{mine['id']}", headers=township)).status_code == 200
    assert_problem(await api.get(f"/v1/cases/{theirs['id']}", headers=township), 404, "not-found")
    assert_problem(
        await api.get(f"/v1/cases/{theirs['id']}/events", headers=township), 404, "not-found"
    )
    await wait_projected(api.app, theirs["id"])  # type: ignore[attr-defined]
    await wait_projected(api.app, mine["id"])  # type: ignore[attr-defined]
    listed = (await api.get("/v1/cases", headers=township)).json()["items"]
    assert {c["id"] for c in listed} == {mine["id"]}


async def test_a_history_is_read_newest_or_by_type(api: httpx.AsyncClient) -> None:
    case_id = (await api.post("/v1/cases", json=report())).json()["id"]
    for n in range(3):
        added = await api.post(f"/v1/cases/{case_id}/facts", json={"parties_count": 3 + n})
        assert added.status_code == 201, added.text
    history = f"/v1/cases/{case_id}/events"

    async def types(**params: Any) -> list[tuple[str, int]]:
        found = (await api.get(history, params=params)).json()
        return [(e["type"], e["sequence"]) for e in found]

    assert await types(last=2) == [("CaseFactsAmended", 3), ("CaseFactsAmended", 4)]
    assert await types(type="CaseReported") == [("CaseReported", 1)]
    assert len(await types()) == 4
    too_many = {"type": [f"T{n}" for n in range(21)]}
    assert (await api.get(history, params=too_many)).status_code == 422


async def test_personal_data_is_masked_without_the_pii_role(api: httpx.AsyncClient) -> None:
    case = (await api.post("/v1/cases", json=report())).json()
    masked = (
        await api.get(f"/v1/cases/{case['id']}", headers={"Authorization": f"Bearer {NO_PII_KEY}"})
    ).json()
    clear = (await api.get(f"/v1/cases/{case['id']}")).json()
    events = (
        await api.get(
            f"/v1/cases/{case['id']}/events", headers={"Authorization": f"Bearer {NO_PII_KEY}"}
        )
    ).json()

    assert masked["parties"][0] == {
        "name": "张*",
        "phone": "170****5678",
        "id_number": "330***********1234",
        "role": "applicant",
    }
    assert clear["parties"][0]["phone"] == "17012345678"
    assert "17012345678" not in str(events) and "张三" not in str(events)


async def test_lists_filter_and_page_with_a_cursor(api: httpx.AsyncClient) -> None:
    ids = [
        (await api.post("/v1/cases", json=report(title=f"案件{i}"))).json()["id"] for i in range(5)
    ]
    await api.post("/v1/cases", json=report(unit_code=OTHER_GRID.code))
    app = api.app  # type: ignore[attr-defined]
    await wait_projected(app, ids[-1])

    async def paged(order: str) -> list[str]:
        seen: list[str] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 2, "unit": MY_GRID.code, "status": "reported"}
            params.update(order=order, **({"cursor": cursor} if cursor else {}))
            page = (await api.get("/v1/cases", params=params)).json()
            seen += [c["id"] for c in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                return seen

    assert await paged("oldest") == ids
    assert await paged("newest") == ids[::-1]  # a county's arrivals, the latest first
    assert_problem(await api.get("/v1/cases", params={"cursor": "garbage"}), 400, "bad-cursor")


async def test_cases_are_found_by_number_work_order_or_title(api: httpx.AsyncClient) -> None:
    wanted = (
        await api.post("/v1/cases", json=report(title="宅基地边界纠纷", category="land"))
    ).json()
    await api.post("/v1/cases", json=report(title="楼上漏水"))
    order = {"work_order_no": "GD-FIND-77", "content": "噪音扰民", "area_code": MY_GRID.code}
    hotline = (await api.post("/v1/hotline/work-orders", json=order)).json()
    await wait_projected(api.app, hotline["case_id"])  # type: ignore[attr-defined]

    async def found(q: str, **more: str) -> list[str]:
        page = (await api.get("/v1/cases", params={"q": q, **more})).json()
        return [c["id"] for c in page["items"]]

    assert await found("边界") == [wanted["id"]]
    assert await found(wanted["number"]) == [wanted["id"]]
    assert await found("FIND-77") == [hotline["case_id"]]
    assert await found("%") == []  # a wildcard is only a character
    assert await found("边界", category="land") == [wanted["id"]]
    assert await found("边界", category="labour") == []
    assert (await api.get("/v1/cases", params={"category": "nonsense"})).status_code == 422


async def test_units_of_the_tree(api: httpx.AsyncClient) -> None:
    townships = (await api.get("/v1/units", params={"level": "township", "limit": 1000})).json()
    assert townships["total"] == len(TOWNSHIPS)
    children = (await api.get("/v1/units", params={"parent": MY_TOWNSHIP.code})).json()
    assert children["items"] and all(
        u["parent_code"] == MY_TOWNSHIP.code for u in children["items"]
    )
    one = (await api.get(f"/v1/units/{MY_GRID.code}")).json()
    assert one["level"] == "grid" and one["primary"]["phone"]
    assert_problem(await api.get("/v1/units/999999"), 404, "not-found")


async def test_units_are_found_by_part_of_their_name_or_code(api: httpx.AsyncClient) -> None:
    by_name = (await api.get("/v1/units", params={"q": MY_TOWNSHIP.name[:2]})).json()["items"]
    assert MY_TOWNSHIP.code in [u["code"] for u in by_name]
    assert all(
        MY_TOWNSHIP.name[:2] in u["name"] or MY_TOWNSHIP.name[:2] in u["code"] for u in by_name
    )
    by_code = (await api.get("/v1/units", params={"q": MY_GRID.code[-6:]})).json()["items"]
    assert MY_GRID.code in [u["code"] for u in by_code]
    township = {"Authorization": f"Bearer {TOWNSHIP_CLIENT_KEY}"}
    elsewhere = await api.get("/v1/units", params={"q": OTHER_GRID.code}, headers=township)
    assert elsewhere.json()["items"] == []  # outside the key's regions: not found by search


async def wait_projected(app: Any, case_id: str) -> None:
    """Await the case projection's commits until it holds the case."""
    context = app.state.context
    queries = CaseQueries(context.engine)
    progress: Progress = context.runtimes.require(IntakeRuntime).cases

    async def projected() -> bool:
        return await queries.get(case_id) is not None

    await progress.wait_until(projected, within=30)
