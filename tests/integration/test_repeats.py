"""Repeat disputes in the running system (RULES.md §2b): a party's third dispute within a
year, or the third of one category at one grid, is raised a tier, naming the earlier cases;
a supervisor lists a party's cases in its regions by the party's reference."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.triage.history.projection import CaseHistoryProjection
from services.triage.history.tables import case_history
from shared.config import ApiKeySetting, PartySettings
from shared.consumers.rebuild import rebuild, table_checksum
from shared.org.levels import Level
from shared.runtime.build import open_database
from tests.conftest import fresh_pg_database
from tests.integration.test_intake_api import MY_TOWNSHIP, OTHER_TOWNSHIP, TREE
from tests.integration.test_triage_service import intake_and_triage, wait_for_tier

GRIDS_A = [g.code for g in TREE.units(level=Level.GRID) if g.code.startswith(MY_TOWNSHIP.code[:9])]
GRID_B = next(
    g.code for g in TREE.units(level=Level.GRID) if g.code.startswith(OTHER_TOWNSHIP.code[:9])
)
PHONE, OTHER_PHONE = "13912340001", "13912340002"
TOWNSHIP_SUPERVISOR = "township-a-supervisor"
READER = "reader-only"


def keys() -> list[ApiKeySetting]:
    def key(name: str, regions: list[str], roles: list[str]) -> ApiKeySetting:
        return ApiKeySetting(key=SecretStr(name), client=name, regions=regions, roles=roles)

    return [
        key("dev", [""], ["admin"]),
        key(TOWNSHIP_SUPERVISOR, [MY_TOWNSHIP.code[:9]], ["supervisor"]),
        key(READER, [""], ["reader", "pii"]),
    ]


@pytest.fixture(params=["embedded", "kafka"])
async def system(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    async with intake_and_triage(request.param, tmp_path, api_keys=keys()) as client:
        yield client


def dispute(grid: str, *, phone: str | None, title: str, description: str) -> dict[str, Any]:
    parties = [{"name": "李四", "phone": phone}] if phone else []
    return {"title": title, "description": description, "unit_code": grid, "parties": parties}


NOISE = {"title": "装修噪音", "description": "楼上住户夜间装修，噪音扰民。"}
REFUND = {"title": "商家不退款", "description": "网购商品有质量问题，商家拒绝退款。"}


async def in_history(api: httpx.AsyncClient, case_id: str) -> None:
    """Poll (60 s at most) until the history read model holds the case with the category
    triage gave it: a later report can only count it from then on."""
    engine = api.app.state.context.engine  # type: ignore[attr-defined]
    query = select(case_history.c.category).where(case_history.c.case_id == case_id)
    deadline = time.monotonic() + 60
    while True:
        async with engine.connect() as conn:
            if (await conn.execute(query)).scalar_one_or_none() is not None:
                return
        assert time.monotonic() < deadline, f"case {case_id} never reached the history"
        await anyio.sleep(0.05)


async def reported(api: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    """Report, wait for the tier and for the history to hold the case."""
    answer = await api.post("/v1/cases", json=body)
    assert answer.status_code == 201, answer.text
    case = await wait_for_tier(api, answer.json()["id"], version=2)
    await in_history(api, case["id"])
    return case


async def repeat_line(api: httpx.AsyncClient, case_id: str) -> str | None:
    events = (await api.get(f"/v1/cases/{case_id}/events")).json()
    triaged = [e for e in events if e["type"] == "CaseTriaged"][-1]  # the latest triage
    found = [line for line in triaged["payload"]["explanation"] if line.startswith("repeat")]
    return found[0] if found else None


async def party_ref(api: httpx.AsyncClient, phone: str) -> str:
    answer = await api.post("/v1/parties/refs", json={"phone": phone})
    assert answer.status_code == 200, answer.text
    (ref,) = answer.json()["refs"]
    return str(ref)


async def test_a_partys_third_dispute_in_a_year_is_raised_a_tier_naming_the_earlier_cases(
    system: httpx.AsyncClient,
) -> None:
    first = await reported(system, dispute(GRIDS_A[0], phone=PHONE, **NOISE))
    second = await reported(system, dispute(GRIDS_A[1], phone="+86-139-1234-0001", **REFUND))
    third = await reported(system, dispute(GRIDS_A[2], phone=PHONE, **REFUND))

    assert [c["tier"] for c in (first, second, third)] == ["blue", "blue", "yellow"]
    assert await repeat_line(system, second["id"]) is None
    line = await repeat_line(system, third["id"])
    assert line is not None
    assert f"earlier case {first['number']} (same party" in line
    assert f"earlier case {second['number']} (same party" in line
    # Triaged again on new facts, the first dispute counts neither itself nor later ones.
    amended = await system.post(
        f"/v1/cases/{first['id']}/facts", json={"description_addition": "对方仍未回应。"}
    )
    assert amended.status_code == 201, amended.text
    again = await wait_for_tier(system, first["id"], version=4)
    assert again["tier"] == "blue" and await repeat_line(system, first["id"]) is None


async def test_the_third_of_one_category_at_one_grid_is_raised_and_others_are_not(
    system: httpx.AsyncClient,
) -> None:
    grid = GRIDS_A[3]
    first = await reported(system, dispute(grid, phone=None, **NOISE))
    await reported(system, dispute(grid, phone=PHONE, **REFUND))  # another category
    second = await reported(system, dispute(grid, phone=None, **NOISE))
    elsewhere = await reported(system, dispute(GRIDS_A[4], phone="13912340003", **NOISE))
    third = await reported(system, dispute(grid, phone=OTHER_PHONE, **NOISE))

    assert elsewhere["tier"] == "blue" and await repeat_line(system, elsewhere["id"]) is None
    assert third["tier"] == "yellow"
    line = await repeat_line(system, third["id"])
    assert line is not None
    assert f"{first['number']} (same grid and category" in line
    assert f"{second['number']} (same grid and category" in line
    assert line.count("earlier case") == 2  # not the refund dispute, nor the one elsewhere


async def test_a_partys_cases_by_reference_within_the_callers_regions_and_role(
    system: httpx.AsyncClient,
) -> None:
    in_a = [await reported(system, dispute(g, phone=PHONE, **REFUND)) for g in GRIDS_A[:3]]
    in_b = await reported(system, dispute(GRID_B, phone=PHONE, **NOISE))
    ref = await party_ref(system, PHONE)

    page = (await system.get(f"/v1/parties/{ref}/cases", params={"limit": 3})).json()
    rest = await system.get(
        f"/v1/parties/{ref}/cases", params={"limit": 3, "cursor": page["next_cursor"]}
    )
    numbers = [c["number"] for c in [*page["items"], *rest.json()["items"]]]
    assert numbers == [c["number"] for c in reversed([*in_a, in_b])]  # newest first
    assert rest.json()["next_cursor"] is None

    township = {"Authorization": f"Bearer {TOWNSHIP_SUPERVISOR}"}
    seen = (await system.get(f"/v1/parties/{ref}/cases", headers=township)).json()
    assert {c["case_id"] for c in seen["items"]} == {c["id"] for c in in_a}
    reader = {"Authorization": f"Bearer {READER}"}
    assert (await system.get(f"/v1/parties/{ref}/cases", headers=reader)).status_code == 403
    assert (await system.get(f"/v1/parties/{PHONE}/cases")).status_code == 422
    other = await party_ref(system, OTHER_PHONE)
    assert (await system.get(f"/v1/parties/{other}/cases")).json()["items"] == []


@contextlib.asynccontextmanager
async def empty_database(api: httpx.AsyncClient, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated, empty read-model database beside the running system's."""
    settings = api.app.state.context.settings  # type: ignore[attr-defined]
    async with contextlib.AsyncExitStack() as stack:
        if settings.log_backend == "kafka":
            url = await stack.enter_async_context(fresh_pg_database())
        else:
            url = f"sqlite+aiosqlite:///{tmp_path}/fresh.db"
        engine = await open_database(settings.model_copy(update={"database_url": url}))
        stack.push_async_callback(engine.dispose)
        yield engine


async def test_a_replay_rebuilds_the_history_as_it_was(
    system: httpx.AsyncClient, tmp_path: Path
) -> None:
    for grid, phone in ((GRIDS_A[0], PHONE), (GRIDS_A[0], None), (GRID_B, OTHER_PHONE)):
        await reported(system, dispute(grid, phone=phone, **NOISE))
    context = system.app.state.context  # type: ignore[attr-defined]
    projection = CaseHistoryProjection(secret=PartySettings().secret)
    live = {t.name: await table_checksum(context.engine, t) for t in projection.tables}

    async with empty_database(system, tmp_path) as fresh:
        report = await rebuild(log=context.log, engine=fresh, projection=projection)

    assert report.checksums == live
