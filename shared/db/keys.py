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
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import orjson
from sqlalchemy import ARRAY, BindParameter, ColumnElement, String, any_, bindparam
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import sqltypes
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal


def key_in(
    column: ColumnElement[str], keys: Collection[str], dialect: Dialect
) -> ColumnElement[bool]:
    """``column`` is one of ``keys`` (string keys)."""
    name = key_name(column)
    if dialect.name == "postgresql":
        return column == any_(bindparam(name, key_values(keys, dialect), type_=ARRAY(String)))
    if dialect.name == "sqlite":
        return InJsonArray(column, bindparam(name, key_values(keys, dialect), String))
    return column.in_(list(keys))


def key_name(column: ColumnElement[str]) -> str:
    """The name of ``key_in``'s parameter: a statement built once binds its keys by it."""
    return f"{column.key}_keys"


def key_values(keys: Collection[str], dialect: Dialect) -> Any:
    """What ``key_in``'s parameter carries for ``keys`` on ``dialect``."""
    if dialect.name == "sqlite":
        return orjson.dumps(list(keys)).decode()
    return list(keys)


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
