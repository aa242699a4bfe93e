"""Fresh copies of read-model tables, and swapping them in for the live ones atomically.

A rebuild writes into ``<table>__rebuild`` (same columns and primary key, from the same
SQLAlchemy ``Table``); its secondary indexes are built once the rows are in, under
temporary names. The swap, inside the caller's transaction, renames the live table away,
renames the fresh one in, drops the old one and gives constraints and indexes their usual
names, on PostgreSQL and on SQLite (both have transactional DDL).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Index, MetaData, Table, delete, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.schema import CreateIndex, CreateTable, DropTable

from shared.db.schema import consumer_positions

FRESH = "__rebuild"
OLD = "__old"


@dataclass(frozen=True)
class FreshTable:
    live: Table
    fresh: Table
    indexes: tuple[Index, ...]
    """The live table's secondary indexes, on ``fresh``, under temporary names."""


def fresh_copy(live: Table, metadata: MetaData) -> FreshTable:
    fresh = live.to_metadata(metadata, name=live.name + FRESH)
    fresh.indexes.clear()  # built after the load, under names that do not clash
    indexes = tuple(
        Index(
            f"{index.name}{FRESH}",
            *(fresh.c[column.name] for column in index.columns),
            unique=index.unique,
        )
        for index in sorted(live.indexes, key=lambda i: str(i.name))
    )
    return FreshTable(live=live, fresh=fresh, indexes=indexes)


async def create_fresh(conn: AsyncConnection, tables: Sequence[FreshTable]) -> None:
    """Empty fresh tables (a leftover of an interrupted rebuild is dropped first). On
    PostgreSQL autovacuum leaves them alone until the swap: it would scan them over and
    over while the pass fills them, on the cores the pass needs."""
    for table in tables:
        await conn.execute(DropTable(table.fresh, if_exists=True))
        await conn.execute(text(f"DROP TABLE IF EXISTS {_q(conn, table.live.name + OLD)}"))
        await conn.execute(CreateTable(table.fresh))
        if conn.dialect.name == "postgresql":
            await conn.execute(
                text(f"ALTER TABLE {_q(conn, table.fresh.name)} SET (autovacuum_enabled = false)")
            )


async def index_fresh(conn: AsyncConnection, tables: Sequence[FreshTable]) -> None:
    for table in tables:
        for index in table.indexes:
            await conn.execute(CreateIndex(index))


async def lock_live(conn: AsyncConnection, tables: Sequence[FreshTable]) -> None:
    """Hold off the live writers until the swap commits (readers go on until the renames)."""
    if conn.dialect.name == "postgresql":
        names = ", ".join(_q(conn, t.live.name) for t in tables)
        await conn.execute(text(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE"))
    else:  # SQLite: a write takes the database's write lock for the whole transaction
        await conn.execute(
            consumer_positions.update()
            .where(consumer_positions.c.consumer_group == "")
            .values(next_offset=0)
        )


async def swap_in(conn: AsyncConnection, tables: Sequence[FreshTable]) -> None:
    postgres = conn.dialect.name == "postgresql"
    for table in tables:
        live, fresh, old = table.live.name, table.fresh.name, table.live.name + OLD
        await conn.execute(text(f"ALTER TABLE {_q(conn, live)} RENAME TO {_q(conn, old)}"))
        await conn.execute(text(f"ALTER TABLE {_q(conn, fresh)} RENAME TO {_q(conn, live)}"))
        await conn.execute(text(f"DROP TABLE {_q(conn, old)}"))
        if postgres:
            await conn.execute(text(f"ALTER TABLE {_q(conn, live)} RESET (autovacuum_enabled)"))
            await conn.execute(
                text(
                    f"ALTER TABLE {_q(conn, live)} RENAME CONSTRAINT "
                    f"{_q(conn, fresh + '_pkey')} TO {_q(conn, live + '_pkey')}"
                )
            )
        for index, usual in zip(table.indexes, _usual_indexes(table.live), strict=True):
            if postgres:
                await conn.execute(
                    text(f"ALTER INDEX {_q(conn, str(index.name))} RENAME TO {_q(conn, usual)}")
                )
            else:  # SQLite cannot rename an index: build it again under its usual name
                await conn.execute(text(f"DROP INDEX {_q(conn, str(index.name))}"))
                await conn.execute(CreateIndex(_index_named(table.live, usual)))


async def replace_positions(
    conn: AsyncConnection, positions: Mapping[str, Mapping[int, int]]
) -> None:
    """Set each group's next offsets to the rebuilt tables' (in the swap's transaction)."""
    for group, offsets in positions.items():
        await conn.execute(
            delete(consumer_positions).where(consumer_positions.c.consumer_group == group)
        )
        if offsets:
            await conn.execute(
                insert(consumer_positions),
                [
                    {"consumer_group": group, "partition": p, "next_offset": o}
                    for p, o in sorted(offsets.items())
                ],
            )


def _usual_indexes(live: Table) -> list[str]:
    return [str(index.name) for index in sorted(live.indexes, key=lambda i: str(i.name))]


def _index_named(live: Table, name: str) -> Index:
    return next(index for index in live.indexes if index.name == name)


def _q(conn: AsyncConnection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)
