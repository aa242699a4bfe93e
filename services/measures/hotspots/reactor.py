"""The hotspot detector: a reactor that records ``HotspotDetected`` (研判, RULES.md §5).

It reacts to each report's category being known (triaged, or amended). The report's unit,
category and time come from its own stream; when each of its units has a hotspot recorded
near that time (a burst going on) there is nothing more to do. Otherwise it waits until the
hotspot read model holds the report (so the report counted last sees the whole burst), and
joins the reports waiting for a decision on the same township and category: one decision at
a time per township and category takes all of them, reads the reports around them and the
units' hotspot streams once, and appends what ``decide`` returns. The append is fenced on
the stream's version and keyed by the hotspot: of two detectors deciding at once only one
records it (the other re-reads and finds it), and a redelivered event records nothing new.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from services.measures.hotspots.decide import decide, detected_at, recorded, settled
from services.measures.hotspots.fold import CATEGORY_EVENTS, evolve
from services.measures.hotspots.queries import points_near, stored_version
from services.measures.hotspots.rule import Point, Reports, Rule, township_of, units_of
from services.measures.hotspots.settle import Applied
from shared.cases.catalogue.hotspots import HotspotDetected, hotspot_stream
from shared.db.transaction import connect
from shared.events.envelope import EventEnvelope, new_event
from shared.log.port import EventLog
from shared.vocabulary import Category

PRODUCER = "hotspots"
Place = tuple[str, str]
"""A township and a category: what one decision covers."""
Streams = dict[str, list[EventEnvelope]]
Flagged = dict[str, list[datetime]]


class HotspotDetector:
    group = "hotspots.detector"

    def __init__(
        self,
        *,
        log: EventLog,
        engine: AsyncEngine,
        rule: Rule,
        applied: Applied,
        settle_seconds: float,
        linger_seconds: float = 0.0,
    ) -> None:
        self._log = log
        self._engine = engine
        self._rule = rule
        self._applied = applied
        self._settle = settle_seconds
        self._linger = linger_seconds
        self._waiting: dict[Place, list[Point]] = defaultdict(list)
        self._deciding: dict[Place, asyncio.Lock] = defaultdict(asyncio.Lock)

    def wants(self, event: EventEnvelope) -> bool:
        return event.event_type in CATEGORY_EVENTS

    async def react(self, event: EventEnvelope) -> None:
        if event.event_type not in CATEGORY_EVENTS:
            return
        row = None
        for item in await self._log.read_stream_until(event.case_id, until=event.sequence):
            row = evolve(row, item)
        if row is None or not row.get("category"):
            return
        category, at = Category(row["category"]), row["reported_at"]
        report = Point(case_id=event.case_id, reported_at=at, units=units_of(row["unit_code"]))
        flagged = await self._flagged(report.units, category)
        if settled(report, flagged, self._rule):
            return  # a burst going on: its hotspot is recorded already
        await self._applied.wait(
            event.case_id, event.sequence, stored=lambda: self._stored(event), within=self._settle
        )
        place = (township_of(row["unit_code"]), category.value)
        self._waiting[place].append(report)
        async with self._deciding[place]:
            if self._waiting[place]:
                await asyncio.sleep(self._linger)  # the reports coming meanwhile join
            reports, self._waiting[place] = self._waiting[place], []
            if not reports:
                return  # decided with the others waiting: nothing of this report is left
            try:
                await self._decide(place, reports, cause=event)
            except BaseException:
                self._waiting[place].extend(reports)  # the retry of this event takes them
                raise

    async def _stored(self, event: EventEnvelope) -> bool:
        async with connect(self._engine) as conn:
            return await stored_version(conn, event.case_id) >= event.sequence

    async def _streams(self, units: Sequence[str], category: str) -> Streams:
        names = {unit: hotspot_stream(unit, category) for unit in units}
        found = await self._log.read_streams(list(names.values()))  # one read for all
        return {unit: found.get(name, []) for unit, name in names.items()}

    async def _flagged(self, units: Sequence[str], category: str) -> Flagged:
        return flagged_in(await self._streams(units, category))

    async def _decide(self, place: Place, reports: list[Point], *, cause: EventEnvelope) -> None:
        """One decision for the reports waiting on a township and category."""
        township, category = place
        units = sorted({u for r in reports for u in r.units})
        streams = await self._streams(units, category)
        flagged = flagged_in(streams)
        open_reports = [r for r in reports if not settled(r, flagged, self._rule)]
        if not open_reports:
            return
        async with connect(self._engine) as conn:
            points = await points_near(
                conn,
                category=category,
                unit_code=township,
                since=min(r.reported_at for r in open_reports) - self._rule.reach,
                until=max(r.reported_at for r in open_reports) + self._rule.longest,
            )
        found = decide(
            Reports.of(points),
            batch=open_reports,
            category=Category(category),
            flagged=flagged,
            rule=self._rule,
        )
        for unit in units:
            stream_id = hotspot_stream(unit, category)
            if found.get(stream_id):
                await self._record(cause, stream_id, found[stream_id], streams[unit])

    async def _record(
        self,
        cause: EventEnvelope,
        stream_id: str,
        payloads: list[HotspotDetected],
        history: list[EventEnvelope],
    ) -> None:
        key = f"hotspot:{payloads[0].hotspot_id}"
        events = [
            new_event(
                payload,
                case_id=stream_id,
                producer=PRODUCER,
                causation=cause,
                idempotency_key=key,
                index=index,
                occurred_at=payload.detected_at,
            )
            for index, payload in enumerate(payloads)
        ]
        version = history[-1].sequence if history else 0
        await self._log.append(stream_id, events, expected_version=version, idempotency_key=key)


def flagged_in(streams: Mapping[str, list[EventEnvelope]]) -> Flagged:
    """When each unit's recorded hotspots were detected."""
    return {unit: [detected_at(e) for e in recorded(s)] for unit, s in streams.items()}
