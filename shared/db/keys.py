"""A column matched against a batch of keys.

``column.in_(keys)`` sends one bound parameter per key: every batch is a new statement
text, so the database parses (and PostgreSQL plans) it again and the driver prepares it
again. Here the keys travel as one parameter instead, and the statement text stays the
same whatever their number: an array on PostgreSQL (``column = ANY($1)``), a JSON array
on SQLite (``column IN (SELECT value FROM json_each(?))``). Either is still an index lookup
per key.

On SQLite the condition is one small construct (the column and the parameter) rendered
straight to that text: built as a subquery of ``json_each``, SQLAlchemy built the subquery,
its columns and their cache key again for every batch, several times the cost of the rest
of a short statement.

``rows_with_keys``, ``keys_present`` and ``delete_with_keys`` are the per-batch read and
removal of a read model's rows by key: their statements are built once per table and
dialect, with the keys bound at execution, and on the embedded database run on its driver
(``shared/db/hot_statements.py``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import (
    ARRAY,
    BindParameter,
    ColumnElement,
    Delete,
    Select,
    String,
    Table,
    any_,
    bindparam,
    delete,
    select,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import sqltypes
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from shared.db.hot_statements import hot_execute, hot_rows

KEYS = "keys"
"""The bound parameter of ``keyed``'s condition."""


def key_in(
    column: ColumnElement[str], keys: Collection[str], dialect: Dialect
) -> ColumnElement[bool]:
    """``column`` is one of ``keys`` (string keys)."""
    name = f"{column.key}_keys"
    if dialect.name == "postgresql":
        return column == any_(bindparam(name, list(keys), type_=ARRAY(String)))
    if dialect.name == "sqlite":
        return InJsonArray(column, bindparam(name, orjson.dumps(list(keys)).decode(), String))
    return column.in_(list(keys))


def keyed(column: ColumnElement[str], dialect_name: str) -> ColumnElement[bool]:
    """``key_in`` with the keys left to bind at execution as ``KEYS`` (``keys_value``): the
    statement can be built once."""
    if dialect_name == "postgresql":
        return column == any_(bindparam(KEYS, type_=ARRAY(String)))
    if dialect_name == "sqlite":
        return InJsonArray(column, bindparam(KEYS, type_=String))
    return column.in_(bindparam(KEYS, expanding=True))


def keys_value(keys: Collection[str], dialect: Dialect) -> object:
    """The value of ``keyed``'s parameter for ``keys``."""
    if dialect.name == "sqlite":
        return orjson.dumps(list(keys)).decode()
    return list(keys)


@lru_cache(maxsize=128)  # a few tables (and a rebuild's copies of them)
def _rows_with(table: Table, column: str, dialect_name: str) -> Select[Any]:
    return select(table).where(keyed(table.c[column], dialect_name))


@lru_cache(maxsize=128)
def _keys_in(table: Table, column: str, dialect_name: str) -> Select[Any]:
    return select(table.c[column]).where(keyed(table.c[column], dialect_name))


@lru_cache(maxsize=128)
def _delete_with(table: Table, column: str, dialect_name: str) -> Delete:
    return delete(table).where(keyed(table.c[column], dialect_name))


async def rows_with_keys(
    conn: AsyncConnection, table: Table, column: str, keys: Collection[str]
) -> Sequence[Mapping[str, Any]]:
    """The rows of ``table`` whose ``column`` is one of ``keys``."""
    statement = _rows_with(table, column, conn.dialect.name)
    return await hot_rows(conn, statement, {KEYS: keys_value(keys, conn.dialect)})


async def keys_present(
    conn: AsyncConnection, table: Table, column: str, keys: Collection[str]
) -> set[str]:
    """Which of ``keys`` are in ``table``'s ``column``."""
    statement = _keys_in(table, column, conn.dialect.name)
    found = await hot_rows(conn, statement, {KEYS: keys_value(keys, conn.dialect)})
    return {row[column] for row in found}


async def delete_with_keys(
    conn: AsyncConnection, table: Table, column: str, keys: Collection[str]
) -> None:
    """Remove the rows of ``table`` whose ``column`` is one of ``keys``."""
    statement = _delete_with(table, column, conn.dialect.name)
    await hot_execute(conn, statement, {KEYS: keys_value(keys, conn.dialect)})


class InJsonArray(ColumnElement[Any]):
    """``column IN (SELECT value FROM json_each(:keys))``, ``keys`` a JSON array (SQLite)."""

    inherit_cache = True
    type = sqltypes.NULLTYPE  # a condition as it is: not rendered as ``(...) = 1``
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy reads it as declared)
        ("column", InternalTraversal.dp_clauseelement),
        ("keys", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[str], keys: BindParameter[str]) -> None:
        self.column = column
        self.keys = keys


@compiles(InJsonArray, "sqlite")
def _in_json_array(element: InJsonArray, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"{column} IN (SELECT value FROM json_each({compiler.process(element.keys, **kw)}))"
