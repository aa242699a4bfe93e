"""Statements run for every case, on the embedded database's driver itself.

On SQLite a statement through SQLAlchemy's execution (compiled-cache lookup, parameter
processing, an adapted cursor opened, executed, fetched and closed through greenlet
switches, a result object) costs several times what SQLite spends answering it: 150-250 µs
against 20-60 µs for the triage look-ups. ``hot_rows`` (a select) and ``hot_execute`` (an
update: its row count) compile a statement built once (bound parameters only) once per
dialect and, on the embedded database's inline connection, run its text with ``sqlite3``
directly, in the connection's transaction, converting parameters and columns with
SQLAlchemy's own processors for their types (how a datetime, a boolean, a JSON document is
stored), so the rows read and written are the same either way. ``hot_execute_many`` runs
an update or a delete once per row of parameters (one ``executemany``);
``hot_execute_in_core`` is ``hot_execute`` inside SQLAlchemy's synchronous core. Any other
database runs them through SQLAlchemy as before (a statement built once also spares
SQLAlchemy its cache key on every execution).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Delete, Select, Update
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import TypeEngine
from sqlalchemy.util import await_

from shared.db.inline_sqlite import InlineConnection
from shared.log.sql_driver import sqlalchemy_errors

T = TypeVar("T")
Convert = Callable[[Any], Any]
Processor = Convert | None
Statement = Select[Any] | Update | Delete


@dataclass(frozen=True, slots=True)
class _Compiled:
    text: str
    names: tuple[str, ...]
    """The bound parameters in the order of the text's placeholders."""
    binds: tuple[Processor, ...]
    defaults: Mapping[str, Any]
    """Values the statement carries itself (a literal limit)."""
    columns: tuple[str, ...]
    results: tuple[tuple[int, Convert], ...]
    """The columns that need converting, by position."""


_SQLITE_DATETIME = (
    "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d"
)
"""SQLAlchemy's default text form of a datetime on SQLite (its ``DATETIME`` type)."""


def bind_processor(type_: TypeEngine[Any], dialect: Dialect) -> Processor:
    """SQLAlchemy's conversion of a value of ``type_`` for ``dialect``'s driver; a datetime
    in SQLite's default text form is written with one positional format, the same text at
    a fraction of the cost of SQLAlchemy's formatting by name."""
    impl = type_.dialect_impl(dialect)
    process = impl.bind_processor(dialect)
    if process is None or getattr(impl, "_storage_format", None) != _SQLITE_DATETIME:
        return process
    usual = process

    def datetime_text(value: Any) -> Any:
        return sqlite_datetime(value) if type(value) is datetime else usual(value)

    return datetime_text


def sqlite_datetime(value: datetime) -> str:
    """A datetime in SQLAlchemy's text form for SQLite (its wall-clock fields as they are)."""
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031 (the fastest form)
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
    )


@lru_cache(maxsize=128)  # statements built once: a few dozen; bounded against any built per call
def _compiled(statement: Statement, dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    binds = compiled.binds
    if any(binds[name].expanding for name in names):
        raise ValueError("hot_rows takes no expanding (IN list) parameters")
    columns = tuple(statement.selected_columns) if isinstance(statement, Select) else ()
    results = (
        (i, column.type.dialect_impl(dialect).result_processor(dialect, None))
        for i, column in enumerate(columns)
    )
    return _Compiled(
        text=compiled.string,
        names=names,
        binds=tuple(bind_processor(binds[n].type, dialect) for n in names),
        defaults={n: binds[n].value for n in names if not binds[n].required},
        columns=tuple(str(column.key) for column in columns),
        results=tuple((i, process) for i, process in results if process is not None),
    )


def _parameters(compiled: _Compiled, bound: Mapping[str, Any]) -> list[Any]:
    values = []
    for name, process in zip(compiled.names, compiled.binds, strict=True):
        value = bound[name] if name in bound else compiled.defaults[name]
        values.append(process(value) if process is not None else value)
    return values


def _mappings(compiled: _Compiled, rows: Sequence[Sequence[Any]]) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    for row in rows:
        values = list(row)
        for i, process in compiled.results:
            values[i] = process(values[i])
        found.append(dict(zip(compiled.columns, values, strict=True)))
    return found


async def _inline(conn: AsyncConnection) -> InlineConnection | None:
    """The embedded database's connection under ``conn`` (None: another database). A live
    connection's is at hand without the hand-off to SQLAlchemy's synchronous core that
    ``get_raw_connection`` takes (that one may have to reconnect)."""
    sync = conn.sync_connection
    if sync is not None and not (sync.closed or sync.invalidated):
        raw = sync.connection  # no reconnect: no IO
    else:
        raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    return driver if isinstance(driver, InlineConnection) else None


async def _on_driver(
    conn: AsyncConnection,
    statement: Statement,
    bound: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    driver: InlineConnection,
    finish: Callable[[sqlite3.Cursor], T],
) -> tuple[_Compiled, T]:
    """``statement`` run on the inline connection's ``sqlite3`` in its transaction, and
    ``finish`` of its cursor there too (the rows fetched, or the count taken); a sequence
    of ``bound`` runs it once per item (``executemany``)."""
    compiled = _compiled(statement, conn.dialect)
    sqlite = driver.sqlite
    if isinstance(bound, Mapping):
        parameters = _parameters(compiled, bound)

        def run() -> T:
            return finish(sqlite.execute(compiled.text, parameters))
    else:
        many = [_parameters(compiled, item) for item in bound]

        def run() -> T:
            return finish(sqlite.executemany(compiled.text, many))

    with sqlalchemy_errors(compiled.text):
        return compiled, await driver.run(run)


async def hot_rows(
    conn: AsyncConnection, statement: Select[Any], bound: Mapping[str, Any]
) -> Sequence[Mapping[Any, Any]]:
    """The rows of ``statement`` (built once, with bound parameters) as column mappings."""
    driver = await _inline(conn)
    if driver is None:
        return list((await conn.execute(statement, dict(bound))).mappings())
    compiled, rows = await _on_driver(conn, statement, bound, driver, sqlite3.Cursor.fetchall)
    return _mappings(compiled, rows)


async def hot_execute(
    conn: AsyncConnection, statement: Update | Delete, bound: Mapping[str, Any]
) -> int:
    """Run ``statement`` (built once, with bound parameters); the number of rows it changed."""
    driver = await _inline(conn)
    if driver is None:
        return int((await conn.execute(statement, dict(bound))).rowcount)
    _, changed = await _on_driver(conn, statement, bound, driver, _row_count)
    return changed


async def hot_execute_many(
    conn: AsyncConnection, statement: Update | Delete, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Run ``statement`` (built once, with bound parameters) once for each of ``rows``."""
    if not rows:
        return
    driver = await _inline(conn)
    if driver is None:
        await conn.execute(statement, list(rows))
        return
    await _on_driver(conn, statement, rows, driver, _row_count)


async def hot_driver_many(conn: AsyncConnection, text: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run ``text`` (in the driver's parameter style) once for each of ``rows`` (values the
    driver takes as they are): on the embedded database on its driver, else through
    SQLAlchemy's ``exec_driver_sql``."""
    driver = await _inline(conn)
    if driver is None:
        await conn.exec_driver_sql(text, list(rows))
        return
    with sqlalchemy_errors(text):
        await driver.run(driver.sqlite.executemany, text, rows)


def hot_execute_in_core(
    conn: Connection, statement: Update | Delete, bound: Mapping[str, Any]
) -> int:
    """``hot_execute`` for code already handed to SQLAlchemy's synchronous core (a
    ``greenlet_spawn``, with ``conn`` its connection): the rows ``statement`` changed."""
    driver = conn.connection.driver_connection
    if not isinstance(driver, InlineConnection):
        return int(conn.execute(statement, dict(bound)).rowcount)
    compiled = _compiled(statement, conn.dialect)
    parameters = _parameters(compiled, bound)
    sqlite = driver.sqlite

    def run() -> int:
        return int(sqlite.execute(compiled.text, parameters).rowcount)

    with sqlalchemy_errors(compiled.text):
        return await_(driver.run(run))  # no switch unless the database is locked


def _row_count(cursor: sqlite3.Cursor) -> int:
    return cursor.rowcount
