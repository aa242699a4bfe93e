"""The SQL event store: case streams with optimistic versions, idempotency keys, group commit.

Used as the embedded log (SQLite in WAL mode) and, beside Kafka, as the write fence and
per-case index (PostgreSQL). Appends queue up and one writer task commits them in batches,
so a durable commit (fsync) is shared by every append waiting at that moment.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter, deque
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from operator import itemgetter

from sqlalchemy import and_, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.bulk import driver_datetime, insert_statement
from shared.db.keys import key_in
from shared.events.codec import encode_instant
from shared.events.envelope import EventEnvelope, utc_now
from shared.log.port import (
    AppendRequest,
    AppendResult,
    BatchOutcome,
    Delivery,
    LogError,
    VersionConflict,
)
from shared.log.sql_driver import StoreTransactions
from shared.log.sql_lookups import last_position, look_ups
from shared.log.sql_reads import SqlStoreReads
from shared.log.sql_requests import (
    EVENT_COLUMNS,
    KEY_COLUMNS,
    Call,
    Committed,
    Replay,
    Stamp,
    Submission,
    add_bodies,
    after_refusal,
    checked,
    complete,
    decide,
    event_rows,
    key_row,
    replay_of,
    settle,
)
from shared.log.sql_schema import append_keys, create_log_tables, dead_letters, event_log
from shared.runtime.metrics import EVENTS_APPENDED


class SqlEventStore(SqlStoreReads):
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        max_batch: int = 500,
        published_on_insert: bool = True,
        on_commit: Callable[[Committed], None] | None = None,
        read_engine: AsyncEngine | None = None,
    ) -> None:
        super().__init__(read_engine or engine)
        self.engine = engine
        self._max_batch = max_batch
        self._published_on_insert = published_on_insert
        self._on_commit = on_commit
        self._queue: deque[Call] = deque()
        """The calls the writer has yet to take."""
        self._waiting: asyncio.Future[None] | None = None
        """What the idle writer awaits: set by the next submission."""
        self._writer: asyncio.Task[None] | None = None
        self._transactions = StoreTransactions(engine)
        self._groups = 0
        self._appended = cache(EVENTS_APPENDED.labels)
        """The counter of appended events of a type (a look-up per type, not per commit)."""

    async def start(self, *, create_schema: bool = True) -> None:
        if create_schema:
            async with self.engine.begin() as conn:
                await conn.run_sync(create_log_tables)  # else migrations made them
        self._writer = asyncio.create_task(self._write_forever(), name="event-store-writer")

    async def close(self) -> None:
        await self.close_reads()
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
            self._writer = None
        await self._transactions.close()

    async def append(
        self,
        case_id: str,
        events: Sequence[EventEnvelope],
        *,
        expected_version: int | None,
        idempotency_key: str | None,
        fingerprint: str | None,
    ) -> AppendResult:
        request = AppendRequest(case_id, events, expected_version, idempotency_key, fingerprint)
        (outcome,) = await self._submit([request])
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    async def append_batch(self, requests: Sequence[AppendRequest]) -> list[BatchOutcome]:
        """Many appends in one transaction (the writer never splits a batch)."""
        outcomes = await self._submit(requests)
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(outcome, LogError):
                raise outcome
        return outcomes  # type: ignore[return-value]

    async def _submit(
        self, requests: Sequence[AppendRequest]
    ) -> list[AppendResult | BaseException]:
        checked(requests)
        if not requests:
            return []
        self._groups += 1
        submission = Submission(len(requests), asyncio.get_running_loop().create_future())
        self._queue.append(Call(requests, submission, self._groups))
        if self._waiting is not None and not self._waiting.done():
            self._waiting.set_result(None)
        return await submission.future

    async def unpublished(self, *, recorded_before: datetime, limit: int) -> list[bytes]:
        query = (
            select(event_log.c.body)
            .where(and_(~event_log.c.published, event_log.c.recorded_at < recorded_before))
            .order_by(event_log.c.position)
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            return list((await conn.execute(query)).scalars().all())

    async def park(self, delivery: Delivery, *, group: str, reason: str) -> bool:
        """Record a poison record once per group and position; False if it was parked already."""
        row = {
            "consumer_group": group,
            "partition": delivery.position.partition,
            "offset": delivery.position.offset,
            "reason": reason,
            "raw": delivery.raw,
            "recorded_at": utc_now(),
        }
        try:
            async with self.engine.begin() as conn:
                await conn.execute(insert(dead_letters), [row])
        except IntegrityError:
            return False
        return True

    async def mark_published(self, event_ids: Sequence[str]) -> None:
        if not event_ids:
            return
        async with self.engine.begin() as conn:
            await conn.execute(
                update(event_log)
                .where(key_in(event_log.c.event_id, event_ids, conn.dialect))
                .values(published=True)
            )

    async def _write_forever(self) -> None:
        while True:
            queue = self._queue
            if not queue:
                self._waiting = asyncio.get_running_loop().create_future()
                await self._waiting
                self._waiting = None
            calls = [queue.popleft()]
            count = len(calls[0].requests)
            while count < self._max_batch and queue:
                calls.append(queue.popleft())
                count += len(calls[-1].requests)
            try:
                await self._write(calls)
            except IntegrityError:
                # Another process wrote to one of these streams meanwhile: settle one by one,
                # still refusing the rest of a case after a refusal in its batch.
                await self._write_each(calls)
            except Exception as exc:
                for call in calls:
                    call.submission.settle_all([exc] * len(call.requests), call.first_slot)

    async def _write_each(self, calls: list[Call]) -> None:
        refused: dict[tuple[int, str], int] = {}
        for call in calls:
            submission = call.submission
            for slot, request in zip(call.slots(), call.requests, strict=True):
                head = refused.get((call.group, request.case_id))
                if head is not None:
                    submission.settle(slot, after_refusal(request, head))
                    continue
                await self._write_alone(Call((request,), submission, call.group, slot))
                error = submission.outcomes[slot]
                if isinstance(error, BaseException):
                    actual = error.actual if isinstance(error, VersionConflict) else 0
                    refused[(call.group, request.case_id)] = actual

    async def _write_alone(self, call: Call) -> None:
        for attempt in range(3):
            try:
                await self._write([call], every_head=True)
                return
            except IntegrityError as exc:
                # A concurrent writer committed first; the next try sees its rows and
                # answers with a version conflict or the original result of the key.
                if attempt == 2:
                    call.submission.settle(call.first_slot, exc)
            except Exception as exc:
                call.submission.settle(call.first_slot, exc)
                return

    async def _write(self, calls: list[Call], *, every_head: bool = False) -> None:
        """One transaction for the requests of ``calls``, decided on the heads and keys
        ``look_ups`` reads (a new-stream append to a stream that exists collides with its
        first row: unique case and sequence; the retry one by one looks every head up)."""
        now = utc_now()
        outcomes: list[AppendResult | Replay | Exception] = []
        async with await self._transactions.begin() as tx:
            batch = [r for call in calls for r in call.requests]
            heads, known = await look_ups(tx, batch, every_head=every_head)
            stamp = Stamp(
                driver_datetime(tx.dialect, now), encode_instant(now), self._published_on_insert
            )
            written: list[EventEnvelope] = []
            ahead: list[bytes | None] = []
            key_rows: list[tuple[object, ...]] = []
            refused: set[tuple[int, str]] = set()
            for call in calls:
                group = call.group
                for request in call.requests:
                    if refused and (group, request.case_id) in refused:
                        outcome: AppendResult | Replay | Exception = after_refusal(
                            request, heads.get(request.case_id, 0)
                        )
                    else:
                        outcome = decide(request, known, heads, now)
                    outcomes.append(outcome)
                    if isinstance(outcome, AppendResult):
                        if request.bodies is not None:
                            add_bodies(request, outcome.events, stamp, ahead, len(written))
                        written += outcome.events
                        if request.idempotency_key:
                            key_rows.append(key_row(request, outcome))
                            known[request.idempotency_key] = (
                                replay_of(outcome),
                                request.fingerprint,
                            )
                    elif isinstance(outcome, Exception):
                        refused.add((group, request.case_id))
            written_bodies = complete(written, ahead)
            rows = event_rows(written, written_bodies, stamp)
            last_row = None
            if rows:
                statement = insert_statement(event_log, EVENT_COLUMNS, tx.dialect)
                last_row = await tx.execute_many(statement, rows)
            if key_rows:
                keys_insert = insert_statement(append_keys, KEY_COLUMNS, tx.dialect)
                await tx.execute_many(keys_insert, key_rows)
            # Where the rows begin: on SQLite (the transaction holds the write lock, new rows
            # take the next row ids) the highest positions; else not known without a read.
            first = None
            if rows and tx.dialect.name == "sqlite" and self._on_commit is not None:
                last = last_row if last_row is not None else await last_position(tx)
                first = None if last is None else last - len(rows) + 1
        if len(rows) == 1:
            self._appended(rows[0][3]).inc()
        else:
            for event_type, count in Counter(map(itemgetter(3), rows)).items():
                self._appended(event_type).inc(count)
        if self._on_commit is not None and rows:
            self._on_commit(Committed(first, written, written_bodies))
        answers: list[AppendResult | Exception] = []
        for outcome in outcomes:
            if isinstance(outcome, Replay):
                stream = await self.read_stream(outcome.case_id, after=outcome.first - 1)
                events = tuple(e for e in stream if e.sequence <= outcome.last)
                outcome = AppendResult(outcome.case_id, events, replayed=True)
            answers.append(outcome)
        settle(calls, answers)
        if self._transactions.checkpoint_due(sum(map(len, written_bodies))):
            await self._transactions.checkpoint_wal()
