"""One lock for everyone who creates or changes a database's schema: the migrations and the
embedded log's own tables. Processes that start together on an empty database queue on it,
so each finds the schema either untouched or complete, never half made by another.

PostgreSQL: a transaction-scoped advisory lock. SQLite: the database's write lock, taken
when the transaction begins (``BEGIN IMMEDIATE``) rather than at its first write, so that
what the transaction reads first (the schema's revision) is already under the lock.
Either is released when the transaction ends. It must be the transaction's first statement.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

MIGRATION_LOCK = 7_000_001  # a PostgreSQL advisory lock id of this schema's migrations


def hold_schema_lock(connection: Connection) -> None:
    """Wait for the schema lock; held until ``connection``'s transaction ends."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK})
    elif dialect == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
