"""研判: a burst of reports in one village raises one hotspot, once; the township and the
county centre are each warned once; a rebuilt read model gives the same hotspot, and
nothing records it a second time."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.all_in_one import SERVICES
from services.measures.hotspots.projection import HotspotCaseProjection
from services.measures.hotspots.queries import hotspots_at
from services.measures.hotspots.reactor import HotspotDetector
from services.measures.runtime import MeasuresRuntime
from services.sandbox.receiver import Receiver
from shared.cases.catalogue.hotspots import hotspot_stream
from shared.config import CommonSettings
from shared.consumers.rebuild import rebuild
from shared.db.schema import hotspot_cases
from shared.events.envelope import EventEnvelope
from shared.log.port import EventLog
from shared.org.levels import Level
from shared.runtime.build import open_database
from shared.times import as_utc
from tests.conftest import fresh_pg_database
from tests.integration.api_client import TOWNSHIP_CLIENT_KEY, api_keys_for_tests, running_app
from tests.integration.notify_support import notices_to, point_notify_at, with_org
from tests.integration.test_intake_api import MY_GRID, MY_TOWNSHIP, OTHER_TOWNSHIP, TREE, report

VILLAGE = TREE.ancestors(MY_GRID.code)[0]
GRIDS = [g.code for g in TREE.children(VILLAGE.code) if g.level is Level.GRID]
COUNTY = TREE.county.code
# Six different disputes between neighbours, told by six callers in one village.
TOLD = [
    ("楼上漏水", "楼上卫生间漏水，天花板发霉，邻居不愿维修。"),
    ("夜间噪音", "隔壁每天深夜唱歌，噪音扰民，劝说无效。"),
    ("占道堆物", "邻居在楼道里堆放杂物，占道影响通行。"),
    ("宠物狗扰民", "邻居家的狗整夜叫，还在楼下随地便溺。"),
    ("停车纠纷", "邻居长期把车停在我家门口，进出不便。"),
    ("装修纠纷", "楼下装修砸墙，我家墙面开裂，双方争吵。"),
]


def warnings_to(receiver: Receiver, unit_code: str) -> list[dict[str, Any]]:
    return notices_to(receiver, unit_code, "hotspot_warning")


def of(stream: list[EventEnvelope], kind: str) -> list[EventEnvelope]:
    return [e for e in stream if e.event_type == kind]


async def hotspot_events(log: EventLog) -> dict[str, list[EventEnvelope]]:
    """Every unit's neighbour-hotspot stream the burst could have touched."""
    units = [*GRIDS, VILLAGE.code, MY_TOWNSHIP.code]
    return {u: await log.read_stream(hotspot_stream(u, "neighbour")) for u in units}


async def counted_reports(engine: AsyncEngine) -> set[tuple[Any, ...]]:
    """The read model's rows but their versions (later events of a case, its deliveries,
    move those on while the test reads)."""
    c = hotspot_cases.c
    query = select(c.case_id, c.number, c.unit_code, c.category, c.reported_at)
    async with engine.connect() as conn:
        return {(*row[:4], as_utc(row[4])) for row in await conn.execute(query)}


async def found_at(engine: AsyncEngine, runtime: MeasuresRuntime, at: Any) -> list[Any]:
    async with engine.connect() as conn:
        found, _rows = await hotspots_at(
            conn, regions=("",), at=at, rule=runtime.hotspot_settings.rule()
        )
    return [(c, f.unit_code, f.window_days, f.case_ids) for c, f in found]


async def test_a_burst_in_one_village_raises_one_hotspot_once_and_a_rebuild_gives_it_again(
    settings_for: CommonSettings,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    assert len(GRIDS) >= 2, "the sample village has several grids"
    point_notify_at(monkeypatch, receiver)
    keys = api_keys_for_tests(township_region=OTHER_TOWNSHIP.code[:9])
    settings = with_org(settings_for, receiver, tmp_path).model_copy(update={"api_keys": keys})
    async with running_app(settings, SERVICES) as api:
        context = api.app.state.context  # type: ignore[attr-defined]
        runtime = context.runtimes.require(MeasuresRuntime)
        case_ids = []
        for i, (title, text) in enumerate(TOLD):  # spread over the grids: none hot alone
            body = report(
                title=title, description=text, category="neighbour", unit_code=GRIDS[i % 2]
            )
            answer = await api.post("/v1/cases", json=body)
            assert answer.status_code == 201
            case_ids.append(answer.json()["id"])
            await api.post("/v1/admin/clock/advance", json={"seconds": 3 * 3600})

        await receiver.wait_for(
            lambda r: bool(warnings_to(r, MY_TOWNSHIP.code) and warnings_to(r, COUNTY)),
            within=60,
        )
        # Every report decided once more, as a redelivery to another detector would.
        again = HotspotDetector(
            log=context.log,
            engine=context.engine,
            rule=runtime.hotspot_settings.rule(),
            applied=runtime.hotspots,
            settle_seconds=30,
        )
        for case_id in case_ids:
            for event in of(await context.log.read_stream(case_id), "CaseTriaged"):
                await again.react(event)

        streams = await hotspot_events(context.log)
        detected = {u: of(s, "HotspotDetected") for u, s in streams.items() if s}
        assert list(detected) == [VILLAGE.code], "the village, not its grids or township"
        (event,) = detected[VILLAGE.code]
        assert event.payload["cases"] in (5, 6) and event.payload["window_days"] == 7
        assert set(event.payload["case_ids"]) <= set(case_ids)
        issued = of(streams[VILLAGE.code], "DispatchOrderIssued")
        assert sorted(e.payload["unit_code"] for e in issued) == sorted([MY_TOWNSHIP.code, COUNTY])
        await _one_warning_each(receiver, event)
        await _the_route_shows_it(api, event, case_ids)

        live = await found_at(context.engine, runtime, context.clock.now())
        counted = await counted_reports(context.engine)
        assert len(counted) == len(TOLD)
        async with _fresh_database(settings_for, tmp_path) as fresh_url:
            fresh = await open_database(settings_for.model_copy(update={"database_url": fresh_url}))
            try:
                projection = HotspotCaseProjection(log=context.log)
                await rebuild(log=context.log, engine=fresh, projection=projection)
                assert await counted_reports(fresh) == counted
                assert await found_at(fresh, runtime, context.clock.now()) == live
            finally:
                await fresh.dispose()
        after = await hotspot_events(context.log)
        assert [len(of(s, "HotspotDetected")) for s in after.values()] == [
            len(of(s, "HotspotDetected")) for s in streams.values()
        ]
    assert live and live[0][1] == VILLAGE.code and len(live[0][3]) == 6


async def _one_warning_each(receiver: Receiver, event: EventEnvelope) -> None:
    for unit in (MY_TOWNSHIP.code, COUNTY):
        (warning,) = warnings_to(receiver, unit)
        assert warning["case_number"] == event.payload["hotspot_id"]
        assert warning["parties"] == [] and VILLAGE.name in warning["summary"]
    assert not warnings_to(receiver, VILLAGE.code)


async def _the_route_shows_it(
    api: httpx.AsyncClient, event: EventEnvelope, case_ids: list[str]
) -> None:
    body = (await api.get("/v1/hotspots")).json()
    (hotspot,) = body["hotspots"]
    assert hotspot["unit_code"] == VILLAGE.code and hotspot["category"] == "neighbour"
    assert hotspot["hotspot_id"] == event.payload["hotspot_id"]
    assert {c["case_id"] for c in hotspot["case_list"]} == set(case_ids)
    elsewhere = await api.get(
        "/v1/hotspots", headers={"Authorization": f"Bearer {TOWNSHIP_CLIENT_KEY}"}
    )
    assert elsewhere.status_code == 200 and elsewhere.json()["hotspots"] == []
    assert (await api.get("/v1/hotspots?limit=0")).status_code == 422


@contextlib.asynccontextmanager
async def _fresh_database(settings: CommonSettings, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the same kind to rebuild into."""
    if settings.database_url.startswith("sqlite"):
        (tmp_path / "fresh").mkdir()
        yield f"sqlite+aiosqlite:///{tmp_path}/fresh/app.db"
        return
    async with fresh_pg_database() as url:
        yield url


async def test_the_route_refuses_an_instant_without_its_offset_or_out_of_range(
    settings_for: CommonSettings,
) -> None:
    async with running_app(settings_for, SERVICES) as api:
        for at in ("2026-03-02T09:00:00", "1900-01-01T00:00:00Z", "not-a-time"):
            answer = await api.get("/v1/hotspots", params={"at": at})
            assert answer.status_code == 422, at
            assert answer.headers["content-type"].startswith("application/problem+json")
        ok = await api.get("/v1/hotspots", params={"at": "2026-03-02T09:00:00+08:00"})
        assert ok.status_code == 200 and ok.json()["hotspots"] == []
        assert ok.json()["rule"]["windows_days"] == [7, 30]
