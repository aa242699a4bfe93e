"""The console benchmark's data: one case worked through the API (reported, triaged,
assigned, acknowledged, one failed mediation attempt), then cloned under new ids and
appended in bulk through the log port, with one case of ``big_events`` events.

The reactors and the timer index take the clones as history they acted on already (their
positions move past them: no dispatch orders go out again); the read models the console
reads (cases, queues, measures) catch up on them as they would after a rebuild.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator, Sequence

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from shared.db.positions import load_positions, save_positions
from shared.db.schema import consumer_positions
from shared.events.envelope import EventEnvelope
from shared.log.embedded import EmbeddedLog
from shared.log.port import AppendRequest, AppendResult

GRID = "330681106001001"
"""A grid of the sample county (诸暨市): the unit whose queue holds the clones."""
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
REPORT = {
    "title": "邻居装修噪音纠纷",
    "description": "楼上住户连续一周夜间装修，噪音很大，双方多次争吵。",
    "unit_code": GRID,
    "parties": [{"name": "张三", "phone": "17012345678"}],
    "parties_count": 2,
}


def _until(check: object, *, within: float = 120.0) -> None:
    deadline = time.monotonic() + within
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise RuntimeError("the server never got there")
        time.sleep(0.1)


def worked_case(base: str) -> str:
    """A case in ``GRID``'s queue, acknowledged, with one failed attempt: its id."""
    with httpx.Client(base_url=base, headers={"Authorization": "Bearer dev"}, timeout=30) as api:
        case_id = str(api.post("/v1/cases", json=REPORT).json()["id"])
        _until(lambda: api.get(f"/v1/cases/{case_id}").json()["order_id"])
        api.post(f"/v1/cases/{case_id}/acknowledgement").raise_for_status()
        attempt = {"result": "failed", "note": "第一次调解，双方未达成一致"}
        api.post(f"/v1/cases/{case_id}/attempts", json=attempt).raise_for_status()
        return case_id


def _clone(events: Sequence[EventEnvelope], n: int) -> list[EventEnvelope]:
    """The stream again under ids of its own (every id inside it mapped) and number."""
    mapped: dict[str, str] = {}

    def fresh(found: re.Match[str]) -> str:
        return mapped.setdefault(found[0], str(uuid.uuid4()))

    clones = []
    for event in events:
        text = UUID.sub(fresh, event.model_dump_json(exclude={"recorded_at", "idempotency_key"}))
        clone = EventEnvelope.model_validate_json(text)
        if "number" in clone.payload:
            prefix = str(clone.payload["number"]).rsplit("-", 1)[0]
            clone.payload["number"] = f"{prefix}-9{n:05d}"
        clones.append(clone)
    return clones


def _requests(stream: list[EventEnvelope], cases: int, big_events: int) -> Iterator[AppendRequest]:
    attempts = [e for e in stream if e.event_type == "MediationAttemptRecorded"]
    extra = max(0, big_events - len(stream))
    big = [*stream, *(attempts * extra)[:extra]]
    for n, events in enumerate([big, *[stream] * (cases - 1)]):
        clones = _clone(events, n)
        yield AppendRequest(case_id=clones[0].case_id, events=clones, expected_version=0)


async def append_clones(
    log_url: str, app_url: str, template: str, *, cases: int, big_events: int
) -> str:
    """Append ``cases`` clones of ``template`` (the first with ``big_events`` events) with
    the server stopped; the big case's id."""
    log = EmbeddedLog(log_url)
    await log.start()
    try:
        stream = await log.read_stream(template)
        requests = list(_requests(stream, cases, big_events))
        for start in range(0, len(requests), 200):
            outcomes = await log.append_batch(requests[start : start + 200])
            refused = [o for o in outcomes if not isinstance(o, AppendResult)]
            if refused:
                raise RuntimeError(f"the log refused a clone: {refused[0]!r}")
        end = await log.end_offsets()
    finally:
        await log.close()
    await _reactors_past(app_url, end)
    return requests[0].case_id


async def _reactors_past(app_url: str, end: dict[int, int]) -> None:
    engine = create_async_engine(app_url)
    try:
        async with engine.begin() as conn:
            found = await conn.execute(select(consumer_positions.c.consumer_group).distinct())
            for group in [g for (g,) in found.all() if not g.startswith("projection.")]:
                known = await load_positions(conn, group)
                await save_positions(conn, group, known=known, new=end)
    finally:
        await engine.dispose()
