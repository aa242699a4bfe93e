"""The scheduler's batched firing on each log adapter: planned ahead, fenced, fired once."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from services.escalation.config import LadderSettings
from services.escalation.ladder.calendar import BusinessCalendar
from services.escalation.ladder.commands import AcknowledgeOrder, AssignCase
from services.escalation.scheduler import TimerScheduler
from services.escalation.service import Ladder, run_command
from services.escalation.timers.projection import TimerIndex
from shared.cases.catalogue.intake import CaseReported
from shared.db.schema import escalation_timers
from shared.events.envelope import new_event
from shared.org.levels import Level
from shared.org.loader import load_org_tree, sample_county_path
from shared.runtime.clock import SimulatedClock
from shared.vocabulary import Tier
from tests.conftest import LogUnderTest
from tests.integration.conftest import START

DEADLINE = START + timedelta(days=5)  # red: the township has five days


def ladder_on(under_test: LogUnderTest) -> Ladder:
    return Ladder(
        log=under_test.log,
        tree=load_org_tree(sample_county_path()),
        clock=SimulatedClock(START),
        settings=LadderSettings(),
        calendar=BusinessCalendar(),
    )


async def red_case(ladder: Ladder, under_test: LogUnderTest) -> str:
    """A red case assigned to its township, its timers in the index."""
    grid = ladder.tree.units(level=Level.GRID)[0].code
    path = {level: unit.code for level, unit in ladder.tree.path(grid).items()}
    case_id = f"case-{uuid.uuid4()}"
    reported = CaseReported(
        title="t",
        description="d",
        unit_code=grid,
        grid_unit_code=grid,
        reported_by="test",
        fingerprint="f",
        number=f"n-{case_id[-6:]}",
    )
    await ladder.log.append(case_id, [new_event(reported, case_id=case_id, producer="test")])
    assigned = await run_command(
        ladder, case_id=case_id, make=lambda _s, _p: AssignCase(tier=Tier.RED, unit_path=path)
    )
    async with under_test.engine.begin() as conn:
        await TimerIndex(partition_of=ladder.log.partition_of).apply_many(assigned, conn)
    return case_id


async def fire_all(scheduler: TimerScheduler) -> None:
    while await scheduler.fire_due():
        pass


async def outcomes(under_test: LogUnderTest, case_id: str) -> dict[str, str | None]:
    t = escalation_timers.c
    async with under_test.engine.connect() as conn:
        rows = (await conn.execute(select(t.kind, t.outcome).where(t.case_id == case_id))).all()
    return {kind: outcome for kind, outcome in rows}


async def test_a_firing_planned_ahead_is_decided_again_when_the_case_moved_on(
    any_log: LogUnderTest,
) -> None:
    ladder = ladder_on(any_log)
    moved, untouched = await red_case(ladder, any_log), await red_case(ladder, any_log)
    scheduler = TimerScheduler(ladder=ladder, engine=any_log.engine)
    await scheduler.prefetch()
    # After the plans were made, the township acknowledges one order (签收).
    await run_command(
        ladder,
        case_id=moved,
        make=lambda _s, _p: AcknowledgeOrder(order_id=f"{moved}.1", by="township"),
    )

    assert isinstance(ladder.clock, SimulatedClock)
    ladder.clock.set(DEADLINE + timedelta(hours=3))
    await fire_all(scheduler)

    for case_id, lapsed in ((moved, 0), (untouched, 1)):
        stream = await ladder.log.read_stream(case_id)
        types = Counter(e.event_type for e in stream)
        assert types["AcknowledgementLapsed"] == lapsed, types
        assert types["DeadlineReached"] == 1 and types["CaseEscalated"] == 1, types
        county = [e for e in stream if e.event_type == "CaseAssigned"][-1]
        assert county.payload["level"] == "county"
        assert county.payload["assigned_at"].startswith(DEADLINE.isoformat()[:19])
        reached = next(i for i, e in enumerate(stream) if e.event_type == "DeadlineReached")
        assert stream[reached + 1].event_type == "CaseEscalated"
    assert await outcomes(any_log, moved) == {
        "ack": "stale",
        "warning": "fired",
        "deadline": "fired",
    }
    assert await outcomes(any_log, untouched) == {
        "ack": "fired",
        "warning": "fired",
        "deadline": "fired",
    }


async def test_two_schedulers_firing_the_same_due_timers_write_one_set_of_events(
    any_log: LogUnderTest,
) -> None:
    ladder = ladder_on(any_log)
    cases = [await red_case(ladder, any_log) for _ in range(5)]
    one = TimerScheduler(ladder=ladder, engine=any_log.engine)
    other = TimerScheduler(ladder=ladder, engine=any_log.engine)
    await one.prefetch()  # one planned ahead, the other decides when they come due

    assert isinstance(ladder.clock, SimulatedClock)
    ladder.clock.set(DEADLINE + timedelta(minutes=1))
    await asyncio.gather(one.fire_due(), other.fire_due())
    await asyncio.gather(fire_all(one), fire_all(other))

    for case_id in cases:
        stream = await ladder.log.read_stream(case_id)
        types = Counter(e.event_type for e in stream)
        assert types["DeadlineReached"] == 1 and types["AcknowledgementLapsed"] == 1, types
        assert types["CaseAssigned"] == 2, types
        assert [e.sequence for e in stream] == list(range(1, len(stream) + 1))
