"""Rows written by ``insert_rows`` read back exactly as SQLAlchemy's own insert writes them,
rows that leave columns out too (their database defaults apply, and a column with a default
of SQLAlchemy's own still gets it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, delete, insert, select

from shared.db.bulk import insert_rows
from shared.db.engine import make_engine
from shared.db.schema import cases, escalation_timers, metadata, unit_queue

NOW = datetime(2026, 10, 1, 8, 30, 15, 123456, tzinfo=UTC)


def case_row(i: int) -> dict[str, Any]:
    return {
        "id": f"case-{i}",
        "number": f"N{i}",
        "version": i,
        "status": "reported",
        "title": "邻里纠纷",
        "tier": None if i % 2 else "red",
        "category": "neighbour",
        "level": None,
        "unit_code": "330000",
        "holder_unit_code": None,
        "source": "api",
        "external_ref": None,
        "reported_at": NOW,
        "updated_at": NOW + timedelta(seconds=i),
        "deadline_at": None if i % 2 else NOW + timedelta(days=3),
        "rejection_reason": None,
        "details": {"parties": [{"name": "张三"}], "paused": bool(i % 2), "n": i},
    }


def timer_row(i: int) -> dict[str, Any]:
    """No ``fired_at`` nor ``outcome`` (nulls), nor ``partition`` (its server default)."""
    return {"timer_id": f"t-{i}", "case_id": f"case-{i}", "kind": "ack", "due_at": NOW}


def queue_row(i: int) -> dict[str, Any]:
    return {
        "case_id": f"case-{i}",
        "version": i,
        "number": f"N{i}",
        "unit_code": "330000",
        "status": "assigned",
        "tier": "blue",
        "level": "grid",
        "holder_unit_code": "330000",
        "order_id": None if i % 2 else f"order-{i}",
        "acknowledged": bool(i % 2),
        "ack_due_at": NOW,
        "paused": False,
        "deadline_at": None,
        "follow_up_due_at": None,
        "follow_up_overdue": True,
        "updated_at": NOW,
    }


async def test_bulk_rows_read_back_as_sqlalchemy_writes_them(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/app.db", durable=False)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        for table, make in (
            (cases, case_row),
            (unit_queue, queue_row),
            (escalation_timers, timer_row),
        ):
            rows = [make(i) for i in range(1, 5)]
            read: list[list[Any]] = []
            for write in (_sqlalchemy_insert, insert_rows):
                async with engine.begin() as conn:
                    await write(conn, table, rows)
                    key = next(iter(table.primary_key.columns))
                    found = await conn.execute(select(table).order_by(key))
                    read.append([tuple(row) for row in found])
                    await conn.execute(delete(table))
            assert read[0] == read[1], table.name
            assert len(read[1]) == 4
    finally:
        await engine.dispose()


async def _sqlalchemy_insert(conn: Any, table: Table, rows: list[dict[str, Any]]) -> None:
    await conn.execute(insert(table), rows)


async def test_a_column_left_out_gets_its_default_from_sqlalchemy(tmp_path: Path) -> None:
    table = Table(
        "counted",
        MetaData(),
        Column("key", String(10), primary_key=True),
        Column("count", Integer, nullable=False, default=7),
    )
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/app.db", durable=False)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(table.metadata.create_all)
            await insert_rows(conn, table, [{"key": "a"}, {"key": "b"}])
            found = await conn.execute(select(table).order_by(table.c.key))
            assert [tuple(row) for row in found] == [("a", 7), ("b", 7)]
    finally:
        await engine.dispose()
