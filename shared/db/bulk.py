"""Insert many rows at once.

``insert_rows`` takes dicts: PostgreSQL COPY for large batches, executemany otherwise (on
SQLite as tuples converted by the columns' own bind processors, when every row has the same
columns and the others take no default from SQLAlchemy).
``insert_many`` takes tuples already in the driver's form and hands them to one driver-level
``executemany`` (on the embedded database its ``sqlite3`` itself, ``hot_statements``):
SQLAlchemy's ``insert(table)`` with dicts processes every value of every row in Python (type
processors, parameter dictionaries), which on a hot write path costs more than the database
itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import JSON, Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.hot_statements import bind_processor, hot_driver_many, sqlite_datetime

COPY_FROM = 200
"""Below this many rows a multi-row INSERT is as quick as COPY."""


async def insert_rows(
    conn: AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        names = _shared_columns(table, rows)
        if names is not None:
            processors = _bind_processors(table, names, conn.dialect)
            await insert_many(conn, table, names, _converted(rows, names, processors))
            return
    if len(rows) < COPY_FROM or conn.dialect.name != "postgresql":
        await conn.execute(insert(table), list(rows))
        return
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection  # the asyncpg connection inside the transaction
    assert driver is not None
    columns = [column.name for column in table.columns]
    await driver.copy_records_to_table(table.name, records=_records(table, rows), columns=columns)


def _shared_columns(table: Table, rows: Sequence[Mapping[str, Any]]) -> tuple[str, ...] | None:
    """The columns the rows have values (maybe None) for, when every row has the same ones
    and the table's others take no default from SQLAlchemy (the database's own applies as
    it would to SQLAlchemy's insert); None: insert through SQLAlchemy."""
    keys = rows[0].keys()
    names = _insertable(table, frozenset(keys))
    if names is None or any(row.keys() != keys for row in rows):
        return None
    return names


@lru_cache(maxsize=256)
def _insertable(table: Table, keys: frozenset[str]) -> tuple[str, ...] | None:
    columns = table.columns
    if not keys <= set(columns.keys()):
        return None
    if any(c.default is not None for c in columns if c.name not in keys):
        return None
    return tuple(c.name for c in columns if c.name in keys)


@lru_cache(maxsize=256)
def _bind_processors(
    table: Table, names: tuple[str, ...], dialect: Dialect
) -> tuple[Callable[[Any], Any] | None, ...]:
    """SQLAlchemy's own conversion of each of these columns for ``dialect`` (how it stores a
    datetime, a boolean, a JSON document), applied without its per-row work."""
    columns = table.columns
    return tuple(bind_processor(columns[n].type, dialect) for n in names)


def _converted(
    rows: Sequence[Mapping[str, Any]],
    names: tuple[str, ...],
    processors: tuple[Callable[[Any], Any] | None, ...],
) -> list[tuple[Any, ...]]:
    """The rows' values in column order, each converted by its column's processor (only the
    columns that have one are visited: most values go to the driver as they are)."""
    converting = [(i, process) for i, process in enumerate(processors) if process is not None]
    values = [[row[name] for name in names] for row in rows]
    for row_values in values:
        for i, process in converting:
            row_values[i] = process(row_values[i])
    return list(map(tuple, values))


def _records(table: Table, rows: Sequence[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
    """The rows as tuples in column order (JSON columns as JSON text, a missing key None)."""
    names = [column.name for column in table.columns]
    json_columns = [i for i, column in enumerate(table.columns) if isinstance(column.type, JSON)]
    if len(names) > 1 and not json_columns:
        try:
            return list(map(itemgetter(*names), rows))  # every row has every column
        except KeyError:
            pass
    if not json_columns:
        return [tuple(map(row.get, names)) for row in rows]
    records = [list(map(row.get, names)) for row in rows]
    for record in records:
        for i in json_columns:
            record[i] = orjson.dumps(record[i]).decode()
    return [tuple(record) for record in records]


def driver_datetime(dialect: Dialect, value: datetime) -> object:
    """A datetime as the driver of ``dialect`` takes it (SQLite: SQLAlchemy's text form, so
    reads parse rows written this way alike)."""
    return sqlite_datetime(value) if dialect.name == "sqlite" else value


def _placeholder(paramstyle: str, index: int) -> str:
    if paramstyle == "qmark":
        return "?"
    if paramstyle in ("numeric_dollar", "numeric"):
        return f"${index}" if paramstyle == "numeric_dollar" else f":{index}"
    if paramstyle in ("format", "pyformat"):
        return "%s"
    raise ValueError(f"unsupported parameter style {paramstyle}")


@cache
def insert_statement(table: Table, columns: tuple[str, ...], dialect: Dialect) -> str:
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    marks = ", ".join(_placeholder(dialect.paramstyle, i + 1) for i in range(len(columns)))
    return f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"


async def insert_many(
    conn: AsyncConnection,
    table: Table,
    columns: tuple[str, ...],
    rows: Sequence[tuple[object, ...]],
) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table`` in one call."""
    if rows:
        await hot_driver_many(conn, insert_statement(table, columns, conn.dialect), rows)
