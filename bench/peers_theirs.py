"""eventsourcing 9.5.6's side of ``bench/peers.py``: its recorders, used directly.

Appends: ``ApplicationRecorder.insert_events`` with ``StoredEvent``s whose state its
``JSONTranscoder`` encodes in the timed loop (what its mapper does for a domain event: the
event's attributes less originator id and version). Reads: ``select_events`` per stream, each
state decoded with the same transcoder. The projection: its notification log
(``select_notifications``, 500 at a time as its subscriptions read) into a
``PostgresTrackingRecorder`` that keeps a count per topic, one transaction per event holding
the count's update and the tracking record (the event counters of its projection docs; its
``ProjectionRunner`` needs an ``Application`` and subscriptions, which its SQLite recorder
does not offer). SQLite: its datastore's WAL mode, with ``synchronous=FULL`` set on each of
its connections; PostgreSQL: server defaults.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import (
    ApplicationRecorder,
    DatetimeAsISO,
    JSONTranscoder,
    StoredEvent,
    Tracking,
    UUIDAsHex,
)
from eventsourcing.postgres import (
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresTrackingRecorder,
)
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteDatastore,
)
from psycopg.sql import SQL, Identifier
from sqlalchemy.engine import make_url

from bench.peers_events import BenchEvent

TOPIC = "fengqiao.cases:{}"
APPLICATION = "Cases"
SELECT_LIMIT = 500
FULL = 2
Prepared = list[tuple[uuid.UUID, str, dict[str, Any]]]


def transcoder() -> JSONTranscoder:
    json = JSONTranscoder()
    json.register(UUIDAsHex())
    json.register(DatetimeAsISO())
    return json


class FullSyncPool(SQLiteConnectionPool):
    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        connection._sqlite_conn.execute("PRAGMA synchronous=FULL")
        return connection


def sqlite_datastore(path: str) -> SQLiteDatastore:
    datastore = SQLiteDatastore(path)
    datastore.pool.close()
    datastore.pool = FullSyncPool(db_name=path)
    return datastore


def postgres_datastore(url: str) -> PostgresDatastore:
    parsed = make_url(url)
    return PostgresDatastore(
        dbname=str(parsed.database),
        host=str(parsed.host),
        port=parsed.port or 5432,
        user=str(parsed.username),
        password=str(parsed.password),
    )


class CountRecorder(PostgresTrackingRecorder):
    """Events per topic and the position in the notification log, updated together."""

    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__(datastore, tracking_table_name="count_tracking")
        table = Identifier(datastore.schema), Identifier("event_counts")
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0}.{1} "
                "(topic text PRIMARY KEY, events bigint NOT NULL)"
            ).format(*table)
        )
        self.increment = SQL(
            "INSERT INTO {0}.{1} VALUES (%s, 1) "
            "ON CONFLICT (topic) DO UPDATE SET events = {0}.{1}.events + 1"
        ).format(*table)
        self.select_counts = SQL("SELECT topic, events FROM {0}.{1}").format(*table)

    def count(self, topic: str, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            self._insert_tracking(curs, tracking)
            curs.execute(self.increment, (topic,), prepare=True)

    def counts(self) -> dict[str, int]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self.select_counts)
            return {row["topic"]: row["events"] for row in curs.fetchall()}


class TheirSide:
    name = "eventsourcing"

    def __init__(self, log_url: str, projection_url: str) -> None:
        self._log_url = log_url
        self._projection_url = projection_url
        self._json = transcoder()
        self._datastore: SQLiteDatastore | PostgresDatastore | None = None
        self._recorder: ApplicationRecorder | None = None

    async def open(self) -> None:
        await self.reopen()
        assert self._recorder is not None
        self._recorder.create_table()
        if self.synchronous() not in (None, FULL):
            raise RuntimeError(f"SQLite synchronous={self.synchronous()}, not FULL")

    async def reopen(self) -> None:
        if self._datastore is not None:
            self._datastore.close()
        if self._log_url.startswith("sqlite"):
            sqlite = sqlite_datastore(str(make_url(self._log_url).database))
            self._datastore, self._recorder = sqlite, SQLiteApplicationRecorder(sqlite)
        else:
            postgres = postgres_datastore(self._log_url)
            self._datastore, self._recorder = postgres, PostgresApplicationRecorder(postgres)

    def synchronous(self) -> int | None:
        """SQLite's ``synchronous`` on a writing connection (``FULL``: 2); None elsewhere."""
        if not isinstance(self._datastore, SQLiteDatastore):
            return None
        with self._datastore.transaction(commit=True) as cursor:
            cursor.execute("PRAGMA synchronous")
            return int(cursor.fetchone()[0])

    @property
    def recorder(self) -> ApplicationRecorder:
        assert self._recorder is not None, "open() first"
        return self._recorder

    def prepare(self, events: Sequence[BenchEvent]) -> Prepared:
        return [
            (e.stream_id, TOPIC.format(e.event_type), {"timestamp": e.occurred_at, **e.payload})
            for e in events
        ]

    def _stored(self, prepared: Prepared) -> list[StoredEvent]:
        encode = self._json.encode
        return [StoredEvent(stream, 1, topic, encode(state)) for stream, topic, state in prepared]

    async def append_lone(self, prepared: Prepared) -> None:
        for one in prepared:
            self.recorder.insert_events(self._stored([one]))

    async def append_batched(self, prepared: Prepared, per_commit: int) -> None:
        for start in range(0, len(prepared), per_commit):
            self.recorder.insert_events(self._stored(prepared[start : start + per_commit]))

    async def read_each(self, stream_ids: Sequence[uuid.UUID]) -> int:
        decode = self._json.decode
        read = 0
        for stream_id in stream_ids:
            for stored in self.recorder.select_events(stream_id):
                decode(stored.state)
                read += 1
        return read

    async def rebuild_counts(self) -> dict[str, int]:
        view_store = postgres_datastore(self._projection_url)
        try:
            view = CountRecorder(view_store)
            view.create_table()
            self._project(view)
            return {topic.split(":", 1)[1]: n for topic, n in view.counts().items()}
        finally:
            view_store.close()

    def _project(self, view: CountRecorder) -> None:
        decode = self._json.decode
        last = view.max_tracking_id(APPLICATION) or 0
        while True:
            batch = self.recorder.select_notifications(
                start=last, limit=SELECT_LIMIT, inclusive_of_start=False
            )
            for notification in batch:
                decode(notification.state)
                view.count(notification.topic, Tracking(APPLICATION, notification.id))
            if len(batch) < SELECT_LIMIT:
                return
            last = batch[-1].id

    async def close(self) -> None:
        if self._datastore is not None:
            self._datastore.close()
