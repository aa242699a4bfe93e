"""``make replay`` rebuilds the duplicate candidate index (``duplicate_index``) from the log
into a fresh database with the live table's checksum, on the embedded log with SQLite and
on Kafka with PostgreSQL: reports folded by the rule, proposed, dismissed, folded by a
supervisor, unfolded, resolved and reopened; every registered read model rebuilt, as after a
disaster recovery, so the supervisors' proposals and the open incidents come back."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from services.all_in_one import SERVICES
from services.replay import projections
from shared.consumers.rebuild import rebuild_all, table_checksum
from shared.db.schema import consumer_positions, duplicate_index
from shared.runtime.build import open_database
from tests.integration.api_client import running_app
from tests.integration.test_duplicates import streams, until
from tests.integration.test_intake_api import report
from tests.integration.test_rebuild import two_databases

pytestmark = pytest.mark.folding

DOG = "张三家的狗夜里叫"
TEXTS = {
    "incident": (DOG, "邻居家的狗每天晚上叫到深夜，吵得全家睡不着觉。"),
    "same": (DOG, "邻居家的狗每天晚上叫到深夜，吵得全家都睡不着觉。"),  # folded by the rule
    "alike": ("狗叫", "小区里有狗一直叫"),  # proposed, then dismissed
    "told": (DOG, "已经一个月了"),  # proposed, then folded by a supervisor
    "other": ("楼上装修噪音", "楼上每天早上七点开始装修电钻声很大"),  # an incident of its own
}


async def rows(api: httpx.AsyncClient) -> dict[str, tuple[str, bool]]:
    """The live index: each report's decision and whether it is an open incident."""
    engine = api.app.state.context.engine  # type: ignore[attr-defined]
    async with engine.connect() as conn:
        found = await conn.execute(select(duplicate_index))
        return {r.case_id: (r.decision, r.open) for r in found}


async def settled(api: httpx.AsyncClient, want: dict[str, tuple[str, bool]]) -> None:
    async def reached() -> bool:
        return await rows(api) == want

    await until(api, reached)


async def post(api: httpx.AsyncClient, path: str, body: dict[str, object]) -> None:
    """A command, sent again after a version conflict as the API asks (the ladder and
    notify append to the same case meanwhile)."""
    for _ in range(20):
        answer = await api.post(path, json=body)
        if answer.status_code != 409 or not answer.json()["type"].endswith("version-conflict"):
            break
    assert answer.status_code == 201, answer.text


async def decided_and_changed(api: httpx.AsyncClient) -> dict[str, str]:
    """Every kind of decision and every change the reactor tracks, in the live index."""
    ids: dict[str, str] = {}
    for name, (title, description) in TEXTS.items():
        answer = await api.post("/v1/cases", json=report(title=title, description=description))
        assert answer.status_code == 201, answer.text
        ids[name] = answer.json()["id"]
        await settled(api, {**(await rows(api)), ids[name]: await decision_of(api, ids[name])})
    incident, same, alike, told, other = (ids[n] for n in TEXTS)
    assert await rows(api) == {
        incident: ("new", True),
        same: ("fold", False),
        alike: ("propose", True),
        told: ("propose", True),
        other: ("new", True),
    }
    await post(
        api,
        f"/v1/cases/{alike}/duplicates/dismiss",
        {"candidate_case_id": incident, "reason": "另一户人家"},
    )
    await post(api, f"/v1/cases/{told}/fold", {"into_case_id": incident, "reason": "同一只狗"})
    await post(api, f"/v1/cases/{same}/unfold", {"reason": "不是同一只狗，是另一户人家"})

    async def other_assigned() -> bool:
        """The ladder assigned it: a resolution before that is refused (not assigned yet)."""
        return "CaseAssigned" in (await streams(api, [other]))[other]

    await until(api, other_assigned)
    await post(
        api, f"/v1/cases/{other}/resolution", {"outcome": "mediated", "result_text": "已调解"}
    )
    await settled(
        api,
        {
            incident: ("new", True),
            same: ("unfolded", True),
            alike: ("dismissed", True),
            told: ("fold", False),
            other: ("new", False),
        },
    )
    await post(api, f"/v1/cases/{other}/follow-up", {"satisfied": False, "note": "仍在施工"})
    return ids


async def decision_of(api: httpx.AsyncClient, case_id: str) -> tuple[str, bool]:
    """The report's row once triage decided it (waits for it)."""
    found: list[tuple[str, bool]] = []

    async def decided() -> bool:
        row = (await rows(api)).get(case_id)
        found[:] = [row] if row is not None else []
        return row is not None

    await until(api, decided)
    return found[0]


@pytest.mark.parametrize("kind", ["embedded", "kafka"])
async def test_replay_rebuilds_the_candidate_index_with_the_live_checksum(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FQ_DUPLICATES_FOLD_THRESHOLD", "0.99")
    monkeypatch.setenv("FQ_DUPLICATES_PROPOSE_THRESHOLD", "0.5")
    async with (
        two_databases(kind, tmp_path) as (settings, fresh_url),
        running_app(settings, SERVICES) as api,
    ):
        ids = await decided_and_changed(api)
        reopened = {**(await rows(api)), ids["other"]: ("new", True)}
        await settled(api, reopened)
        context = api.app.state.context  # type: ignore[attr-defined]
        live = await table_checksum(context.engine, duplicate_index)
        fresh = await open_database(settings.model_copy(update={"database_url": fresh_url}))
        try:
            outcome = await rebuild_all(
                log=context.log, engine=fresh, projections=projections(context.log)
            )
            async with fresh.connect() as conn:
                proposed = (await conn.execute(select(duplicate_index))).all()
                groups = (await conn.execute(select(consumer_positions.c.consumer_group))).all()
        finally:
            await fresh.dispose()

    assert len(proposed) == len(TEXTS)
    assert ("projection.duplicate_index",) not in groups, "no position nobody moves on"
    assert ("projection.cases",) in groups
    assert outcome.checksums.get("duplicate_index") == live, "the index as it was live"
