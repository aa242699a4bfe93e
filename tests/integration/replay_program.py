"""Random histories for the replay-equivalence test: hypothesis strategies of commands over
many cases, a runner that sends them to the running system, and a "settled" check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from hypothesis import strategies as st
from sqlalchemy import select

from services.escalation.config import LadderSettings
from services.escalation.ladder.evolve import fold
from services.intake.runtime import IntakeRuntime
from services.measures.runtime import MeasuresRuntime
from shared.consumers.progress import Progress
from shared.db.schema import case_facts, cases, escalation_timers, unit_queue
from shared.events.envelope import EventEnvelope
from shared.runtime.clock import SimulatedClock
from shared.times import as_utc
from shared.vocabulary import Tier
from tests.integration.test_intake_api import MY_GRID, OTHER_GRID, report

REPORTS = {
    "blue": {},
    "yellow": {"title": "邻里斗殴", "description": "两户邻居因占道打架，一人受伤。"},
    "red": {"title": "煽动聚集", "description": "有人煽动拆迁户明天集体到镇政府聚集。"},
}
TIER_EVENTS = ("CaseTriaged", "TierOverridden")


@dataclass(frozen=True)
class Step:
    op: str
    case: int = 0
    arg: Any = None


def _on_case(op: str, args: st.SearchStrategy[Any]) -> st.SearchStrategy[Step]:
    return st.builds(Step, op=st.just(op), case=st.integers(0, 63), arg=args)


STEPS = st.one_of(
    _on_case("acknowledgement", st.none()),
    _on_case("attempts", st.sampled_from(["failed", "succeeded", "partial"])),
    _on_case("pause", st.none()),
    _on_case("resume", st.none()),
    _on_case("escalation-requests", st.none()),
    _on_case("resolution", st.sampled_from(["mediated", "litigation", "withdrawn"])),
    _on_case("follow-up", st.booleans()),
    _on_case("tier-override", st.sampled_from(list(Tier))),
    st.builds(Step, op=st.just("advance"), arg=st.sampled_from([1, 5, 13, 30, 80, 24 * 8])),
)


@st.composite
def histories(draw: st.DrawFn, *, steps: int) -> tuple[list[str], list[Step]]:
    kinds = draw(st.lists(st.sampled_from(list(REPORTS)), min_size=6, max_size=12))
    return kinds, draw(st.lists(STEPS, min_size=steps, max_size=steps))


def _body(step: Step) -> dict[str, Any]:
    if step.op == "attempts":
        return {"result": step.arg, "note": "调解记录"}
    if step.op in ("pause", "resume"):
        return {"reason": "等待当事人"}
    if step.op == "resolution":
        return {"outcome": step.arg, "result_text": "处理结果"}
    if step.op == "follow-up":
        return {"satisfied": step.arg, "note": "回访"}
    if step.op == "tier-override":
        return {"tier": step.arg.value, "reason": "人工调整"}
    return {}


async def run_step(api: httpx.AsyncClient, ids: list[str], step: Step) -> int:
    if step.op == "advance":
        clock = api.app.state.context.clock  # type: ignore[attr-defined]
        assert isinstance(clock, SimulatedClock)
        clock.set(clock.now() + timedelta(hours=step.arg))
        return 200
    case_id = ids[step.case % len(ids)]
    answer = await api.post(f"/v1/cases/{case_id}/{step.op}", json=_body(step))
    assert answer.status_code in (200, 201, 409), answer.text
    if answer.status_code == 409:
        assert answer.headers["content-type"].startswith("application/problem+json")
    return answer.status_code


async def report_all(api: httpx.AsyncClient, kinds: list[str]) -> list[str]:
    ids = []
    for i, kind in enumerate(kinds):
        unit = (OTHER_GRID if i % 3 == 0 else MY_GRID).code
        answer = await api.post("/v1/cases", json=report(unit_code=unit, **REPORTS[kind]))
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    return ids


def _reaction_pending(stream: list[EventEnvelope], settings: LadderSettings) -> bool:
    """A tier event the escalation reactor has yet to act on (assign, or move up)."""
    last = max((i for i, e in enumerate(stream) if e.event_type in TIER_EVENTS), default=None)
    if last is None:
        return stream[0].event_type == "CaseReported"  # triage has yet to run
    if any(e.event_type == "CaseAssigned" for e in stream[last + 1 :]):
        return False
    state = fold(stream[0].case_id, stream[: last + 1])
    if state.level is None:
        return True
    assert state.tier is not None
    return not state.closed and settings.start_level[state.tier] > state.level


async def settled(api: httpx.AsyncClient, ids: list[str]) -> bool:
    """Nothing left to happen: reactions done, due timers fired, every read model current."""
    context = api.app.state.context  # type: ignore[attr-defined]
    streams = await context.log.read_streams(ids)
    heads = {case_id: stream[-1].sequence for case_id, stream in streams.items()}
    settings = LadderSettings()
    if any(_reaction_pending(stream, settings) for stream in streams.values()):
        return False
    wanted = {
        t["timer_id"] for s in streams.values() for e in s for t in e.payload.get("timers") or ()
    }
    now = as_utc(context.clock.now())
    async with context.engine.connect() as conn:
        timers = (await conn.execute(select(escalation_timers))).mappings().all()
        versions = [
            dict((await conn.execute(select(t.c[key], t.c.version))).all())
            for t, key in ((cases, "id"), (unit_queue, "case_id"), (case_facts, "case_id"))
        ]
    if wanted - {t["timer_id"] for t in timers}:
        return False
    if any(t["fired_at"] is None and as_utc(t["due_at"]) <= now for t in timers):
        return False
    if any(v != heads for v in versions):
        return False
    again = await context.log.read_streams(ids)
    return all(again[c][-1].sequence == heads[c] for c in ids)


async def wait_settled(api: httpx.AsyncClient, ids: list[str]) -> None:
    runtimes = api.app.state.context.runtimes  # type: ignore[attr-defined]
    measures = runtimes.require(MeasuresRuntime)
    progresses: list[Progress] = [
        runtimes.require(IntakeRuntime).cases,
        *(measures.queues, measures.facts),
    ]
    for progress in progresses:
        await progress.wait_until(lambda: settled(api, ids), within=60)
