"""A column matched against a batch of keys.

``column.in_(keys)`` sends one bound parameter per key: every batch is a new statement
text, so PostgreSQL parses and plans thousands of parameters each time and the driver
prepares it again. On PostgreSQL the keys travel as one array instead
(``column = ANY($1)``): one statement, prepared once, still an index lookup per key.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ARRAY, ColumnElement, String, any_, bindparam
from sqlalchemy.engine import Dialect


def key_in(
    column: ColumnElement[str], keys: Collection[str], dialect: Dialect
) -> ColumnElement[bool]:
    """``column`` is one of ``keys`` (string keys)."""
    if dialect.name == "postgresql":
        return column == any_(bindparam(f"{column.key}_keys", list(keys), type_=ARRAY(String)))
    return column.in_(list(keys))
