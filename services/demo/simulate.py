"""A simulated year for the sample county, driven through the real HTTP API in-process.

The simulated clock moves a day at a time. Every day new reports come in, handlers
sign dispatch orders, record attempts, ask to escalate early, resolve and make follow-up
visits as each case's plan says; deadlines that pass escalate cases by themselves (the
ladder's timers). Between steps the simulation waits until every consumer has caught up
with the log, no timer is due and no delivery is waiting.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import structlog
from sqlalchemy import and_, func, or_, select

from services.demo.plan import CasePlan, above, plan_case
from services.demo.reports import ReportMaker
from shared.db.engine import make_engine
from shared.db.schema import consumer_positions, deliveries, escalation_timers
from shared.events.envelope import EventEnvelope
from shared.log.sql_schema import event_log
from shared.runtime.context import AppContext
from shared.times import as_utc

log = structlog.get_logger(__name__)

STEP = timedelta(days=1)
STEPS_PER_DAY = 1
FOLLOW_UP_STEPS = 7 * STEPS_PER_DAY  # 回访 due 7 days after resolution (RULES.md §4)


@dataclass
class Tracked:
    case_id: str
    plan: CasePlan
    level: str | None = None
    order_id: str | None = None
    acknowledged: set[str] = field(default_factory=set)
    steps_here: int = 0
    failed_here: int = 0
    resolved_step: int | None = None
    reopened: bool = False
    reopens: int = 0
    closed: bool = False


class Simulation:
    def __init__(
        self,
        api: httpx.AsyncClient,
        context: AppContext,
        *,
        cases: int,
        days: int,
        groups: frozenset[str],
        seed: int = 2026,
    ) -> None:
        self._api = api
        self._context = context
        self._rng = random.Random(seed)
        self._maker = ReportMaker(context.tree, self._rng)
        self._groups = groups
        steps = days * STEPS_PER_DAY
        last_report = max(steps - 10 * STEPS_PER_DAY, 1)  # the last days only close cases
        self._arrivals: dict[int, int] = {}
        for _ in range(cases):
            step = self._rng.randrange(last_report)
            self._arrivals[step] = self._arrivals.get(step, 0) + 1
        self._steps = steps
        self._tracked: dict[str, Tracked] = {}
        self._seen = context.log.first_offset
        self._reported = 0
        # Its own connection: the services' single SQLite connection stays theirs.
        self._observer = make_engine(context.settings.database_url, durable=False)
        self._log_observer = make_engine(context.settings.log_url, durable=False)

    async def run(self, on_day: Callable[[int, int], None] | None = None) -> None:
        """Simulate every day; ``on_day(day, reported so far)`` after each."""
        for step in range(self._steps):
            fresh = await self._report(step)
            await self._await_assignment(fresh)
            await self._acknowledge()
            await self._act(step)
            advanced = await self._api.post(
                "/v1/admin/clock/advance", json={"seconds": STEP.total_seconds()}
            )
            advanced.raise_for_status()
            await self._settle_and_observe()
            for case in self._tracked.values():
                case.steps_here += 1
            if on_day is not None and step % STEPS_PER_DAY == STEPS_PER_DAY - 1:
                on_day(step // STEPS_PER_DAY + 1, self._reported)

    async def _report(self, step: int) -> list[str]:
        """Today's reports; returns the ids of the cases accepted."""
        fresh: list[str] = []

        async def one() -> None:
            tier = self._maker.tier()
            self._reported += 1
            body = self._maker.report(tier, self._reported)
            answer = await self._api.post(
                "/v1/cases", json=body, headers={"Idempotency-Key": f"demo-{self._reported}"}
            )
            answer.raise_for_status()
            created = answer.json()
            if created["status"] != "rejected":
                case_id = created["id"]
                self._tracked[case_id] = Tracked(case_id, plan_case(tier, self._rng))
                fresh.append(case_id)

        await asyncio.gather(*(one() for _ in range(self._arrivals.get(step, 0))))
        return fresh

    async def _await_assignment(self, case_ids: list[str], *, within: float = 60.0) -> None:
        """Until triage and the ladder have given each new case its first dispatch order."""
        try:
            async with asyncio.timeout(within):
                while True:
                    await self._observe_new()
                    if all(self._tracked[case_id].order_id for case_id in case_ids):
                        return
                    await asyncio.sleep(0.02)
        except TimeoutError:
            log.warning("demo_not_assigned", waited_seconds=within)

    async def _post(self, path: str, body: Mapping[str, object] | None = None) -> bool:
        answer = await self._api.post(path, json=body or {})
        if answer.status_code == 409:  # refused or conflicting: the case moved meanwhile
            return False
        answer.raise_for_status()
        return True

    async def _act(self, step: int) -> None:
        await asyncio.gather(
            *(self._act_on(case, step) for case in list(self._tracked.values()) if case.level)
        )

    async def _act_on(self, case: Tracked, step: int) -> None:
        plan, path = case.plan, f"/v1/cases/{case.case_id}"
        if case.closed:
            return
        if case.resolved_step is not None:
            if step - case.resolved_step >= FOLLOW_UP_STEPS:
                # The first visit as planned, the second after a reopening too; the third is
                # satisfied (a case does not bounce back and forth all year).
                satisfied = (plan.satisfied, plan.satisfied_after_reopen, True)[
                    min(case.reopens, 2)
                ]
                note = "当事人表示满意" if satisfied else "当事人认为协议未履行"
                if await self._post(f"{path}/follow-up", {"satisfied": satisfied, "note": note}):
                    case.closed = satisfied
                    case.resolved_step = None if not satisfied else case.resolved_step
                    case.reopened = case.reopened or not satisfied
            return
        assert case.level is not None
        if above(plan.target_level, case.level):
            if plan.early_request and case.steps_here >= 1:
                while case.failed_here < 3:
                    failed = {"result": "failed", "note": "双方分歧较大，调解未成"}
                    if not await self._post(f"{path}/attempts", failed):
                        return
                    case.failed_here += 1
                await self._post(f"{path}/escalation-requests")
            elif case.steps_here == 1 and case.failed_here == 0:
                refused = {"result": "failed", "note": "当事人拒绝调解"}
                case.failed_here += await self._post(f"{path}/attempts", refused)
            return  # otherwise the deadline will move it up
        if case.steps_here < plan.steps_at_target and not case.reopened:
            return
        if not await self._post(f"{path}/attempts", {"result": "succeeded", "note": "达成协议"}):
            return
        body: dict[str, object] = {
            "outcome": plan.outcome,
            "result_text": "双方签订调解协议" if plan.outcome == "mediated" else "已引导处理",
            "judicial_confirmation": plan.judicial_confirmation,
        }
        if await self._post(f"{path}/resolution", body):
            case.resolved_step = step

    async def _acknowledge(self) -> None:
        pending = [
            case
            for case in self._tracked.values()
            if case.order_id and case.order_id not in case.acknowledged and case.plan.acknowledges
        ]

        async def ack(case: Tracked) -> None:
            assert case.order_id is not None
            case.acknowledged.add(case.order_id)
            await self._post(f"/v1/dispatch-orders/{case.order_id}/ack")

        await asyncio.gather(*(ack(case) for case in pending))

    async def _settle_and_observe(self) -> None:
        await self._settle()
        await self._observe_new()

    async def _observe_new(self) -> None:
        async for batch in self._context.log.replay({0: self._seen}):
            for delivery in batch:
                self._seen = delivery.position.offset + 1
                if delivery.event is not None:
                    self._observe(delivery.event)

    def _observe(self, event: EventEnvelope) -> None:
        case = self._tracked.get(event.case_id)
        if case is None:
            return
        payload = event.payload
        if event.event_type == "CaseAssigned":
            case.level, case.order_id = payload["level"], payload["order_id"]
            case.steps_here, case.failed_here = 0, 0
        elif event.event_type == "CaseReopened":
            case.level, case.steps_here = payload["level"], 0
            case.resolved_step, case.reopened = None, True
            case.reopens += 1

    async def _settle(self, *, within: float = 60.0) -> None:
        """Wait until consumers have caught up, no timer is due and no delivery waits."""
        try:
            async with asyncio.timeout(within):
                while not await self._settled():  # noqa: ASYNC110 (state lives in the database)
                    await asyncio.sleep(0.05)
        except TimeoutError:
            log.warning("demo_not_settled", waited_seconds=within)

    async def _settled(self) -> bool:
        async with self._log_observer.connect() as conn:
            last = (await conn.execute(select(func.max(event_log.c.position)))).scalar()
        ends = {0: int(last or 0) + 1}  # the embedded log's one partition
        now = as_utc(self._context.clock.now())
        async with self._observer.connect() as conn:
            positions = (await conn.execute(select(consumer_positions))).all()
            due = (
                await conn.execute(
                    select(func.count()).where(
                        escalation_timers.c.fired_at.is_(None), escalation_timers.c.due_at <= now
                    )
                )
            ).scalar()
            waiting = (
                await conn.execute(
                    select(func.count()).where(
                        and_(
                            deliveries.c.status == "pending",
                            or_(
                                deliveries.c.next_attempt_at.is_(None),
                                deliveries.c.next_attempt_at <= now,
                            ),
                        )
                    )
                )
            ).scalar()
        stored = {(row.consumer_group, row.partition): row.next_offset for row in positions}
        caught_up = all(
            stored.get((group, partition), self._context.log.first_offset) >= end
            for group in self._groups
            for partition, end in ends.items()
        )
        return caught_up and not due and not waiting

    async def close(self) -> None:
        await self._observer.dispose()
        await self._log_observer.dispose()
