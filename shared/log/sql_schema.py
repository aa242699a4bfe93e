"""Tables of the SQL event store (SQLite when embedded, PostgreSQL beside Kafka).

Beside Kafka they live in the read-model database and a migration creates them (revision
0007), under the migrations' lock. The embedded log's database is its own: the log creates
them at start-up (``create_log_tables``), under the same lock.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Connection

from shared.db.schema_lock import hold_schema_lock

log_metadata = MetaData()

# BigInteger autoincrement maps to BIGSERIAL on PostgreSQL; SQLite needs INTEGER PRIMARY KEY.
Position = BigInteger().with_variant(Integer(), "sqlite")

event_log = Table(
    "event_log",
    log_metadata,
    Column("position", Position, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False),
    Column("case_id", String(64), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("event_type", String(80), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("published", Boolean, nullable=False, default=False),
    UniqueConstraint("case_id", "sequence", name="uq_event_log_case_sequence"),
)
Index("ix_event_log_unpublished", event_log.c.published, event_log.c.position).ddl_if(
    dialect="postgresql"
)
# On SQLite only the rows the Kafka relay has yet to publish are indexed: the embedded log
# records every row as published, and an index entry per row cost a tenth of an append.
Index("ix_event_log_to_publish", event_log.c.position, sqlite_where=~event_log.c.published).ddl_if(
    dialect="sqlite"
)
# Event ids are unique by construction (derived from the append's idempotency key, which
# the store admits once, or random). The Kafka relay marks rows published by event id, so
# PostgreSQL indexes them (unique, as a second guard); on SQLite the index would only make
# every append slower, by a third for a burst into a large log.
Index("uq_event_log_event_id", event_log.c.event_id, unique=True).ddl_if(dialect="postgresql")

append_keys = Table(
    "event_append_keys",
    log_metadata,
    Column("key", String(200), primary_key=True),
    Column("case_id", String(64), nullable=False),
    Column("first_sequence", Integer, nullable=False),
    Column("last_sequence", Integer, nullable=False),
    Column("fingerprint", String(128), nullable=True),
)

dead_letters = Table(
    "event_dead_letters",
    log_metadata,
    Column("id", Position, primary_key=True, autoincrement=True),
    Column("consumer_group", String(100), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw", LargeBinary, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("consumer_group", "partition", "offset", name="uq_dead_letter_position"),
)

redrives = Table(
    "event_redrives",
    log_metadata,
    # One per dead letter: the last request to handle it again, and what came of it.
    Column("dead_letter_id", Position, primary_key=True, autoincrement=False),
    Column("consumer_group", String(100), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("requested_by", String(100), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("outcome", String(20)),
    Column("detail", Text),
)
Index("ix_event_redrives_pending", redrives.c.consumer_group, redrives.c.finished_at)


def create_log_tables(connection: Connection) -> None:
    """The missing tables, as the first thing of ``connection``'s transaction (which then
    holds the schema lock: processes opening one new log together create them once)."""
    hold_schema_lock(connection)
    log_metadata.create_all(connection, checkfirst=True)
    if connection.dialect.name == "sqlite":  # the full index of logs made before
        connection.exec_driver_sql("DROP INDEX IF EXISTS ix_event_log_unpublished")
