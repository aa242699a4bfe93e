"""A column matched against a batch of keys.

``column.in_(keys)`` sends one bound parameter per key: every batch is a new statement
text, so the database parses (and PostgreSQL plans) it again and the driver prepares it
again. Here the keys travel as one parameter instead, and the statement text stays the
same whatever their number: an array on PostgreSQL (``column = ANY($1)``), a JSON array
on SQLite (``column IN (SELECT value FROM json_each(?))``). Either is still an index lookup
per key.
"""

from __future__ import annotations

from collections.abc import Collection

import orjson
from sqlalchemy import ARRAY, ColumnElement, String, any_, bindparam, func, select
from sqlalchemy.engine import Dialect


def key_in(
    column: ColumnElement[str], keys: Collection[str], dialect: Dialect
) -> ColumnElement[bool]:
    """``column`` is one of ``keys`` (string keys)."""
    name = f"{column.key}_keys"
    if dialect.name == "postgresql":
        return column == any_(bindparam(name, list(keys), type_=ARRAY(String)))
    if dialect.name == "sqlite":
        values = func.json_each(bindparam(name, orjson.dumps(list(keys)).decode(), type_=String))
        return column.in_(select(values.table_valued("value").c.value))
    return column.in_(list(keys))
