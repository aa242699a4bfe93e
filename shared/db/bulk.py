"""Insert many rows at once: PostgreSQL COPY for large batches, executemany otherwise."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import JSON, Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection

COPY_FROM = 200
"""Below this many rows a multi-row INSERT is as quick as COPY."""


async def insert_rows(
    conn: AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    if not rows:
        return
    if len(rows) < COPY_FROM or conn.dialect.name != "postgresql":
        await conn.execute(insert(table), list(rows))
        return
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection  # the asyncpg connection inside the transaction
    assert driver is not None
    names = [column.name for column in table.columns]
    json_columns = {column.name for column in table.columns if isinstance(column.type, JSON)}
    records = [
        tuple(
            orjson.dumps(row.get(name)).decode() if name in json_columns else row.get(name)
            for name in names
        )
        for row in rows
    ]
    await driver.copy_records_to_table(table.name, records=records, columns=names)
