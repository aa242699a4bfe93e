"""The hotspot detector: a reactor that records ``HotspotDetected`` (研判, RULES.md §5).

It reacts to each report's category being known (triaged, or amended), once the hotspot
read model holds that report (so the last report of a burst to be counted sees all of
them), reads the reports around it and each of its units' hotspot streams, and appends
what ``decide`` returns. The append is fenced on the stream's version and keyed by the
hotspot: of two detectors deciding at once only one records it (the other re-reads and
finds it), and a redelivered event records nothing new.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from services.measures.hotspots.decide import decide, detected_at, recorded, settled
from services.measures.hotspots.fold import CATEGORY_EVENTS, HotspotRow
from services.measures.hotspots.queries import points_near, stored_row
from services.measures.hotspots.rule import Point, Rule, units_of
from shared.cases.catalogue.hotspots import HotspotDetected, hotspot_stream
from shared.consumers.progress import Progress
from shared.events.envelope import EventEnvelope, new_event
from shared.log.port import EventLog
from shared.vocabulary import Category

PRODUCER = "hotspots"


class HotspotDetector:
    group = "hotspots.detector"

    def __init__(
        self,
        *,
        log: EventLog,
        engine: AsyncEngine,
        rule: Rule,
        projected: Progress,
        settle_seconds: float,
    ) -> None:
        self._log = log
        self._engine = engine
        self._rule = rule
        self._projected = projected
        self._settle = settle_seconds

    def wants(self, event: EventEnvelope) -> bool:
        return event.event_type in CATEGORY_EVENTS

    async def _row_of(self, event: EventEnvelope) -> HotspotRow:
        """The report's row once the read model applied ``event`` (TimeoutError, which is
        retried, if it does not within the settle time)."""
        found: HotspotRow = {}

        async def applied() -> bool:
            async with self._engine.connect() as conn:
                row = await stored_row(conn, event.case_id)
            found.update(row or {})
            return row is not None and int(row["version"]) >= event.sequence

        await self._projected.wait_until(applied, within=self._settle)
        return found

    async def react(self, event: EventEnvelope) -> None:
        if event.event_type not in CATEGORY_EVENTS:
            return
        row = await self._row_of(event)
        if not row.get("category"):
            return
        category, unit_code = Category(str(row["category"])), str(row["unit_code"])
        at: datetime = row["reported_at"]
        report = Point(case_id=event.case_id, reported_at=at, units=units_of(unit_code))
        streams = {
            u: await self._log.read_stream(hotspot_stream(u, category)) for u in report.units
        }
        flagged = {unit: [detected_at(e) for e in recorded(s)] for unit, s in streams.items()}
        if settled(report, flagged, self._rule):
            return  # a burst going on: its hotspot is recorded already
        async with self._engine.connect() as conn:
            points = await points_near(
                conn,
                category=category,
                unit_code=unit_code,
                since=at - self._rule.reach,
                until=at + self._rule.longest,
            )
        found = decide(points, report=report, category=category, flagged=flagged, rule=self._rule)
        for unit in report.units:
            payloads = found.get(hotspot_stream(unit, category))
            if payloads:
                await self._record(event, hotspot_stream(unit, category), payloads, streams[unit])

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
